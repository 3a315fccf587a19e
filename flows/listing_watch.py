"""The `listing-watch` flow: every 15 minutes, suppressed listings become `sellerops.listing.suppressed`
events, and open incidents whose listing is buyable again close.

It reads the suppressed-listings reports dropped in the inbox (sellerops.incidents.watch) and emits
one event per listing not already in an open incident, the listing as its resource and the
takedown request as its payload; a trigger in prefect.yaml starts `listing-takedown` for each. The
incident is opened once per listing, so two alerts for one listing make one incident.

Then it asks the account's Amazon source (`listing_status`: the SP-API's Listings Items, or a folder
of saved responses) for the listings of the open incidents: one read BUYABLE again after an appeal
or a retraction closes its incident as reinstated, and the tier runs still waiting for it end.
A listing missing from a later report proves nothing, so only this poll closes an incident. With
no Amazon account configured the poll is skipped and said so.
"""

from __future__ import annotations

from typing import Optional

from prefect import flow, get_run_logger
from prefect.events import emit_event

from sellerops.core.config import ensure_home, settings
from sellerops.incidents.watch import EVENT
from tasks.incidents import (close_reinstated_incidents, open_incident_listings, read_listing_status,
                             read_suppressed_listings, wake_tier_run)


@flow(name="listing-watch", log_prints=True, persist_result=False)
def listing_watch(paths: Optional[list[str]] = None, marketplace: Optional[str] = None,
                  account: Optional[str] = None) -> list[dict]:
    """Emit a takedown alert for each suppressed listing in the reports under `paths` (default: the inbox),
    then close the incidents whose listing a status poll reads BUYABLE again after an appeal or retraction."""
    s = settings()
    if not paths:
        ensure_home(s)
    account = account or s.account
    alerts = read_suppressed_listings(paths or [str(s.inbox)], marketplace or s.marketplace, account)
    for a in alerts:
        emit_event(event=EVENT, resource=a["resource"], payload={"request": a["request"], "source": a["source"]})
    get_run_logger().info("%d suppressed listing(s) alerted", len(alerts))
    poll_open_incidents(account)
    return alerts


def poll_open_incidents(account: str) -> list[dict]:
    """Ask Amazon the status of every open incident's listing and close the reinstated ones."""
    from blocks.seller_account import MissingAccount, SellerAccount
    from sellerops.amazon.source import SourceError
    from tasks.spapi import connect

    logger = get_run_logger()
    listings = open_incident_listings(account)
    if not listings:
        return []
    try:
        seller = SellerAccount.resolve(account)
        with connect(seller) as source:
            records, failed = read_listing_status(source, sorted({x["sku"] for x in listings}))
    except MissingAccount as exc:
        logger.info("listing status not polled: %s", exc)
        return []
    except SourceError as exc:
        logger.error("listing status not polled: %s", exc)
        return []
    for sku, why in failed.items():
        logger.error("listing status of %s not read: %s", sku, why)
    closed = close_reinstated_incidents(account, records)
    for c in closed:
        logger.info("%s closed: reinstated (%s BUYABLE again on %s)", c["incident"], c["sku"], c["marketplace"])
        for run_id in c["waiting_runs"]:
            _wake(run_id)
    return closed


def _wake(run_id: str) -> None:
    """A tier run still waiting for its closed incident: resumed, it reads that and ends."""
    try:
        wake_tier_run(run_id)
    except Exception as exc:  # a run already gone from the server has nothing to wake
        get_run_logger().info("tier run %s not woken: %s", run_id, exc)
