"""Storing a checked report: its typed rows into the tables, its report_file row, its frame-cache
copy — the database half of ingestion (sellerops.ingest).

One transaction per file, so a file is loaded whole or not at all (a crash mid-load leaves nothing
behind it, and the rerun loads it again). The frame-cache copies are written after the commit:
they are a cache (sellerops.storage.framecache), and a crash between the two only costs speed.
Rows go in through the bulk writer (sellerops.storage.bulk); on SQLite a settlement's lines go in
as one block (sellerops.storage.lineblocks).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sellerops.core.config import Settings, settings
from sellerops.ingest.outcome import DUPLICATE, LOADED, Outcome, now, record_file
from sellerops.ingest.prepare import Detected
from sellerops.reports.convert import hex_digests
from sellerops.reports.read import categories_of, distinct, spread
from sellerops.reports.settlement import REPORT_TYPE as SETTLEMENT
from sellerops.storage import framecache, lineblocks, tables
from sellerops.storage.bulk import bulk_insert, upsert
from sellerops.storage.engine import get_engine


def load(d: Detected, s: Settings | None = None) -> Outcome:
    """Store a checked and converted report (`prepare`'s typed rows) in one transaction; record its
    outcome. A file whose rows the database refuses raises (the decision quarantines it)."""
    s = s or settings()
    typed = d.typed
    if typed is None:  # read but not converted (the benchmark's load stage)
        from sellerops.ingest.quarantine import quarantine
        from sellerops.reports.convert import typed_frame

        typed, problems = typed_frame(d.raw, d.fmt, d.marketplace)
        if problems:
            return quarantine(d, [p.render(d.path) for p in problems], s)
    engine = get_engine(s.database_url)
    copies: list[tuple[Path, pd.DataFrame]] = []  # columnar copies, written once the rows are committed
    with engine.begin() as conn:
        if d.fmt.report_type == SETTLEMENT:
            outcome = _load_settlement(conn, s, d, typed, copies)
        else:
            outcome = _load_rows(conn, s, d, typed, copies)
    for path, frame in copies:
        framecache.write(path, frame)
    return outcome


def _copy(copies: list, s: Settings, d: Detected, table: str, fid: int, seen_at: dt.datetime,
          rows: pd.DataFrame) -> None:
    """Keep the rows just stored, shaped as the reconciliation reads them (sellerops.storage.framecache)."""
    if table in framecache.CACHED:
        copies.append((framecache.path_for(table, fid, d.sha256, seen_at, s), framecache.shape(table, rows)))


def _load_rows(conn, s: Settings, d: Detected, typed: pd.DataFrame, copies: list) -> Outcome:
    """Upsert a non-settlement report's rows on their natural key."""
    seen_at = now()
    fid = record_file(conn, s, d, LOADED, rows=len(typed), seen_at=seen_at)
    typed["account"] = _same(s.account, typed.index)
    typed["report_file_id"] = fid
    if "marketplace" not in typed:
        typed["marketplace"] = _row_marketplaces(d, typed)
    # a natural-key column a row may leave blank (an FBA return's license plate, a shipment-level
    # problem's SKU) is stored as "", never null: a null key would never match on the next upsert
    for col in sorted({c.field for c in d.fmt.columns if not c.key and c.field in d.fmt.natural_key}):
        if col in typed:
            typed[col] = _filled(typed[col], "")
    key = d.fmt.natural_key
    newer = "last_updated_date" if "last_updated_date" in typed else None
    typed = _newest_per_key(typed, key, newer)
    table = _model(d.fmt.table).__table__
    upsert(conn, table, typed[[c for c in typed.columns if c in table.c]], key, newer)
    _copy(copies, s, d, framecache.TABLE_OF.get(d.fmt.table, ""), fid, seen_at, typed)
    return Outcome(str(d.path), d.sha256, d.fmt.report_type, LOADED, rows=d.rows or len(d.raw.frame))


def _model(name: str):
    """A format's table class: in sellerops.storage.tables, or a procedure's own tables module."""
    from sellerops.storage import inbound, returns

    return getattr(tables, name, None) or getattr(returns, name, None) or getattr(inbound, name)


def _row_marketplaces(d: Detected, typed: pd.DataFrame) -> pd.Series:
    if "sales_channel" in typed:
        from sellerops.core.marketplaces import MARKETPLACES

        codes, channels = distinct(typed["sales_channel"])
        names = [MARKETPLACES[v.lower()].name if isinstance(v, str) and v.lower() in MARKETPLACES
                 else d.marketplace.name for v in channels]
        return pd.Series(spread(codes, names, d.marketplace.name), index=typed.index)
    return _same(d.marketplace.name, typed.index)


def _same(value: str, index: pd.Index) -> pd.Series:
    """`value` on every row of `index`, as a categorical of that one value."""
    return pd.Series(categories_of(np.zeros(len(index), dtype=np.int8), [value]), index=index)


def _filled(s: pd.Series, value: str) -> pd.Series:
    """Text with its blanks set to `value` (a categorical gains it as a category when needed)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        if not s.isna().any():
            return s
        if value not in s.cat.categories:
            s = s.cat.add_categories([value])
    return s.fillna(value)


def _newest_per_key(df: pd.DataFrame, key: tuple[str, ...], newer: str | None) -> pd.DataFrame:
    """One row per natural key within a file (PostgreSQL refuses to upsert one row twice)."""
    if not key:
        return df
    cols = [k for k in key if k in df.columns]
    if df["line_no"].is_monotonic_increasing and not df.duplicated(cols).any():
        return df  # the common file, in line order with one row a key: nothing to choose, no sort
    if newer:
        df = df.sort_values([newer, "line_no"], na_position="first", kind="stable")
    return df.drop_duplicates(cols, keep="last").sort_values("line_no", kind="stable")


def _load_settlement(conn, s: Settings, d: Detected, typed: pd.DataFrame, copies: list) -> Outcome:
    is_line = typed["total_amount_cents"].isna().to_numpy()
    at = int(np.argmin(is_line))  # the summary: the first row with a total (its file's second line)
    summary = typed.iloc[at] if not is_line[at] else typed[~is_line].iloc[0]  # none: raises as before
    sid = str(summary["settlement_id"])
    currency = "" if pd.isna(summary["currency"]) else str(summary["currency"])
    t = tables.Settlement.__table__
    existing = conn.execute(sa.select(t.c.report_file_id).where(t.c.account == s.account,
                                                                 t.c.settlement_id == sid)).first()
    if existing:
        rf = tables.ReportFile.__table__
        first = conn.execute(sa.select(rf.c.path).where(rf.c.id == existing[0])).scalar_one()
        reason = f"duplicate: settlement {sid} is already loaded from {first}"
        record_file(conn, s, d, DUPLICATE, reason=reason, settlement_id=sid, duplicate_of=existing[0])
        return Outcome(str(d.path), d.sha256, SETTLEMENT, DUPLICATE, reason=reason, settlement_id=sid)
    # every row but the summary, as a slice when the summary leads (no copy of a million lines: the
    # columns set below are new ones, and pandas copies on write)
    lines = typed.iloc[1:] if at == 0 and is_line[1:].all() else typed[is_line]
    seen_at = now()
    fid = record_file(conn, s, d, LOADED, rows=len(lines), settlement_id=sid, seen_at=seen_at)
    conn.execute(t.insert().values(
        account=s.account, marketplace=d.marketplace.name, settlement_id=sid,
        settlement_start_date=_py(summary["settlement_start_date"]),
        settlement_end_date=_py(summary["settlement_end_date"]), deposit_date=_py(summary["deposit_date"]),
        total_amount_cents=int(summary["total_amount_cents"]), currency=currency,
        report_file_id=fid, summary_line=int(summary["line_no"])))
    # the columns one value fills, as categoricals of it: a million copies of one string would be
    # compared or factorized again by every writer (the block, the frame copy)
    for col, value in (("account", s.account), ("marketplace", d.marketplace.name), ("settlement_id", sid)):
        lines[col] = _same(value, lines.index)
    lines["report_file_id"] = fid
    lines["currency"] = _filled(lines["currency"], currency)
    table = tables.SettlementLine.__table__
    lines = lines[[c for c in lines.columns if c in table.c]]
    if lineblocks.in_blocks(conn):
        lineblocks.write(conn, lines, s.account, sid, fid)
    else:  # a row keeps its digest as text
        bulk_insert(conn, table, lines.assign(raw_digest=hex_digests(lines["raw_digest"].to_numpy())))
    _copy(copies, s, d, "settlement_lines", fid, seen_at, lines)
    return Outcome(str(d.path), d.sha256, SETTLEMENT, LOADED, rows=len(lines), settlement_id=sid)


def _py(v):
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return v.to_pydatetime() if isinstance(v, pd.Timestamp) else v
