"""The account-health watch under the Prefect test harness: one event per level change, read back through
Prefect's events API; the board's artifacts; an answering flow end to end; and the prefect.yaml
triggers checked against the one actions table.

The measurements are stand-ins for sellerops.health.measure's (that module's own tests measure the
loaded reports; tests/sellerops/health/test_chain.py runs the real chain): here the watch is what is
tested, from values chosen to cross its boundaries.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import types
import uuid
from pathlib import Path

import pytest
import yaml

from sellerops.health.actions import ACTIONS, PROCEDURES
from tests.sellerops.health.helpers import T0, hours, m

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "prefect.yaml").read_text())
DEPLOYMENTS = {d["name"]: d for d in SPEC["deployments"]}


@pytest.fixture
def measured(monkeypatch):
    """What the stand-in measure returns: set `measured.now` to the list for the next run."""
    import sellerops.health.measure as real

    stand_in = types.SimpleNamespace(now=[])
    monkeypatch.setattr(real, "measure", lambda session, now, windows=None: list(stand_in.now))
    monkeypatch.setattr(real, "history", lambda *args, **kw: [])
    return stand_in


def _events(prefix: str, since: dt.datetime, expected: int) -> list:
    """Events whose resource id starts with `prefix`, polled until `expected` arrived (the events
    client sends in the background) or half a minute passed."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventOccurredFilter, EventResourceFilter

    async def read():
        async with get_client() as c:
            page = await c.read_events(EventFilter(occurred=EventOccurredFilter(since=since),
                                                   resource=EventResourceFilter(id_prefix=[prefix])), limit=50)
            return page.events

    deadline = time.monotonic() + 30
    found = asyncio.run(read())
    while len(found) < expected and time.monotonic() < deadline:
        time.sleep(0.5)
        found = asyncio.run(read())
    time.sleep(1)  # and a moment more: an event too many must show too
    return asyncio.run(read())


def test_one_event_per_level_change_and_the_board(prefect_harness, measured):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.health import account_health_watch

    sku = f"SKU-{uuid.uuid4().hex[:6]}"  # the harness outlives the test: only this test's events count
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
    runs = []
    for at, cover in [(T0, "40"), (T0 + hours(1), "41"), (T0 + hours(2), "Infinity"), (T0 + hours(3), "20")]:
        measured.now = [m("inventory_turnover", sku, cover, at=at), m("odr", "ATVPDKIKX0DER/afn", "0.001", at=at)]
        state = account_health_watch(now=at, return_state=True)
        runs.append(state.result())
    # ok → warning, the same warning (no change, no event), warning → critical, critical → ok
    assert [r["changes"] for r in runs] == [1, 0, 1, 1] and [r["events"] for r in runs] == [1, 0, 1, 1]
    events = _events(f"sellerops.health.inventory_turnover.{sku}", since, expected=3)
    assert sorted(e.event for e in events) == sorted(["sellerops.health.inventory_turnover.warning",
                                                       "sellerops.health.inventory_turnover.critical",
                                                       "sellerops.health.inventory_turnover.ok"])
    critical = next(e for e in events if e.event.endswith(".critical"))
    assert critical.resource["sellerops.subject"] == sku
    assert critical.payload["procedure"] == "slow-mover-clearance" and critical.payload["from"] == "warning"

    async def artifacts():
        async with get_client() as c:
            return await c.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(
                any_=[state.state_details.flow_run_id])))

    got = {a.key: a.data for a in asyncio.run(artifacts())}  # the last run's: back to ok, its trend drawn
    assert f"| `inventory_turnover` | 🟢 ok | 1 | {sku}: 20 days | ≤ 35 days | ▇█∞▁ |" in got["account-health"]
    assert "| `odr` | 🟢 ok |" in got["account-health"] and "no open warning" in str(got["account-health-warnings"])


def test_the_clearance_flow_answers_the_critical_warning_end_to_end(prefect_harness, measured):
    from flows.health import account_health_watch, slow_mover_clearance
    from sellerops import decisions
    from sellerops.storage.engine import session

    measured.now = [m("inventory_turnover", "SKU-SLOW", "80", at=T0, on_hand=160, age_days=95)]
    account_health_watch(now=T0)
    done = slow_mover_clearance(sku="SKU-SLOW", now=T0)
    again = slow_mover_clearance(sku="SKU-SLOW", now=T0 + hours(1))  # a trigger firing twice records once
    assert (done["proposal"], done["markdown_percent"]) == ("markdown", 20) and again["decision"] == done["decision"]
    with session() as s:
        [d] = decisions.owed(s, procedure="account-health")
        assert d.id == done["decision"] and "approve a 20 % markdown for SKU-SLOW" in d.what


def test_the_triggers_are_the_actions_table():
    from prefect.events import DeploymentTriggerTypes
    from pydantic import TypeAdapter

    import flows.health as module

    started = {}
    for name, d in DEPLOYMENTS.items():
        for t in d.get("triggers", []):
            trigger = TypeAdapter(DeploymentTriggerTypes).validate_python(t)
            for event in trigger.expect:
                if event.startswith("sellerops.health."):
                    started[event] = (name, trigger)
    assert {e: n for e, (n, _) in started.items()} == {a.event: a.procedure for a in ACTIONS}
    for a in ACTIONS:
        name, trigger = started[a.event]
        flow = getattr(module, DEPLOYMENTS[name]["entrypoint"].split(":")[1])
        assert flow.name == a.procedure and trigger.for_each == {"prefect.resource.id"}
        assert trigger.match.get("prefect.resource.id") == ["sellerops.health.*"]
        assert a.parameter in trigger.parameters and trigger.parameters[a.parameter] == "{{ event.payload.subject }}"
        # what the trigger passes is what the flow takes, once rendered from an event's payload
        rendered = {k: {"{{ event.payload.subject }}": "X", "{{ event.payload.signal }}": a.signal,
                        "{{ event.payload.at }}": T0.isoformat()}[v] for k, v in trigger.parameters.items()}
        flow.validate_parameters(rendered)
    assert set(PROCEDURES) <= set(DEPLOYMENTS) and "account-health-watch" in DEPLOYMENTS
    [s] = DEPLOYMENTS["account-health-watch"]["schedules"]
    assert s["cron"] == "0 * * * *"


def test_every_answering_flow_runs_for_its_warning(prefect_harness, measured):
    from flows.health import (account_health_recheck, account_health_watch, keyword_task_list, supplier_switch,
                              warehouse_freeze)
    from sellerops import decisions
    from sellerops.health.procedures import frozen_locations
    from sellerops.storage.engine import session

    measured.now = [m("odr", "ATVPDKIKX0DER/afn", "0.02", at=T0), m("inventory_accuracy", "BIN-A", "0.9", at=T0),
                    m("supplier_lead_time", "Acme", "5", at=T0), m("ad_conversion", "kw", "0.01", at=T0, clicks=300)]
    assert account_health_watch(now=T0)["changes"] == 4
    assert account_health_recheck(signal="odr", subject="ATVPDKIKX0DER/afn", now=T0)["ads_paused"] is True
    assert warehouse_freeze(location="BIN-A", now=T0)["frozen"] is True
    assert supplier_switch(supplier="Acme", now=T0)["why"] == "no backup supplier on file"
    assert len(keyword_task_list(keyword="kw", now=T0)["tasks"]) == 3
    with session() as s:
        assert frozen_locations(s) == ["BIN-A"]
        assert sorted(d.subject for d in decisions.owed(s, procedure="account-health")) == [
            "odr ATVPDKIKX0DER/afn", "supplier_switch Acme", "warehouse_freeze BIN-A"]
