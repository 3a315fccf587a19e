"""`sellerops-pull`: fetch everything new from Amazon since the last pull, and hand it to ingestion.

The SOP, step by step, for one seller account (a `SellerAccount` block, or the environment): list
the settlements Amazon generated since the settlement cursor and download the ones not yet in the
inbox; for every requestable report type, resume the report an interrupted pull left, then request
each window since its cursor, await it, save its document under `SELLEROPS_HOME/inbox/spapi/<account>/`
(a report naming buyers with their e-mails already customer keys) and advance the cursor; save the
seller performance report stamped with the pull's clock as its `observed_at`; save one poll of the FBA inbound calls as response files (named
`SPAPI_FBA_INBOUND` in `reports`; sellerops.inbound.pull); then ingest the saved documents with the
`ingest-reports` flow, exactly as a folder is ingested, where the inbound tracker reads them. A FATAL or stuck report stops its own type only; an unreachable Amazon stops the
pull at once. The run ends failed, with each report type's reason, when anything failed. Planning
(windows, resume, names) is `sellerops.amazon.pull`; the steps are the tasks of `tasks/spapi.py`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from blocks.seller_account import SellerAccount
from flows.ingest import ingest_reports
from flows.heartbeats import on_parents_heartbeat
from sellerops.amazon import pull as plan
from sellerops.amazon.pull import PullFailed, SavedDocument
from sellerops.amazon.source import (
    SELLER_PERFORMANCE,
    SETTLEMENT,
    AmazonSource,
    FetchedReport,
    ReportFailed,
    ReportStatus,
    ReportTimedOut,
    ReportWindow,
    SourceError,
    SourceUnreachable,
    utc,
)
from sellerops.inbound.pull import PULL_NAME as INBOUND
from sellerops.inbound.pull import saved_type
from tasks import spapi as t

__all__ = ["PullFailed", "pull"]


def pull_settlements(source: AmazonSource, account: str, folder: Path, since: dt.datetime | None,
                     now: dt.datetime) -> list[SavedDocument]:  # fmt: skip
    """Download the settlements listed since the cursor that the inbox does not hold yet."""
    logger = get_run_logger()
    start = plan.pull_start(SETTLEMENT, t.read_cursor(account, SETTLEMENT), since, now)
    refs = t.list_settlements(source, start)
    logger.info("%s: %d settlement report(s) listed since %s", account, len(refs), f"{start:%Y-%m-%d %H:%M}")
    saved = []
    for ref in refs:
        if not plan.already_saved(folder, SETTLEMENT, ref.report_id):
            saved.append(save(source, t.fetch_settlement(source, ref), folder, now))
        if ref.created_time is not None:
            t.advance_cursor(account, SETTLEMENT, ref.created_time, ref.report_id)
    return saved


def pull_window(source: AmazonSource, account: str, report_type: str, report_id: str, window: ReportWindow,
                folder: Path, now: dt.datetime) -> list[SavedDocument]:  # fmt: skip
    """Await one requested report, save its document (if Amazon had data) and advance the cursor past it."""
    try:
        report = t.await_report(source, report_type, report_id, window.start, window.end)
    except ReportFailed:
        t.clear_pending(account, report_type)  # a FATAL report stays FATAL: request afresh next time
        raise
    saved = [save(source, report, folder, now)] if report.has_data else []
    if not saved:
        get_run_logger().info("%s %s..%s: no data (CANCELLED)", report_type, f"{window.start:%Y-%m-%d}",
                              f"{window.end:%Y-%m-%d}")  # fmt: skip
    t.advance_cursor(account, report_type, window.end, report_id)
    return saved


def pull_report_type(source: AmazonSource, account: str, report_type: str, folder: Path,
                     since: dt.datetime | None, now: dt.datetime) -> list[SavedDocument]:  # fmt: skip
    """Resume the report an interrupted pull left, then request and save every new window."""
    todo = plan.plan_report(report_type, t.read_cursor(account, report_type), since, now)
    saved = []
    if todo.resume is not None:
        get_run_logger().info("%s: resuming report %s from an interrupted pull", report_type, todo.resume.report_id)
        saved += pull_window(source, account, report_type, todo.resume.report_id, todo.resume.window, folder, now)
    get_run_logger().info("%s: %d window(s) from %s", report_type, len(todo.windows), f"{todo.start:%Y-%m-%d %H:%M}")
    for window in todo.windows:
        report_id = t.request_report(source, report_type, window.start, window.end)
        t.mark_pending(account, report_type, report_id, window.start, window.end)
        saved += pull_window(source, account, report_type, report_id, window, folder, now)
    return saved


def pull_seller_performance(source: AmazonSource, folder: Path, now: dt.datetime) -> list[SavedDocument]:
    """Save a snapshot of the account's health now (no window, no cursor), observed at the pull's clock."""
    report_id = t.request_report(source, SELLER_PERFORMANCE, None, None)
    report = t.await_report(source, SELLER_PERFORMANCE, report_id, None, None)
    return [save(source, report, folder, now)] if report.has_data else []


def pull_inbound(source: AmazonSource, folder: Path, now: dt.datetime) -> list[SavedDocument]:
    """Save one poll of the FBA inbound calls (both API generations) as response files the tracker
    reads once they are ingested."""
    paths = t.save_inbound_responses(source, folder, now)
    get_run_logger().info("FBA inbound: %d response(s) saved", len(paths))
    site = plan.site_of(FetchedReport(INBOUND, "", ReportStatus.DONE), source.marketplace_ids)
    return [SavedDocument(p, site, saved_type(p)) for p in paths]


def save(source: AmazonSource, report, folder: Path, now: dt.datetime) -> SavedDocument:
    """Save a fetched document under its deterministic name (`now`: the pull's clock, its observed_at)."""
    from sellerops.core.marketplaces import marketplace

    site = plan.site_of(report, source.marketplace_ids)
    name = plan.document_name(report, source.marketplace_code(report.marketplace_ids))
    path = t.save_document(report, folder, name, now, japanese=site is not None and marketplace(site).japanese)
    get_run_logger().info("%s %s saved as %s", report.report_type, report.report_id, path.name)
    return SavedDocument(path, site, report.report_type)


@flow(
    name="sellerops-pull",
    description="Fetch every new Amazon report through the Selling Partner API since the last pull and ingest it.",
    log_prints=True,
)
def pull(account: str | None = None, since: dt.date | None = None, reports: list[str] | None = None) -> dict[str, Any]:
    """Pull everything new for one seller account; returns what was saved, ingested and what failed."""
    from sellerops.core.config import ensure_home, settings

    logger = get_run_logger()
    seller = SellerAccount.resolve(account)
    s = settings()
    ensure_home(s)
    folder = s.inbox / "spapi" / seller.name
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    start = utc(since) if since is not None else None
    saved: list[SavedDocument] = []
    failures: dict[str, str] = {}

    try:
        with t.connect(seller) as source:
            for report_type in reports or [*plan.DEFAULT_REPORTS, INBOUND]:
                try:
                    if report_type == INBOUND:
                        saved += pull_inbound(source, folder, now)
                    elif report_type == SETTLEMENT:
                        saved += pull_settlements(source, seller.name, folder, start, now)
                    elif report_type == SELLER_PERFORMANCE:
                        saved += pull_seller_performance(source, folder, now)
                    else:
                        saved += pull_report_type(source, seller.name, report_type, folder, start, now)
                except (SourceError, ValueError) as exc:
                    failures[report_type] = str(exc)
                    kind = "stuck" if isinstance(exc, ReportTimedOut) else "failed"
                    logger.error("%s %s: %s", report_type, kind, exc)
                    if isinstance(exc, SourceUnreachable):
                        break  # every other report type would fail the same way
    except SourceError as exc:  # the source itself could not be opened (a report folder that is gone)
        failures["source"] = str(exc)
        logger.error("%s", exc)

    ingested: list[dict] = []
    batches = plan.ingestion_batches(saved)
    for doc in saved:  # the inbound responses are ingested beside the reports, never a report type
        if doc.report_type.startswith(INBOUND):
            batches.setdefault(doc.site, []).append(doc.path)
    for site, paths in batches.items():
        with on_parents_heartbeat():
            ingested += ingest_reports(paths=[str(p) for p in paths], marketplace=site, account=seller.name)
    summary = plan.pull_summary(seller.name, saved, ingested, failures)
    t.publish_pull_summary(summary)
    if failures:
        raise PullFailed(summary)
    return summary
