"""The listing-takedown SOP: `listing-takedown` opens the incident, each tier waits for its people
in an `incident-tier` run of its own, and `incident-deadline-sweeper` enforces the deadlines.

Prefect lets a run wait for one input at a time, so each tier is its own run. On a server the
takedown starts the three as runs of the `incident-tier` deployment (`as_subflow=False`) and ends
at once; each suspends while it waits, so no worker is held, and a worker restart loses nothing.
Without a deployment (a local run, the test harness) the tiers run side by side as subflows that
pause in place. The suspension or pause has no deadline of its own — a run whose pause times out
is failed by Prefect — so deadlines live in sellerops' tables and the sweeper enforces them. An
answer given on the command line is recorded there and wakes the tier's run; the run reads it.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, Optional

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.input import RunInput
from pydantic import BaseModel, Field

from flows.people import this_run, wait_for_answer
from sellerops.core.config import settings
from tasks.incidents import (incident_timeline, link_tier_run, open_incident, record_tier_answer, sweep_deadlines,
                             tier_status)

TIER_DEPLOYMENT = "incident-tier/incident-tier"


class TakedownRequest(BaseModel):
    """A listing taken down, as the UI's custom-run form and the CLI describe it."""

    sku: str = Field(description="The seller SKU taken down.")
    asin: Optional[str] = Field(default=None, description="Its ASIN.")
    marketplace: str = Field(default="Amazon.com", description="e.g. Amazon.com, Amazon.de.")
    reason: str = Field(description="What Amazon said: IP complaint, authenticity or safety claim.")
    complaint_id: Optional[str] = None
    rights_owner: Optional[str] = None
    account: Optional[str] = Field(default=None, description="Seller account (default: SELLEROPS_ACCOUNT).")
    poa_hours: float = Field(default=48.0, ge=0, description="Tier 1: hours to file the Plan of Action.")
    legal_hours: float = Field(default=72.0, ge=0, description="Tier 2: hours for legal's review.")
    backup_hours: float = Field(default=4.0, ge=0, description="Tier 3: hours to launch the backup listing.")
    escalate_every_hours: float = Field(default=24.0, gt=0, description="One escalation step more each this often.")


class PoaApproval(RunInput):
    """Tier 1: approve the Plan of Action (edit the draft first if needed)."""

    approve: bool = Field(default=False, description="Approve this POA.")
    poa_markdown: str = Field(default="", description="The POA as markdown.")
    by: Optional[str] = Field(default=None, description="Your name.")


class LegalReview(RunInput):
    """Tier 2: legal's review of the complaint."""

    decision: Literal["appeal", "retraction", "accept_removal"]
    complaint_valid: Optional[Literal["yes", "no"]] = None
    evidence_complete: Optional[Literal["yes", "no"]] = None
    by: Optional[str] = Field(default=None, description="Your name.")


class BackupLaunch(RunInput):
    """Tier 3: confirm the backup listing launched (or name another)."""

    confirm: bool = Field(default=False, description="The backup listing is live.")
    backup_sku: Optional[str] = Field(default=None, description="The backup SKU launched.")
    by: Optional[str] = Field(default=None, description="Your name.")


FORMS = {1: PoaApproval, 2: LegalReview, 3: BackupLaunch}


def _hours(request: TakedownRequest):
    from sellerops.incidents import Hours

    return Hours(poa=request.poa_hours, legal=request.legal_hours, backup=request.backup_hours,
                 escalate_every=request.escalate_every_hours)


@flow(name="listing-takedown", log_prints=True, persist_result=False)
def listing_takedown(request: TakedownRequest) -> dict:
    """A listing was taken down: open its incident (one per listing) and set its three tiers waiting."""
    from blocks.escalation import load_escalation_policy

    run_id, deployed = this_run()
    fields = request.model_dump(exclude={"poa_hours", "legal_hours", "backup_hours", "escalate_every_hours"})
    fields["account"] = fields["account"] or settings().account
    opened = open_incident({**fields, "hours": _hours(request)}, run_id, load_escalation_policy().chain)
    incident = opened["incident"]
    get_run_logger().info("%s %s", incident, "opened" if opened["created"] else "already open")
    idle = [n for n, t in opened["tiers"].items() if t["state"] != "done" and not t["run_id"]]
    if deployed:
        _start_tier_runs(incident, idle)
    elif idle:
        _run_tiers_here(incident, idle)
    create_markdown_artifact(key=_artifact_key(incident), markdown=incident_timeline(incident),
                             description=f"{incident}: tiers and timeline")
    return {"incident": incident, "created": opened["created"]}


def _start_tier_runs(incident: str, tiers: list[int]) -> None:
    from prefect.deployments import run_deployment

    for n in tiers:
        run = run_deployment(TIER_DEPLOYMENT, parameters={"incident": incident, "tier": n}, timeout=0,
                             as_subflow=False, tags=[incident])
        link_tier_run(incident, n, str(run.id))


def _run_tiers_here(incident: str, tiers: list[int]) -> None:
    """The tiers side by side as subflows, each pausing in place (no deployment to suspend)."""
    with ThreadPoolExecutor(max_workers=len(tiers), thread_name_prefix="tier") as pool:
        futures = [pool.submit(contextvars.copy_context().run, incident_tier, incident, n) for n in tiers]
        for f in futures:
            f.result()


def _artifact_key(incident: str) -> str:
    return f"{incident.lower()}-timeline"


@flow(name="incident-tier", log_prints=True, persist_result=True)
def incident_tier(incident: str, tier: int) -> str:
    """One tier of a takedown waiting for its people: done when answered here or on the command line."""
    run_id, _ = this_run()
    attempt = 0
    while True:
        status = tier_status(incident, tier, run_id)
        if status["settled"]:
            break
        form = FORMS[tier].with_initial_data(
            description=f"{incident} tier {tier}: answer by {status['deadline']}", **status["initial"])
        answer = wait_for_answer(form, key=f"answer-{attempt}")
        got = record_tier_answer(incident, tier, answer.model_dump())
        get_run_logger().info("%s tier %s: %s", incident, tier, got)
        attempt += 1
    create_markdown_artifact(key=_artifact_key(incident), markdown=incident_timeline(incident),
                             description=f"{incident}: tiers and timeline")
    return status["state"] if status["incident_status"] == "open" else "closed"


@flow(name="incident-deadline-sweeper", log_prints=True, persist_result=False)
def incident_deadline_sweeper(now: Optional[dt.datetime] = None) -> dict:
    """Enforce every deadline a person owes: breach what is overdue, escalate one step per interval."""
    from blocks.escalation import load_escalation_policy

    swept = sweep_deadlines(now, load_escalation_policy().notify_block)
    for e in swept["escalations"]:
        print(f"{e['subject']}: escalated to {e['role']} (step {e['step']}, "
              f"{'notified' if e['notified'] else 'not notified'})")
    return swept
