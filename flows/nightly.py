"""`nightly-reconciliation`: ingest the inbox's new files → reconcile → publish to the board.

Scheduled at 02:30 seller time (prefect.yaml). Publishing makes the Prefect UI the team's board: a
markdown artifact with the money at stake by kind, what is new and resolved since the last run, the
ten largest findings and the settlements checked (`sellerops.reconciliation.summary`); a table
artifact of the open findings; a link to the night's Great Expectations Data Docs; and, when a
notification block is configured, an alert on new findings above the threshold. The rules it
applies: `sellerops.reconciliation.RULES`.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger
from prefect.states import Completed

from blocks.reconciliation import load_policy_block
from flows import reconcile_dask
from flows.ingest import ingest_reports
from flows.heartbeats import on_parents_heartbeat
from sellerops.core import helper
from sellerops.core.config import ensure_home, settings
from sellerops.reconciliation.runs import warm_up as reconciliation_warm_up
from sellerops.reconciliation.summary import night_summary
from tasks.board import notify_new_findings, publish_findings
from tasks.reconcile import read_findings, reconcile_settlements


@flow(name="nightly-reconciliation", log_prints=True, persist_result=False)
def nightly_reconciliation(as_of: dt.date | None = None, inbox: str | None = None, force: bool = False) -> dict:
    """Every cent Amazon owes: load the night's reports, reconcile what they can change, publish the
    findings. `force` recomputes every finding over all history (`sellerops reconcile --full`)."""
    started = dt.datetime.now(dt.timezone.utc)
    s = settings()
    ensure_home(s)
    # a big night's ingestion starts a worker process; the reconciliation then shares the rules with it
    with helper.night(warm=reconciliation_warm_up):
        with on_parents_heartbeat():
            files = ingest_reports(paths=[inbox or str(s.inbox)], new_only=True)
        fresh = [f for f in files if not f["known"]]
        quarantined = [f for f in fresh if f["status"] == "quarantined"]

        block = load_policy_block()
        # SELLEROPS_DASK / SELLEROPS_DASK_ADDRESS: the same reconciliation, partitioned on a Dask cluster.
        outcome = (reconcile_dask.reconcile(as_of, block.policy(), force)
                   or reconcile_settlements(as_of=as_of, policy=block.policy(), force=force))
    if outcome.skipped:
        get_run_logger().info("No new report since the last run: findings unchanged (%d open).", outcome.open)
    elif not outcome.full:
        get_run_logger().info("Judged what changed since the last run: %d settlements, %d orders.",
                              outcome.settlements_checked, outcome.judged_orders)
    else:
        get_run_logger().info("Recomputed every finding (%s).", outcome.why_full or "full run")

    # open and expired findings are the same stored rows (expiry is judged by today's date): one read
    current = read_findings(status=["open", "expired"])
    open_findings = [f for f in current if f["status"] == "open"]
    summary = night_summary(outcome, open_findings, len(fresh), quarantined=quarantined,
                            expired=[f for f in current if f["status"] == "expired"])
    publish_findings(summary, open_findings, started)
    if block.notify_block and (summary.quarantined or summary.worth_alert(block.notify_threshold)):
        notify_new_findings(block.notify_block, summary.headline,
                            subject="sellerops: files quarantined tonight" if summary.quarantined else
                            "sellerops: new reconciliation findings")
    # A night that quarantined a file is not a plain green run: its state says so on the board.
    return Completed(name=summary.state_name, message=summary.headline, data=summary.as_dict())
