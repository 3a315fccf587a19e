"""The deployments' integrity (Airflow's DAG integrity pattern): every deployment in prefect.yaml
imports, validates its parameters and says what it does; every flow has a description and typed
parameters; every task's retries follow from what it talks to — the network or the database retry,
a pure step does not, and a task over a client that retries by itself (the SP-API client) does not
retry on top of it; every schedule runs in the seller's time zone."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = yaml.safe_load((ROOT / "prefect.yaml").read_text())
DEPLOYMENTS = {d["name"]: d for d in SPEC["deployments"]}
# Deployments only ever started with parameters (by the CLI, a trigger or another flow): what they pass.
STARTED_WITH = {"listing-takedown": {"request": {"sku": "SKU-1", "reason": "IP complaint"}},
                "incident-tier": {"incident": "INC-1", "tier": 1},
                "account-health-recheck": {"signal": "odr", "subject": "ATVPDKIKX0DER/afn"},
                "slow-mover-clearance": {"sku": "SKU-1"}, "keyword-task-list": {"keyword": "blue widget"},
                "supplier-switch": {"supplier": "Acme"}, "warehouse-freeze": {"location": "BIN-A"},
                "return-decision": {"rma_id": "DdXk7LmRRMA", "sku": "TEE-RED-S"}}

# What each task talks to. A task may declare it beside itself with a tag (`io:network`,
# `io:database`, `io:file`, and `retries:client` beside `io:network` where the client retries by
# itself); this table holds the tasks that do not (yet). No entry and no
# tag means a pure step: CPU work or local files, which a retry cannot fix.
NETWORK, DATABASE, CLIENT_RETRIES = "network", "database", "client-retries"
IO_OF_TASK = {
    "load-report": DATABASE,
    "quarantine-report": DATABASE,  # records the outcome in report_file
    "reconcile-settlements": DATABASE,
    "read-findings": DATABASE,
    "hand-to-ingestion": DATABASE,  # ingestion loads the documents
    "list-settlements": CLIENT_RETRIES,  # the SP-API client tries each call PacingPolicy.max_attempts times
    "fetch-settlement": CLIENT_RETRIES,
    "request-report": CLIENT_RETRIES,
    "await-report": CLIENT_RETRIES,
    "publish-findings": NETWORK,  # the notification webhook (and the findings it reads)
}
PURE = {"prepare-report", "reconcile-piece", "save-document"}  # named so a new task is a decision, not a default

# Tasks that break the policy, listed with why until their owner fixes them (none today).
KNOWN_VIOLATIONS: dict[str, str] = {}
FLOWS_THAT_DEFINE_TASKS: dict[str, str] = {}
UNTYPED_FLOWS: dict[str, str] = {}


def _modules(package: str) -> list:
    pkg = importlib.import_module(package)
    return [importlib.import_module(f"{package}.{m.name}") for m in pkgutil.iter_modules(pkg.__path__)]


def _defined_in(module, kind) -> list:
    return [obj for obj in vars(module).values() if isinstance(obj, kind) and obj.fn.__module__ == module.__name__]


def _tasks() -> dict:
    from prefect import Task

    found = {}
    for module in _modules("tasks") + _modules("flows"):
        for t in _defined_in(module, Task):
            assert t.name not in found, f"two tasks named {t.name!r}"
            found[t.name] = t
    return found


def _flows() -> dict:
    from prefect import Flow

    return {f.name: f for module in _modules("flows") for f in _defined_in(module, Flow)}


TASKS = _tasks()
FLOWS = _flows()


def _io(task) -> str | None:
    declared = {tag.removeprefix("io:") for tag in task.tags if tag.startswith("io:")}
    assert len(declared) <= 1, f"{task.name}: one I/O kind, found {sorted(declared)}"
    if "retries:client" in task.tags:  # talks to the network through a client that retries by itself
        return CLIENT_RETRIES
    return next(iter(declared), None) or IO_OF_TASK.get(task.name)


def _known(name: str, table: dict) -> list:
    return [pytest.mark.xfail(reason=table[name], raises=AssertionError, strict=True)] if name in table else []


def test_the_named_deployments_exist():
    assert {"nightly-reconciliation", "ingest-reports", "sellerops-pull"} <= set(DEPLOYMENTS)


@pytest.mark.parametrize("name", sorted(DEPLOYMENTS))
def test_entrypoint_imports_and_parameters_validate(name):
    from prefect import Flow

    d = DEPLOYMENTS[name]
    path, func = d["entrypoint"].split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    flow = getattr(module, func)
    assert isinstance(flow, Flow)
    flow.validate_parameters({**STARTED_WITH.get(name, {}), **(d.get("parameters") or {})})
    assert d.get("description") and d.get("tags") and d["work_pool"]["name"] == "sellerops"
    assert d.get("concurrency_limit") == 1
    assert flow.name in FLOWS  # the walk below reaches every deployed flow


def test_the_walk_finds_the_house():
    assert {"load-report", "prepare-report", "request-report", "reconcile-settlements"} <= set(TASKS)
    assert {"nightly-reconciliation", "ingest-reports", "sellerops-pull"} <= set(FLOWS)


@pytest.mark.parametrize("name", [pytest.param(n, marks=_known(n, KNOWN_VIOLATIONS)) for n in sorted(TASKS)])
def test_retries_follow_what_the_task_talks_to(name):
    task = TASKS[name]
    io = _io(task)
    assert io is not None or name in PURE, f"{name}: declare what it talks to (a tag io:… or IO_OF_TASK)"
    retries = task.retries or 0
    if io in (NETWORK, DATABASE):
        assert retries > 0, f"{name} talks to the {io} and does not retry"
    else:
        why = {CLIENT_RETRIES: "its client retries by itself", "file": "local files, which a retry cannot fix"}.get(
            io, "a pure step")
        assert retries == 0, f"{name} retries {retries} times but {why}"


def test_the_sp_api_client_retries_by_itself():
    # what makes the SP-API tasks CLIENT_RETRIES: their client tries each call several times
    from sellerops.amazon.pacing import PacingPolicy

    assert PacingPolicy().max_attempts > 1


@pytest.mark.parametrize("name", [pytest.param(n, marks=_known(n, UNTYPED_FLOWS)) for n in sorted(FLOWS)])
def test_every_flow_has_a_description_and_typed_parameters(name):
    flow = FLOWS[name]
    assert flow.description, f"flow {name} has no description"
    untyped = [p.name for p in inspect.signature(flow.fn).parameters.values() if p.annotation is p.empty]
    assert not untyped, f"flow {name}: parameters without a type: {untyped}"


@pytest.mark.parametrize("module", [pytest.param(m, marks=_known(m, FLOWS_THAT_DEFINE_TASKS))
                                    for m in sorted(f"flows.{m.name}" for m in pkgutil.iter_modules(
                                        [str(ROOT / "flows")]))])
def test_flows_only_compose(module):
    from prefect import Task

    defined = [t.name for t in _defined_in(importlib.import_module(module), Task)]
    assert not defined, f"{module} defines tasks {defined}: tasks live in tasks/"


def test_nightly_runs_at_0230_seller_time():
    from sellerops.core.config import DEFAULT_TIMEZONE

    [s] = DEPLOYMENTS["nightly-reconciliation"]["schedules"]
    assert (s["cron"], s["timezone"]) == ("30 2 * * *", DEFAULT_TIMEZONE)


def test_prefect_yaml_names_the_seller_timezone_once_and_as_the_code_does():
    from sellerops.core.config import DEFAULT_TIMEZONE
    from sellerops.ops import schedule_timezones

    text = (ROOT / "prefect.yaml").read_text()
    assert SPEC["definitions"]["seller_timezone"] == DEFAULT_TIMEZONE
    assert text.count(DEFAULT_TIMEZONE) == 1 and text.count("timezone: *seller_timezone") >= 2
    assert schedule_timezones(ROOT) == {DEFAULT_TIMEZONE}


def test_make_up_refuses_schedules_in_another_zone_than_the_sellers(monkeypatch):
    from sellerops.ops import check_seller_timezone

    check_seller_timezone(ROOT)  # the default: the same zone
    monkeypatch.setenv("SELLEROPS_TIMEZONE", "Europe/Berlin")
    with pytest.raises(RuntimeError, match="America/Los_Angeles but the seller's time zone is Europe/Berlin"):
        check_seller_timezone(ROOT)
