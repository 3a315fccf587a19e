"""Loading the account-health watch's inputs through `sellerops ingest`: the same per-file decision
(sellerops.ingest.decide) hands them here, as it hands saved SP-API responses to the inbound room.

The seller performance report (JSON) is read and checked against its contract
(sellerops.reports.seller_performance). The flat inputs — FBA manage inventory, the search-term
report, the seller's cycle counts and purchase orders — are detected by the one detection table
(sellerops.core.report_types), read (CSV or TSV, sellerops.reports.delimited), checked by their
Great Expectations checkpoint and converted exactly like Amazon's flat files; only where they are
stored differs (sellerops.storage.health). A bad file is quarantined with every problem named by
file, line and column; a good one is stored in one transaction with its report_file row. Reruns
never duplicate: the same content is a duplicate, and rows upsert on their natural keys (a later
file's purchase-order line or count replaces the earlier).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sellerops.core import report_types as rt
from sellerops.core.config import Settings

FLAT_INPUTS = frozenset({rt.MANAGE_INVENTORY, rt.SEARCH_TERMS, rt.CYCLE_COUNTS, rt.PURCHASE_ORDERS})


def input_type(head: bytes) -> str | None:
    """The watch's input type a file is (from its first bytes), or None when it is none of them."""
    from sellerops.reports.delimited import header_names
    from sellerops.reports.seller_performance import looks_like_performance_report

    if looks_like_performance_report(head):
        return rt.SELLER_PERFORMANCE
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return None
    report_type = rt.detect_type(header_names(head))
    return report_type if report_type in FLAT_INPUTS else None


@dataclass(frozen=True)
class _Kind:
    """What ingestion records as the report type of a file that has no flat-file format."""

    report_type: str


def ingest_input(path: Path, data: bytes, digest: str, s: Settings):
    """Record one input file: a duplicate of content seen before, quarantined with its problems, or
    loaded into its table."""
    from sellerops.core.marketplaces import marketplace
    from sellerops.ingest.decide import RUN_FAILURES, _refusal, duplicate_of
    from sellerops.ingest.outcome import content_seen
    from sellerops.ingest.prepare import Detected
    from sellerops.ingest.quarantine import quarantine

    report_type = input_type(data[:65536])
    kind = _Kind(report_type or rt.SELLER_PERFORMANCE)
    d = Detected(path, digest, None, kind, marketplace(s.marketplace))
    if (first := content_seen(digest)) is not None:
        return duplicate_of(d, first, s)
    try:
        if report_type == rt.SELLER_PERFORMANCE:
            problems, store = _performance(path, data)
        else:
            d, problems, store = _flat(d, data, s)
        if problems:
            return quarantine(d, problems, s)
        return _stored(d, s, store)
    except RUN_FAILURES:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a file's values cause quarantines only that file
        return quarantine(d, [_refusal(d, exc)], s)


def _stored(d, s: Settings, store):
    from sellerops.ingest.outcome import LOADED, Outcome, record_file
    from sellerops.storage.engine import get_engine

    with get_engine(s.database_url).begin() as conn:
        fid = record_file(conn, s, d, LOADED)
        rows = store(conn, s, fid)
        conn.execute(_report_file().update().where(_report_file().c.id == fid).values(rows=rows))
    return Outcome(str(d.path), d.sha256, d.fmt.report_type, LOADED, rows=rows)


def _report_file():
    from sellerops.storage.tables import ReportFile

    return ReportFile.__table__


# ---- the seller performance report --------------------------------------------------------------------

def _performance(path: Path, data: bytes):
    from sellerops.reports.seller_performance import PerformanceReportError, read_performance

    try:
        report = read_performance(path, data)
    except PerformanceReportError as exc:
        return [str(exc)], None

    def store(conn, s: Settings, fid: int) -> int:
        from sellerops.storage.health import PerformanceMetric

        if report.metrics:
            conn.execute(PerformanceMetric.__table__.insert(), [
                dict(account=s.account, marketplace_id=m.marketplace_id, metric=m.metric, channel=m.channel,
                     value=str(m.value), status=m.status, target=None if m.target is None else str(m.target),
                     reporting_from=m.reporting_from, reporting_to=m.reporting_to, report_at=report.report_at,
                     report_file_id=fid) for m in report.metrics])
        return len(report.metrics)

    return [], store


