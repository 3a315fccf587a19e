"""A level-change event on the board `make up` starts: the trigger from prefect.yaml starts the
slow-mover clearance deployment through the worker, and the flow records its proposal and its
decision in the worker's database."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from decimal import Decimal

import pytest

pytestmark = pytest.mark.slow
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def _worker_db(board) -> str:
    return board.sellerops_db_url or f"sqlite:///{board.tmp / 'worker-home' / 'sellerops.db'}"


def _critical_cover(url: str, sku: str):
    """The watch's side, written straight into the worker's database: SKU's cover judged critical."""
    from sellerops.health.levels import Thresholds
    from sellerops.health.service import event, record
    from sellerops.health.watch import judge
    from sellerops.storage.engine import session
    from tests.sellerops.health.helpers import m

    with session(url) as s:
        [change] = record(s, judge([m("inventory_turnover", sku, "Infinity", on_hand=30)], {}, Thresholds()), T0)
        s.commit()
    return event(change)


async def _emit(e: dict) -> None:
    from prefect.events import Event
    from prefect.events.clients import get_events_client

    async with get_events_client() as client:
        await client.emit(Event(**e))


async def _clearance_runs() -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    async with get_client() as c:
        return await c.read_flow_runs(
            deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["slow-mover-clearance"])))


def test_a_critical_cover_event_starts_the_clearance_flow(board):
    from sqlmodel import select

    from sellerops.storage.engine import session
    from sellerops.storage.health_watch import ClearanceProposal
    from sellerops.storage.people import Decision

    url = _worker_db(board)
    sku = f"SKU-SLOW-{int(time.time())}"
    e = _critical_cover(url, sku)
    assert e["event"] == "sellerops.health.inventory_turnover.critical"
    with board.client_settings():
        before = {r.id for r in asyncio.run(_clearance_runs())}
        asyncio.run(_emit(e))
        deadline, runs = time.monotonic() + 300, []
        while time.monotonic() < deadline:
            runs = [r for r in asyncio.run(_clearance_runs()) if r.id not in before]
            if runs and all(r.state and r.state.is_final() for r in runs):
                break
            time.sleep(2)
    assert len(runs) == 1, runs
    [r] = runs
    assert r.state.is_completed(), r.state
    assert r.parameters["sku"] == sku
    with session(url) as s:
        [p] = s.exec(select(ClearanceProposal).where(ClearanceProposal.sku == sku)).all()
        assert (p.proposal, p.days_of_cover, p.on_hand) == ("removal", "Infinity", 30)
        d = s.get(Decision, p.decision_id)
        assert d.procedure == "account-health" and d.state == "waiting_input" and sku in d.what
    assert Decimal(e["payload"]["value"]).is_infinite()
