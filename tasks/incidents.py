"""Takedown and decision steps as Prefect tasks: thin wrappers over `sellerops.incidents.service`.

Every step reads or writes sellerops' database, so each retries on an operational database error
(a locked SQLite file, a dropped PostgreSQL connection); nothing else is retried. `wake_tier_run`
is the CLI's side of an answer: it resumes the tier's suspended or paused run with the answer it
recorded, so the UI and the command line never disagree.
"""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NONE

from sellerops.incidents import service
from tasks.ingest import _transient_db_error

DB = dict(retries=3, retry_delay_seconds=[1, 5, 15], retry_condition_fn=_transient_db_error, cache_policy=NONE,
          persist_result=False, tags=["io:database"])


@task(name="open-incident", **DB)
def open_incident(request: dict, run_id: str | None, chain_tail: list[str] | None) -> dict:
    """Open the listing's incident, or find the one already open."""
    return service.open_takedown(**request, run_id=run_id, chain_tail=chain_tail)


@task(name="tier-status", **DB)
def tier_status(incident: str, tier: int, run_id: str | None) -> dict:
    """Mark the tier waiting for its people and read where it stands."""
    return service.tier_status(incident, tier, run_id=run_id)


@task(name="record-tier-answer", **DB)
def record_tier_answer(incident: str, tier: int, form: dict) -> str:
    """Record the answer a person gave in the tier's form."""
    return service.record_form_answer(incident, tier, form)


@task(name="link-tier-run", **DB)
def link_tier_run(incident: str, tier: int, run_id: str) -> None:
    """Remember which flow run waits for the tier."""
    service.link_tier_run(incident, tier, run_id)


@task(name="incident-timeline", **DB)
def incident_timeline(incident: str) -> str:
    """The incident's timeline as markdown."""
    return service.timeline_markdown(incident)


@task(name="sweep-deadlines", **DB)
def sweep_deadlines(now: dt.datetime | None, notify_block: str | None) -> dict:
    """Breach and escalate every overdue decision once."""
    from blocks.escalation import EscalationPolicy

    return service.sweep_deadlines(now=now, notify=EscalationPolicy(notify_block=notify_block).notifier())


def wake_tier_run(run_id: str) -> bool:
    """Resume a tier's run waiting for input with the answer recorded for it; False when it was not waiting."""
    from uuid import UUID

    from prefect import get_client
    from prefect.flow_runs import resume_flow_run

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(run_id))
    if not (run.state and run.state.is_paused()):
        return False
    params = run.parameters or {}
    resume_flow_run(UUID(run_id), run_input=service.answered_form(params["incident"], int(params["tier"])))
    return True


@task(name="read-suppressed-listings", **DB)
def read_suppressed_listings(paths: list[str], marketplace: str, account: str) -> list[dict]:
    """The new takedown alerts in suppressed-listings reports (a listing already in an open incident is none)."""
    return service.suppressed_alerts(paths, marketplace, account)


@task(name="open-incident-listings", **DB)
def open_incident_listings(account: str) -> list[dict]:
    """The listings of the account's open incidents."""
    return service.open_listings(account)


@task(name="read-listing-status", tags=["io:network", "retries:client"], cache_policy=NONE, persist_result=False)
def read_listing_status(source, skus: list[str]) -> tuple[list[dict], dict[str, str]]:
    """Ask the Amazon source for the listing status of each SKU (the client retries throttling itself)."""
    return service.poll_listing_status(source, skus)


@task(name="close-reinstated-incidents", **DB)
def close_reinstated_incidents(account: str, records: list[dict]) -> list[dict]:
    """Close as reinstated each open incident whose listing reads BUYABLE again after an appeal or retraction."""
    return service.listing_status_seen(account, records)