# ---- the flat inputs ----------------------------------------------------------------------------------

def _flat(d, data: bytes, s: Settings):
    """(the file as detected, its problems, how to store it): read, checkpoint, convert."""
    import dataclasses

    from sellerops.reports import FORMATS
    from sellerops.reports.convert import file_marketplace, typed_frame
    from sellerops.reports.delimited import read_delimited
    from sellerops.reports.read import ReportError
    from sellerops.reports.validate import run_checkpoint

    fmt = FORMATS[d.fmt.report_type]
    try:
        raw = read_delimited(d.path, data)
    except ReportError as exc:
        return dataclasses.replace(d, fmt=fmt), [str(exc)], None
    d = dataclasses.replace(d, raw=raw, fmt=fmt, marketplace=file_marketplace(raw, fmt, s.marketplace))
    if (why := _header_problem(fmt.report_type, raw.names)) is not None:
        return d, [f"{d.path}:1:{why[0]}: {why[1]}"], None
    _console_forms(raw, fmt)
    problems = [p.render(d.path) for p in run_checkpoint(raw, fmt, d.marketplace)]
    if problems:
        return d, problems, None
    typed, bad = typed_frame(raw, fmt, d.marketplace)
    if bad:
        return d, [p.render(d.path) for p in bad], None

    def store(conn, s: Settings, fid: int) -> int:
        return _store_flat(conn, s, fid, d, typed)

    return d, [], store


def _header_problem(report_type: str, names: list[str]) -> tuple[int, str] | None:
    """(column, reason) when the header itself rules the file out, before any value is checked."""
    from sellerops.reports import manage_inventory, search_terms

    if report_type == rt.SEARCH_TERMS:
        return search_terms.summary_problem(names)
    if report_type == rt.MANAGE_INVENTORY and (why := manage_inventory.on_hand_problem(names)):
        return 1, why
    return None


def _console_forms(raw, fmt) -> None:
    """The advertising console writes money like `$16.25` (the sign is not part of the amount) and
    may write a day as `Nov 20, 2026` (read as 2026-11-20; anything else is left to the checks)."""
    import datetime as dt

    from sellerops.reports.base import DATE, MONEY
    from sellerops.reports.search_terms import MONEY_SIGNS

    def month_named(v: str) -> str:
        try:
            return dt.datetime.strptime(v.strip(), "%b %d, %Y").date().isoformat()
        except ValueError:
            return v

    for c in fmt.columns:
        if c.name not in raw.frame:
            continue
        s = raw.frame[c.name].astype(object)
        if c.kind == MONEY:
            raw.frame[c.name] = s.where(s.isna(), s.astype(str).str.strip().str.replace(
                rf"^([+-]?)[{MONEY_SIGNS}]", r"\1", regex=True))
        elif c.kind == DATE and fmt.report_type == rt.SEARCH_TERMS:
            raw.frame[c.name] = s.map(lambda v: month_named(v) if isinstance(v, str) else v)


def _store_flat(conn, s: Settings, fid: int, d, typed: pd.DataFrame) -> int:
    from sellerops.storage import health
    from sellerops.storage.bulk import bulk_insert, upsert

    table = getattr(health, d.fmt.table).__table__
    typed = typed.copy()
    typed["account"] = s.account
    typed["report_file_id"] = fid
    if "marketplace" in table.c:
        typed["marketplace"] = d.marketplace.name
    if d.fmt.report_type == rt.SEARCH_TERMS and "currency" in typed:
        typed["currency"] = typed["currency"].astype(object).where(typed["currency"].notna(), d.marketplace.currency)
    key = list(d.fmt.natural_key)
    # one row per key within the file (a database refuses to upsert one row twice): the later line
    typed = typed.drop_duplicates([k for k in key if k in typed], keep="last")
    frame = typed[[c for c in typed.columns if c in table.c]]
    if "report_file_id" in key:  # a snapshot: each file's rows are its own
        bulk_insert(conn, table, frame)
    else:
        upsert(conn, table, frame, tuple(key))
    return len(frame)
