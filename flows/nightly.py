"""`nightly-reconciliation`: ingest the inbox's new files → reconcile → publish to the board.

Scheduled at 02:30 seller time (prefect.yaml). Publishing makes the Prefect UI the team's board: a
markdown artifact with the money at stake by kind, what is new and resolved since the last run, the
ten largest findings and the settlements checked; a table artifact of the open findings; a link to
the night's Great Expectations Data Docs; and, when a notification block is configured, an alert on
new findings above the threshold.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE

from blocks.reconciliation import load_policy_block
from flows import reconcile_dask
from flows.ingest import ingest_reports
from sellerops.core.config import ensure_home, settings
from sellerops.findings import ReconcileOutcome, at_stake_by_kind
from tasks.reconcile import read_findings, reconcile_settlements


@flow(name="nightly-reconciliation", log_prints=True, persist_result=False)
def nightly_reconciliation(as_of: dt.date | None = None, inbox: str | None = None, force: bool = False) -> dict:
    """Every cent Amazon owes: load the night's reports, reconcile them, publish the findings."""
    log = get_run_logger()
    started = dt.datetime.now(dt.timezone.utc)
    s = settings()
    ensure_home(s)
    files = ingest_reports(paths=[inbox or str(s.inbox)], new_only=True)
    fresh = [f for f in files if not f["known"]]
    block = load_policy_block()
    # SELLEROPS_DASK / SELLEROPS_DASK_ADDRESS: the same reconciliation, partitioned on a Dask cluster.
    outcome = (reconcile_dask.reconcile(as_of, block.policy(), force)
               or reconcile_settlements(as_of=as_of, policy=block.policy(), force=force))
    if outcome.skipped:
        log.info("No new report since the last run: findings unchanged (%d open).", outcome.open)
    summary = publish(outcome, fresh, block.notify_block, block.notify_threshold, started)
    return summary


@task(name="publish-findings", cache_policy=NONE, persist_result=False)
def publish(outcome: ReconcileOutcome, fresh: list[dict], notify_block: str | None,
            notify_threshold: Decimal, started: dt.datetime | None = None) -> dict:
    """Artifacts for the board, and a notification when new findings are worth one."""
    open_ = read_findings.fn(status="open")
    new = [f for f in open_ if f["id"] in set(outcome.new) | set(outcome.reopened)]
    summary = board_summary(outcome, open_, new, fresh)
    create_markdown_artifact(key="reconciliation-summary", markdown=summary["markdown"],
                             description="Money at stake and what changed since the last run")
    create_table_artifact(key="open-findings", table=[_row(f) for f in open_],
                          description="Open reconciliation findings")
    docs = _tonights_docs(started)
    if docs:
        create_link_artifact(key="data-docs", link=docs, link_text="Great Expectations Data Docs",
                             description="Tonight's validation results")
    at_stake_new = sum((Decimal(f["amount"]) for f in new), Decimal("0"))
    if notify_block and new and at_stake_new >= notify_threshold:
        _notify(notify_block, summary["headline"])
    return {k: v for k, v in summary.items() if k != "markdown"}


def _tonights_docs(started: dt.datetime | None) -> str | None:
    """The Data Docs address when tonight's checks wrote them: in this process (built now) or in
    the ingestion's worker process (already built, so newer than the run's start)."""
    from sellerops.reports.validate import build_docs, docs_dir, docs_url

    built = build_docs()
    if built:
        return built
    index = docs_dir() / "index.html"
    if started is not None and index.exists() and index.stat().st_mtime >= started.timestamp():
        return docs_url()
    return None


def _row(f: dict) -> dict:
    return {k: f[k] for k in ("kind", "settlement_id", "order_id", "sku", "amount", "currency", "detail",
                              "claim_window_closes", "first_seen")}


def board_summary(outcome: ReconcileOutcome, open_: list[dict], new: list[dict], fresh: list[dict]) -> dict:
    by_kind = at_stake_by_kind(open_)
    totals: dict[str, Decimal] = {}
    for (_, cur), (_, amount) in by_kind.items():
        totals[cur] = totals.get(cur, Decimal("0")) + amount
    money = ", ".join(f"{v} {c}" for c, v in sorted(totals.items())) or "0.00"
    headline = f"{len(open_)} open findings, {money} at stake; {len(new)} new, {len(outcome.resolved)} resolved"
    md = ["# Nightly reconciliation", "", f"**{headline}**", ""]
    if outcome.skipped:
        md += ["_No new report arrived since the last run: nothing was recomputed._", ""]
    md += ["## Money at stake by kind", "", "| kind | currency | findings | amount |", "|---|---|---:|---:|"]
    for (kind, cur), (n, amount) in by_kind.items():
        md.append(f"| {kind} | {cur} | {n} | {amount} |")
    md += ["", "## Ten largest open findings", "", "| kind | subject | amount | detail |", "|---|---|---:|---|"]
    for f in sorted(open_, key=lambda f: Decimal(f["amount"]), reverse=True)[:10]:
        subject = " / ".join(x for x in (f["settlement_id"], f["order_id"], f["sku"]) if x)
        md.append(f"| {f['kind']} | {subject} | {f['amount']} {f['currency']} | {f['detail'].replace('|', '/')} |")
    md += ["", f"New since the last run: {len(new)}; resolved: {len(outcome.resolved)}; "
               f"reopened: {len(outcome.reopened)}.", "",
           f"Settlements checked: {outcome.settlements_checked}; as of: "
           + (", ".join(f"{k} {v}" for k, v in outcome.as_of.items()) or "unchanged"),
           "", f"Report files new tonight: {len(fresh)}"]
    return {"headline": headline, "markdown": "\n".join(md) + "\n", "open": len(open_), "new": len(new),
            "resolved": len(outcome.resolved), "at_stake": {c: str(v) for c, v in totals.items()},
            "skipped": outcome.skipped}


def _notify(block_name: str, message: str) -> None:
    from prefect.blocks.notifications import NotificationBlock

    from prefect.blocks.core import Block

    try:
        # NotificationBlock.load looks in the abstract "notification-block" type, where no saved block
        # lives: a name "<type-slug>/<name>" (e.g. "slack-webhook/alerts") loads the real one.
        block = Block.load(block_name) if "/" in block_name else NotificationBlock.load(block_name)
    except (ValueError, KeyError):
        get_run_logger().warning("notification block %r not found: no alert sent", block_name)
        return
    block.notify(body=message, subject="sellerops: new reconciliation findings")
