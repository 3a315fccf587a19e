"""The fba-inbound-tracker flow once end to end under the Prefect test harness: transitions as
events, findings with their shipment id, and the three artifacts; a run with no new poll records
no transition."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from sellerops.findings import list_findings
from sellerops.ingest import ingest_paths
from tests.sellerops.inbound.conftest import T0, Polls

pytestmark = pytest.mark.usefixtures("prefect_harness")
KEYS = ["inbound-shipments", "inbound-shortages", "inbound-claim-packs"]


def days(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


async def _artifacts(state):
    """The artifacts the run of `state` published (the session's server holds other runs' under the same keys)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

    async with get_client() as c:
        return await c.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=KEYS), flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))


def test_the_tracker_end_to_end(tmp_path):
    from flows.inbound import fba_inbound_tracker

    polls = Polls(tmp_path)
    polls.shipments(days(0), ("FBA1", "SHIPPED"))
    polls.shipments(days(3), ("FBA1", "CHECKED_IN"))  # in_transit and delivered jumped over
    polls.shipments(days(6), ("FBA1", "CLOSED"))
    polls.items(days(6), "FBA1", ("S1", 10, 9))
    ingest_paths([tmp_path])
    state = fba_inbound_tracker(now=days(7), return_state=True)
    first = state.result()
    # shipped, in_transit and delivered (skipped), checked_in, receiving (skipped), closed: one event each
    assert (first["transitions"], first["events"]) == (6, 6)
    (f,) = [f for f in list_findings() if f["kind"] == "inbound_shortage"]
    assert f["shipment_id"] == "FBA1" and "DELIVERED was never observed" in f["detail"]
    got = {a.key: a.data for a in asyncio.run(_artifacts(state))}
    assert set(got) == set(KEYS)
    table = got["inbound-shipments"]
    assert "FBA1" in table and "checked_in" in table
    assert "| FBA1 | S1 |" in got["inbound-shortages"]
    assert "Missing inbound units: FBA1" in got["inbound-claim-packs"]
    state = fba_inbound_tracker(now=days(7.5), return_state=True)
    again = state.result()
    assert (again["transitions"], again["recomputed"]) == (0, False)
    # the same day, nothing new: the evaluation is skipped, said so; the node table is published again
    assert again["skipped"].startswith("no new data since the run as of")
    assert {a.key for a in asyncio.run(_artifacts(state))} == {"inbound-shipments"}
