"""`sellerops-pull`: fetch everything new from Amazon since the last pull, and hand it to ingestion.

For one seller account (a `SellerAccount` block, or the environment when none is saved): list the
settlements Amazon generated since the settlement cursor and download the ones not yet in the inbox;
for every requestable report type, request each window since its cursor (split to the type's maximum
span), poll it, save the document under `SELLEROPS_HOME/inbox/spapi/<account>/` with a deterministic
name, and advance the cursor window by window. A report's id is recorded before it is polled, so a
crash resumes that report instead of requesting it again. A FATAL or stuck report stops its own type
only; the other types go on, the documents saved are ingested, and the run ends failed with each
report's reason. Composition only: the work is in `tasks/spapi.py` and `sellerops.amazon`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from blocks.seller_account import SellerAccount
from sellerops.amazon.source import (
    REQUESTABLE_REPORTS,
    SELLER_PERFORMANCE,
    SETTLEMENT,
    SITE_BY_MARKETPLACE_ID,
    FetchedReport,
    ReportFailed,
    ReportTimedOut,
    SourceError,
    split_window,
    utc,
)
from sellerops.amazon.cursor import CursorStore
from tasks import spapi as t

DEFAULT_REPORTS: tuple[str, ...] = (SETTLEMENT, *REQUESTABLE_REPORTS)
# The report types ingestion reads; others (the JSON seller performance report) are saved only.
INGESTED_REPORTS = frozenset(DEFAULT_REPORTS)
# How far back a first pull reaches when there is no cursor and no --since.
FIRST_PULL_LOOKBACK = {SETTLEMENT: dt.timedelta(days=90)}
DEFAULT_LOOKBACK = dt.timedelta(days=30)


class PullFailed(RuntimeError):
    """Some report types could not be pulled; `summary` still lists what was fetched and ingested."""

    def __init__(self, summary: dict[str, Any]) -> None:
        self.summary = summary
        reasons = "; ".join(f"{k}: {v}" for k, v in summary["failures"].items())
        super().__init__(f"pull of account {summary['account']!r} incomplete - {reasons}")


def document_name(report: FetchedReport, marketplace: str) -> str:
    """A deterministic file name: the same report always lands in the same file."""
    span = ""
    if report.start is not None and report.end is not None:
        span = f"_{report.start:%Y%m%dT%H%M}_{report.end:%Y%m%dT%H%M}"
    suffix = ".json" if report.report_type == SELLER_PERFORMANCE else ".txt"
    return f"{report.report_type}_{marketplace}{span}_{report.report_id}{suffix}"


def _site(marketplace_ids: tuple[str, ...] | list[str]) -> str | None:
    return next((SITE_BY_MARKETPLACE_ID[m] for m in marketplace_ids if m in SITE_BY_MARKETPLACE_ID), None)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "default"


def _pull_settlements(source, store, account, folder, since, now, saved, logger) -> None:
    state = store.get(account, SETTLEMENT)
    start = since or state.last_end or now - FIRST_PULL_LOOKBACK[SETTLEMENT]
    refs = t.list_settlements(source, start)
    logger.info("%s: %d settlement report(s) listed since %s", account, len(refs), f"{start:%Y-%m-%d %H:%M}")
    for ref in refs:
        if not any(folder.glob(f"{SETTLEMENT}_*_{ref.report_id}.txt")):
            report = t.fetch_settlement(source, ref)
            site = _site(report.marketplace_ids) or _site(source.marketplace_ids)
            path = t.save_document(report, folder, document_name(report, _marketplace_code(report, source)))
            saved.append((path, site, SETTLEMENT))
            logger.info("settlement %s saved as %s", ref.report_id, path.name)
        if ref.created_time is not None:
            store.advance(account, SETTLEMENT, ref.created_time, ref.report_id)


def _marketplace_code(report: FetchedReport, source) -> str:
    ids = report.marketplace_ids or tuple(source.marketplace_ids)
    for m in source.marketplaces:
        if m.marketplace_id in ids:
            return m.name
    return ids[0] if ids else "XX"


def _fetch_window(source, store, account, report_type, report_id, start, end, folder, saved, logger) -> None:
    try:
        report = t.await_report(source, report_type, report_id, start, end)
    except ReportFailed:
        store.clear_pending(account, report_type)  # a FATAL report stays FATAL: request afresh next time
        raise
    if report.has_data:
        path = t.save_document(report, folder, document_name(report, _marketplace_code(report, source)))
        saved.append((path, _site(report.marketplace_ids) or _site(source.marketplace_ids), report_type))
        logger.info("%s %s..%s saved as %s", report_type, f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}", path.name)
    else:
        logger.info("%s %s..%s: no data (CANCELLED)", report_type, f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}")
    store.advance(account, report_type, end, report_id)


def _pull_report_type(source, store, account, report_type, folder, since, now, saved, logger) -> None:
    state = store.get(account, report_type)
    start = since or state.last_end or now - FIRST_PULL_LOOKBACK.get(report_type, DEFAULT_LOOKBACK)
    if state.pending_report_id and state.pending_start is not None and state.pending_end is not None:
        # A report requested by an earlier, interrupted pull: finish it rather than request it again.
        logger.info("%s: resuming report %s from an interrupted pull", report_type, state.pending_report_id)
        _fetch_window(source, store, account, report_type, state.pending_report_id,
                      state.pending_start, state.pending_end, folder, saved, logger)  # fmt: skip
        if since is None:
            start = max(start, state.pending_end)
    windows = split_window(report_type, start, now)
    logger.info("%s: %d window(s) from %s", report_type, len(windows), f"{start:%Y-%m-%d %H:%M}")
    for window in windows:
        report_id = t.request_report(source, report_type, window.start, window.end)
        store.mark_pending(account, report_type, report_id, window.start, window.end)
        _fetch_window(source, store, account, report_type, report_id, window.start, window.end, folder, saved, logger)


def _pull_seller_performance(source, folder, saved) -> None:
    # No window and no cursor: the report is a snapshot of the account's health right now.
    report_id = t.request_report(source, SELLER_PERFORMANCE, None, None)
    report = t.await_report(source, SELLER_PERFORMANCE, report_id, None, None)
    if report.has_data:
        path = t.save_document(report, folder, document_name(report, _marketplace_code(report, source)))
        saved.append((path, None, SELLER_PERFORMANCE))


def _summary_markdown(summary: dict[str, Any]) -> str:
    lines = [f"# Pull of account `{summary['account']}`", "", "| file | report type |", "|---|---|"]
    lines += [f"| {Path(p).name} | {rt} |" for p, rt in summary["files"]]
    if summary["failures"]:
        lines += ["", "## Failed", ""] + [f"- **{rt}**: {why}" for rt, why in summary["failures"].items()]
    return "\n".join(lines)


@flow(
    name="sellerops-pull",
    description="Fetch every new Amazon report since the last pull through the Selling Partner API and ingest it.",
    log_prints=True,
)
def pull(account: str | None = None, since: dt.date | None = None, reports: list[str] | None = None) -> dict[str, Any]:
    """Pull everything new for one seller account; returns what was saved, ingested and what failed."""
    from sellerops.core.config import ensure_home, settings
    from sellerops.storage.engine import get_engine

    logger = get_run_logger()
    seller = SellerAccount.resolve(account)
    s = settings()
    ensure_home(s)
    folder = s.inbox / "spapi" / seller.name
    store = CursorStore(get_engine())
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    start = utc(since) if since is not None else None
    wanted = list(reports) if reports else list(DEFAULT_REPORTS)
    saved: list[tuple[Path, str | None, str]] = []
    failures: dict[str, str] = {}

    source = seller.source(pacer=t.PrefectPacer())
    try:
        for report_type in wanted:
            try:
                if report_type == SETTLEMENT:
                    _pull_settlements(source, store, seller.name, folder, start, now, saved, logger)
                elif report_type == SELLER_PERFORMANCE:
                    _pull_seller_performance(source, folder, saved)
                else:
                    _pull_report_type(source, store, seller.name, report_type, folder, start, now, saved, logger)
            except (SourceError, ValueError) as exc:
                failures[report_type] = str(exc)
                kind = "stuck" if isinstance(exc, ReportTimedOut) else "failed"
                logger.error("%s %s: %s", report_type, kind, exc)
    finally:
        source.close()

    outcomes: list[Any] = []
    by_site: dict[str | None, list[Path]] = defaultdict(list)
    for path, site, report_type in saved:
        if report_type in INGESTED_REPORTS:
            by_site[site].append(path)
    for site, paths in by_site.items():
        outcomes.extend(t.hand_to_ingestion(paths, site, seller.name))

    summary = {
        "account": seller.name,
        "files": [(str(p), rt) for p, _, rt in saved],
        "ingested": [o.as_json() if hasattr(o, "as_json") else o for o in outcomes],
        "failures": failures,
    }
    try:
        from prefect.artifacts import create_markdown_artifact

        create_markdown_artifact(markdown=_summary_markdown(summary), key=f"sellerops-pull-{_slug(seller.name)}",
                                 description="What the last pull fetched")  # fmt: skip
    except Exception as exc:  # an artifact is a courtesy: never fail a pull over it
        logger.debug("no artifact: %s", exc)
    if failures:
        raise PullFailed(summary)
    return summary
