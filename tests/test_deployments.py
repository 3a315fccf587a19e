"""Every deployment in prefect.yaml: its entrypoint imports, its flow's parameters validate, and it
states what it does (description, tags, a work pool, a concurrency limit)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = yaml.safe_load((ROOT / "prefect.yaml").read_text())
DEPLOYMENTS = {d["name"]: d for d in SPEC["deployments"]}
# Deployments only ever started with parameters (by the CLI, a trigger or another flow): what they pass.
STARTED_WITH = {"listing-takedown": {"request": {"sku": "SKU-1", "reason": "IP complaint"}},
                "incident-tier": {"incident": "INC-1", "tier": 1}}


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


def test_nightly_runs_at_0230_seller_time():
    [s] = DEPLOYMENTS["nightly-reconciliation"]["schedules"]
    assert (s["cron"], s["timezone"]) == ("30 2 * * *", "America/Los_Angeles")


def test_tasks_that_read_files_or_write_the_database_retry():
    from tasks import ingest

    assert ingest.prepare_report.retries > 0 and ingest.load_report.retries > 0
