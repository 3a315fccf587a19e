"""Inbound tracker steps as Prefect tasks: thin wrappers over `sellerops.inbound`."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NONE
from prefect.events import emit_event

from sellerops.inbound import claims
from sellerops.inbound.store import TrackResult, claim_pack_data, track


@task(name="track-inbound-shipments", tags=["io:database"], retries=2, retry_delay_seconds=[2, 10], cache_policy=NONE, persist_result=False)
def track_shipments(now: dt.datetime, policy) -> TrackResult:
    """Record new node transitions, evaluate every shipment and store the findings (database I/O)."""
    return track(now=now, policy=policy)


@task(name="emit-node-events", tags=["io:network", "retries:client"], cache_policy=NONE, persist_result=False)
def emit_node_events(events: list[dict]) -> int:
    """Emit one Prefect event per node transition."""
    return sum(emit_event(**e) is not None for e in events)


@task(name="write-claim-packs", tags=["io:database"], retries=2, retry_delay_seconds=[2, 10], cache_policy=NONE, persist_result=False)
def claim_pack_markdown(finding_ids: list[str], policy) -> list[str]:
    """The claim pack of each open shortage, as markdown (reads the database)."""
    return [claims.markdown(claim_pack_data(f, policy)) for f in finding_ids]
