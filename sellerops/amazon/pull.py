"""Pull planning: what a pull asks Amazon for, where it resumes, and what it names the documents.

Pure decisions over a cursor's state and the clock, so they are tested without Amazon or Prefect;
`flows/pull.py` composes them with the source and the cursor store. A report type starts from
`--since`, else from its cursor, else a first-pull look-back; a report an interrupted pull requested
is resumed before new windows are requested; windows are split to the type's maximum span. A saved
document's name is deterministic, so the same report always lands in the same file and a settlement
already in the inbox is not downloaded again. The pull's summary (what was saved, ingested, what
failed) is data here, rendered as markdown for the run's artifact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sellerops.amazon.cursor import CursorState
from sellerops.amazon.source import (
    REQUESTABLE_REPORTS,
    SELLER_PERFORMANCE,
    SETTLEMENT,
    FetchedReport,
    ReportWindow,
    split_window,
)
from sellerops.core.marketplaces import SITE_BY_ID
from sellerops.core.report_types import ACTIONABLE_ORDERS, FULFILLED_SHIPMENTS

# Everything sellerops reads: the books, the buyers' keys the returns procedure needs (the actionable
# orders list a seller-fulfilled order's buyer only until it ships, so each pull takes them), and the
# account's health.
DEFAULT_REPORTS: tuple[str, ...] = (SETTLEMENT, *REQUESTABLE_REPORTS, ACTIONABLE_ORDERS, FULFILLED_SHIPMENTS,
                                    SELLER_PERFORMANCE)
# The report types ingestion reads once pulled; others (`--reports` of a type sellerops has no format for)
# are saved only.
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


def pull_start(report_type: str, cursor: CursorState, since: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """Where a report type's pull begins: `since` when given, else its cursor, else a first-pull look-back."""
    return since or cursor.last_end or now - FIRST_PULL_LOOKBACK.get(report_type, DEFAULT_LOOKBACK)


@dataclass(frozen=True)
class Resume:
    """A report an earlier, interrupted pull requested: poll it rather than request it again."""

    report_id: str
    window: ReportWindow


@dataclass(frozen=True)
class ReportPlan:
    """What one report type's pull does: resume at most one report, then request each window."""

    report_type: str
    start: dt.datetime
    resume: Resume | None = None
    windows: list[ReportWindow] = field(default_factory=list)


def plan_report(report_type: str, cursor: CursorState, since: dt.datetime | None, now: dt.datetime) -> ReportPlan:
    """The pull of one requestable report type from its cursor up to `now`."""
    start = pull_start(report_type, cursor, since, now)
    resume = None
    if cursor.pending_report_id and cursor.pending_start is not None and cursor.pending_end is not None:
        resume = Resume(cursor.pending_report_id, ReportWindow(cursor.pending_start, cursor.pending_end))
        if since is None:  # the resumed window is covered: new windows begin where it ends
            start = max(start, cursor.pending_end)
    return ReportPlan(report_type, start, resume, split_window(report_type, start, now))


def document_name(report: FetchedReport, marketplace: str) -> str:
    """A deterministic file name: the same report always lands in the same file."""
    span = ""
    if report.start is not None and report.end is not None:
        span = f"_{report.start:%Y%m%dT%H%M}_{report.end:%Y%m%dT%H%M}"
    suffix = ".json" if report.report_type == SELLER_PERFORMANCE else ".txt"
    return f"{report.report_type}_{marketplace}{span}_{report.report_id}{suffix}"


def document_bytes(report: FetchedReport, observed_at: dt.datetime, japanese: bool = False) -> bytes:
    """What the inbox holds of a fetched document: the seller performance report stamped with the
    pull's clock as its `observed_at` (the report's time), and a report naming buyers with each e-mail
    already its customer key and the other personal columns blank (sellerops.customers), so no buyer
    e-mail ever sits on disk in clear. Raises `Unscrubbable` rather than write one it cannot scrub."""
    from sellerops.customers import scrub
    from sellerops.reports.read import looks_japanese
    from sellerops.reports.seller_performance import with_observed_at

    data = report.read_bytes()
    if report.report_type == SELLER_PERFORMANCE:
        return with_observed_at(data, observed_at)
    return scrub(data, japanese or looks_japanese(data))


def already_saved(folder: Path, report_type: str, report_id: str) -> bool:
    """Whether a report of this id is in the inbox folder already, under any window or marketplace."""
    return any(folder.glob(f"{report_type}_*_{report_id}.txt"))


def site_of(report: FetchedReport, source_marketplace_ids: tuple[str, ...] | list[str]) -> str | None:
    """The marketplace site ingestion reads the document as: the report's own, else the account's first."""
    for ids in (report.marketplace_ids, source_marketplace_ids):
        site = next((SITE_BY_ID[m] for m in ids if m in SITE_BY_ID), None)
        if site is not None:
            return site
    return None


@dataclass(frozen=True)
class SavedDocument:
    """A document the pull wrote into the inbox, with the site ingestion should read it as."""

    path: Path
    site: str | None
    report_type: str


def ingestion_batches(saved: list[SavedDocument]) -> dict[str | None, list[Path]]:
    """The saved documents ingestion reads, grouped by site (one ingestion run per site), in saved order."""
    batches: dict[str | None, list[Path]] = defaultdict(list)
    for doc in saved:
        if doc.report_type in INGESTED_REPORTS:
            batches[doc.site].append(doc.path)
    return dict(batches)


# Keys of an ingestion outcome that `sellerops pull --format json` prints, in this order.
OUTCOME_KEYS = ("path", "sha256", "report_type", "status", "rows", "reason")


def pull_summary(account: str, saved: list[SavedDocument], ingested: list[dict], failures: dict[str, str]) -> dict:
    """What a pull did: the files saved, each ingested file's outcome, and each failed report type's reason."""
    return {
        "account": account,
        "files": [(str(d.path), d.report_type) for d in saved],
        "ingested": [{k: o.get(k) for k in OUTCOME_KEYS} for o in ingested],
        "failures": dict(failures),
    }


def summary_markdown(summary: dict[str, Any]) -> str:
    """The pull's summary as the run's markdown artifact."""
    lines = [f"# Pull of account `{summary['account']}`", "", "| file | report type |", "|---|---|"]
    lines += [f"| {Path(p).name} | {rt} |" for p, rt in summary["files"]]
    if summary["failures"]:
        lines += ["", "## Failed", ""] + [f"- **{rt}**: {why}" for rt, why in summary["failures"].items()]
    return "\n".join(lines)


def artifact_key(account: str) -> str:
    """The artifact key of an account's last pull (Prefect keys allow lowercase letters, digits, dashes)."""
    return "sellerops-pull-" + (re.sub(r"[^a-z0-9-]+", "-", account.lower()).strip("-") or "default")
