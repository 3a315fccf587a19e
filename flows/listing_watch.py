"""The `listing-watch` flow: every 15 minutes, suppressed listings become `sellerops.listing.suppressed` events.

It reads the suppressed-listings reports dropped in the inbox (sellerops.incidents.watch) and emits
one event per listing not already in an open incident, the listing as its resource and the
takedown request as its payload; a trigger in prefect.yaml starts `listing-takedown` for each. The
incident is opened once per listing, so two alerts for one listing make one incident.
"""

from __future__ import annotations

from typing import Optional

from prefect import flow, get_run_logger
from prefect.events import emit_event

from sellerops.core.config import ensure_home, settings
from sellerops.incidents.watch import EVENT
from tasks.incidents import read_suppressed_listings


@flow(name="listing-watch", log_prints=True, persist_result=False)
def listing_watch(paths: Optional[list[str]] = None, marketplace: Optional[str] = None,
                  account: Optional[str] = None) -> list[dict]:
    """Emit a takedown alert for each suppressed listing in the reports under `paths` (default: the inbox)."""
    s = settings()
    if not paths:
        ensure_home(s)
    alerts = read_suppressed_listings(paths or [str(s.inbox)], marketplace or s.marketplace, account or s.account)
    for a in alerts:
        emit_event(event=EVENT, resource=a["resource"], payload={"request": a["request"], "source": a["source"]})
    get_run_logger().info("%d suppressed listing(s) alerted", len(alerts))
    return alerts
