"""Report ingestion, step by step: discover → read & detect → validate (checkpoint) → load.

Pure Python over the database; `tasks/ingest.py` wraps each step as a Prefect task and
`flows/ingest.py` composes them. A file's first outcome is kept: the same (path, sha256) offered
again adds nothing. The same content under another name, or a settlement id already loaded, is a
duplicate and loads nothing. A file that fails is copied into quarantine/ with `<name>.reason.json`,
while every good file still loads. sellerops never moves, changes or deletes a user's file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import select

from sellerops.storage import framecache, tables
from sellerops.core.config import Settings, ensure_home, settings
from sellerops.storage.engine import get_engine, session
from sellerops.reports import FORMATS, detect
from sellerops.reports.base import ReportFormat
from sellerops.core.marketplaces import Marketplace, marketplace
from sellerops.reports.read import RawReport, ReportError, distinct, read_report, sha256_of, spread
from sellerops.reports.settlement import REPORT_TYPE as SETTLEMENT

LOADED, DUPLICATE, QUARANTINED = "loaded", "duplicate", "quarantined"


@dataclass
class Outcome:
    """What became of one file. `known` marks a (path, sha256) seen before: nothing was recorded."""

    path: str
    sha256: str
    report_type: str | None
    status: str
    rows: int = 0
    reason: str | None = None
    settlement_id: str | None = None
    known: bool = False
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {k: getattr(self, k) for k in ("path", "sha256", "report_type", "status", "rows", "reason")}


class PathError(Exception):
    """A path given on the command line that does not exist or cannot be read."""


def discover(paths: list[Path], s: Settings | None = None) -> list[Path]:
    """The files under `paths`, in a stable order. Hidden files are skipped, and so is
    SELLEROPS_HOME when a folder around it is walked; a path inside it (the inbox) is walked, less
    sellerops' own folders (quarantine, Data Docs, the frame cache)."""
    s = s or settings()
    home = s.home.resolve()
    own = {home / "quarantine", home / "gx", home / "cache"}
    found: list[Path] = []
    for p in paths:
        p = Path(p).expanduser()
        if not p.exists():
            raise PathError(f"{p}: no such file or folder")
        p = p.resolve()
        if p.is_file():
            found.append(p)
            continue
        skip = own if (p == home or home in p.parents) else {home}
        for root, dirs, files in os.walk(p):
            r = Path(root)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (r / d).resolve() not in skip)
            found += [r / f for f in sorted(files) if not f.startswith(".") and not (r == home and p == home)]
    seen, out = set(), []
    for f in found:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


# ---- step 1: read and detect -------------------------------------------------------------------

@dataclass
class Detected:
    path: Path
    sha256: str
    raw: RawReport | None
    fmt: ReportFormat | None
    marketplace: Marketplace | None
    error: str | None = None
    # set by `prepare`: the checkpoint's problems and the typed rows (the raw frame is then dropped)
    problems: list[str] | None = None
    typed: pd.DataFrame | None = None
    rows: int = 0


def read_and_detect(path: Path, default_marketplace: str, data: bytes | None = None,
                    digest: str | None = None) -> Detected:
    """Read the bytes (unless given, with their digest), decode, split and name the report type."""
    from sellerops.reports.convert import file_marketplace

    data = path.read_bytes() if data is None else data
    digest = digest or sha256_of(data)
    japanese = marketplace(default_marketplace).japanese
    try:
        raw = read_report(path, data, japanese_default=japanese)
    except ReportError as exc:
        return Detected(path, digest, None, None, None, str(exc))
    fmt = detect(raw.header)
    if fmt is None:
        shown = ", ".join(raw.header[:8]) + (" …" if len(raw.header) > 8 else "")
        return Detected(path, digest, raw, None, None,
                        f"{path}:1:1: unknown report type: the header ({shown}) matches no report sellerops reads")
    return Detected(path, digest, raw, fmt, file_marketplace(raw, fmt, default_marketplace))


def known_outcome(path: Path, digest: str) -> tables.ReportFile | None:
    with session() as s:
        return s.exec(select(tables.ReportFile).where(tables.ReportFile.path == str(path),
                                                      tables.ReportFile.sha256 == digest)).first()


def content_seen(digest: str) -> tables.ReportFile | None:
    with session() as s:
        return s.exec(select(tables.ReportFile).where(tables.ReportFile.sha256 == digest)
                      .order_by(tables.ReportFile.id)).first()


# ---- step 2: validate ---------------------------------------------------------------------------

def validate(d: Detected) -> list[str]:
    """Run the report type's checkpoint and the typed conversion; the problems, rendered."""
    from sellerops.reports.validate import run_checkpoint

    problems = run_checkpoint(d.raw, d.fmt, d.marketplace)
    return [p.render(d.path) for p in problems]


def prepare(path: Path, default_marketplace: str) -> Detected:
    """Steps 1 and 2 and the typed conversion in one go, for a file whose outcome is not known yet:
    the result carries the checkpoint's problems (or the conversion's) and, when there are none,
    the typed rows ready to load — not the raw frame, so it is small enough to hand from a worker
    process to the one that writes the database."""
    from sellerops.reports.convert import typed_frame

    d = read_and_detect(path, default_marketplace)
    if d.error:
        return d
    d.rows = d.raw.rows
    d.problems = validate(d)
    if not d.problems:
        typed, problems = typed_frame(d.raw, d.fmt, d.marketplace)
        d.problems = [p.render(d.path) for p in problems]
        d.typed = None if problems else typed
    d.raw = dataclasses.replace(d.raw, frame=d.raw.frame.iloc[:0])
    return d


# ---- step 3: load -------------------------------------------------------------------------------

def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _upsert(conn, table: sa.Table, df: pd.DataFrame, key: tuple[str, ...], newer: str | None = None) -> None:
    """Upsert the rows of `df` on their natural key (with `newer`: only where the incoming value of
    that column is newer), through `_bulk_insert` — SQLAlchemy's per-row processing cost more than
    the database's work at 400 k order lines."""
    update = [c for c in df.columns if c not in key and c != "id"]
    conflict = (f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in update))
    if newer:
        conflict += (f" WHERE {table.name}.{newer} IS NULL OR excluded.{newer} IS NULL"
                     f" OR excluded.{newer} >= {table.name}.{newer}")
    _bulk_insert(conn, table, df, conflict)


def _per_value(s: pd.Series, convert) -> list:
    """`s` as a list of driver values, `convert` run once per distinct value (None for nulls):
    millions of settlement lines repeat a few thousand SKUs, dates and amounts. `convert` takes
    the distinct values as one object array and returns them converted, in order."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniques = distinct(s)
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return spread(codes, convert(uniques) if len(uniques) else []).tolist()


def _sqlite_datetimes(uniques) -> list[str]:
    """The exact text SQLAlchemy's SQLite DateTime stores (UTC, naive, microseconds)."""
    naive = pd.DatetimeIndex(uniques).tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[us]")
    return [t.replace("T", " ") for t in np.datetime_as_string(naive, unit="us").tolist()]


def _driver_columns(df: pd.DataFrame, table: sa.Table, dialect: str) -> list[list]:
    """Each column as plain driver values, converted column-wise and once per distinct value (not
    row by row): on SQLite the exact text SQLAlchemy itself stores for dates and UTC datetimes."""
    sqlite = dialect == "sqlite"
    out = []
    for c in df.columns:
        s = df[c]
        typ = table.c[c].type
        if isinstance(typ, tables.UtcDateTime):
            s = pd.to_datetime(s, utc=True)
            out.append(_per_value(s, _sqlite_datetimes if sqlite
                                  else lambda u: list(pd.DatetimeIndex(u).to_pydatetime())))
        elif isinstance(typ, sa.Date):
            out.append(_per_value(s, (lambda u: [d.isoformat() for d in u]) if sqlite else list))
        elif isinstance(typ, (sa.Integer, sa.BigInteger)):
            if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":
                out.append(s.tolist())  # plain numpy ints: Python ints, no nulls
            else:
                out.append(_per_value(s, lambda u: [int(x) for x in np.asarray(u, dtype=object)]))
        elif isinstance(s.dtype, pd.CategoricalDtype):  # text as read: its distinct values, spread
            out.append(spread(*distinct(s)).tolist())
        else:  # text: no conversion, so no need to find the distinct values
            out.append(s.to_numpy(dtype=object, na_value=None).tolist())
    return out


def _bulk_insert(conn, table: sa.Table, df: pd.DataFrame, on_conflict: str = "", chunk: int = 50_000) -> None:
    """Insert a large frame through the driver's executemany, skipping SQLAlchemy's per-row
    processing (2 M settlement lines a month); values are converted column-wise first.
    `on_conflict`: an ON CONFLICT clause (see `_upsert`)."""
    if df.empty:
        return
    dialect = conn.dialect.name
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cols = [c for c in df.columns if c != "id"]
    df = df[cols]
    for i in range(0, len(df), chunk):  # chunk by chunk: driver values are big Python objects
        part = df.iloc[i:i + chunk]
        # A column with one value on every row of the chunk (the account, the settlement, its file)
        # or none (most of a settlement's merchant-* ids) is written into the statement once:
        # binding it row by row is most of what the database's insert costs (~0.3 µs a value).
        literal = {c: _literal(part[c], mark) for c in cols}
        bound = [c for c in cols if literal[c] is None]
        sql = (f"INSERT INTO {table.name} ({', '.join(cols)}) "
               f"VALUES ({', '.join(literal[c] or mark for c in cols)}) {on_conflict}").rstrip()
        rows = list(zip(*_driver_columns(part[bound], table, dialect))) if bound else [()] * len(part)
        conn.exec_driver_sql(sql, rows)


def _literal(s: pd.Series, mark: str) -> str | None:
    """The SQL literal of a column that is blank on every row of `s` (NULL) or holds one text or
    integer value on every row; else None (its values are bound)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        lo, hi = codes.min(), codes.max()
        if hi < 0:
            return "NULL"
        value = s.cat.categories[lo] if lo == hi else None
    elif isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":
        values = s.to_numpy()
        return str(int(values[0])) if bool((values == values[0]).all()) else None
    elif s.dtype == object or isinstance(s.dtype, pd.StringDtype):  # a scalar set on a frame is `str`
        values = s.to_numpy(dtype=object)
        value = values[0]
        if not isinstance(value, str):
            return "NULL" if bool(s.isna().all()) else None
        if not bool((values == value).all()):
            return None
    else:
        return "NULL" if bool(s.isna().all()) else None
    if not isinstance(value, str) or "\x00" in value:
        return None
    text = "'" + value.replace("'", "''") + "'"
    return text.replace("%", "%%") if mark == "%s" else text  # a %-style driver reads % itself


def _record_file(conn, s: Settings, d: Detected, status: str, rows: int = 0, reason: str | None = None,
                 settlement_id: str | None = None, duplicate_of: int | None = None,
                 seen_at: dt.datetime | None = None) -> int:
    res = conn.execute(tables.ReportFile.__table__.insert().values(
        account=s.account, marketplace=d.marketplace.name if d.marketplace else None, path=str(d.path),
        sha256=d.sha256, size_bytes=d.path.stat().st_size, report_type=d.fmt.report_type if d.fmt else None,
        encoding=d.raw.encoding if d.raw else None, status=status, rows=rows, reason=reason,
        settlement_id=settlement_id, duplicate_of=duplicate_of, seen_at=seen_at or _now()))
    return res.inserted_primary_key[0]


def load(d: Detected, s: Settings | None = None) -> Outcome:
    """Convert and store a validated report in one transaction; record its outcome."""
    from sellerops.reports.convert import typed_frame

    s = s or settings()
    if d.typed is not None:  # converted by `prepare`, possibly in another process
        typed, problems = d.typed, []
    else:
        typed, problems = typed_frame(d.raw, d.fmt, d.marketplace)
        problems = [p.render(d.path) for p in problems]
    if problems:
        return quarantine(d, problems, s)
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
    seen_at = _now()
    fid = _record_file(conn, s, d, LOADED, rows=len(typed), seen_at=seen_at)
    typed["account"] = s.account
    typed["report_file_id"] = fid
    if "marketplace" not in typed:
        typed["marketplace"] = _row_marketplaces(d, typed)
    for col in ("license_plate_number", "merchant_sku"):
        if col in typed:
            typed[col] = _filled(typed[col], "")
    key = d.fmt.natural_key
    newer = "last_updated_date" if "last_updated_date" in typed else None
    typed = _newest_per_key(typed, key, newer)
    table = getattr(tables, d.fmt.table).__table__
    _upsert(conn, table, typed[[c for c in typed.columns if c in table.c]], key, newer)
    _copy(copies, s, d, framecache.TABLE_OF.get(d.fmt.table, ""), fid, seen_at, typed)
    return Outcome(str(d.path), d.sha256, d.fmt.report_type, LOADED, rows=d.rows or len(d.raw.frame))


def _row_marketplaces(d: Detected, typed: pd.DataFrame) -> pd.Series:
    if "sales_channel" in typed:
        from sellerops.core.marketplaces import MARKETPLACES

        codes, channels = distinct(typed["sales_channel"])
        names = [MARKETPLACES[v.lower()].name if isinstance(v, str) and v.lower() in MARKETPLACES
                 else d.marketplace.name for v in channels]
        return pd.Series(spread(codes, names, d.marketplace.name), index=typed.index)
    return pd.Series(d.marketplace.name, index=typed.index)


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
    if newer:
        df = df.sort_values([newer, "line_no"], na_position="first", kind="stable")
    return df.drop_duplicates(cols, keep="last").sort_values("line_no", kind="stable")


def _load_settlement(conn, s: Settings, d: Detected, typed: pd.DataFrame, copies: list) -> Outcome:
    summary = typed[typed["total_amount_cents"].notna()].iloc[0]
    sid = str(summary["settlement_id"])
    currency = "" if pd.isna(summary["currency"]) else str(summary["currency"])
    t = tables.Settlement.__table__
    existing = conn.execute(sa.select(t.c.report_file_id).where(t.c.account == s.account,
                                                                 t.c.settlement_id == sid)).first()
    if existing:
        _record_file(conn, s, d, DUPLICATE, settlement_id=sid, duplicate_of=existing[0])
        return Outcome(str(d.path), d.sha256, SETTLEMENT, DUPLICATE, settlement_id=sid,
                       reason=None)
    lines = typed[typed["total_amount_cents"].isna()].copy()
    seen_at = _now()
    fid = _record_file(conn, s, d, LOADED, rows=len(lines), settlement_id=sid, seen_at=seen_at)
    conn.execute(t.insert().values(
        account=s.account, marketplace=d.marketplace.name, settlement_id=sid,
        settlement_start_date=_py(summary["settlement_start_date"]),
        settlement_end_date=_py(summary["settlement_end_date"]), deposit_date=_py(summary["deposit_date"]),
        total_amount_cents=int(summary["total_amount_cents"]), currency=currency,
        report_file_id=fid, summary_line=int(summary["line_no"])))
    lines["account"] = s.account
    lines["marketplace"] = d.marketplace.name
    lines["report_file_id"] = fid
    lines["settlement_id"] = sid
    lines["currency"] = _filled(lines["currency"], currency)
    table = tables.SettlementLine.__table__
    _bulk_insert(conn, table, lines[[c for c in lines.columns if c in table.c]])
    _copy(copies, s, d, "settlement_lines", fid, seen_at, lines)
    return Outcome(str(d.path), d.sha256, SETTLEMENT, LOADED, rows=len(lines), settlement_id=sid)


def _py(v):
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return v.to_pydatetime() if isinstance(v, pd.Timestamp) else v


# ---- quarantine and duplicates -------------------------------------------------------------------

def quarantine(d: Detected, problems: list[str], s: Settings | None = None) -> Outcome:
    """Copy the file into quarantine/ with `<name>.reason.json`; record the outcome."""
    s = s or settings()
    ensure_home(s)
    reason = problems[0] if len(problems) == 1 else f"{problems[0]} (and {len(problems) - 1} more)"
    target = s.quarantine / d.path.name
    if target.exists() and sha256_of(target.read_bytes()) != d.sha256:
        target = s.quarantine / f"{d.path.stem}.{d.sha256[:8]}{d.path.suffix}"
    shutil.copy2(d.path, target)
    info = {"path": str(d.path), "sha256": d.sha256, "report_type": d.fmt.report_type if d.fmt else None,
            "reason": reason, "problems": problems[:100], "quarantined_at": _now().isoformat()}
    target.with_name(target.name + ".reason.json").write_text(json.dumps(info, indent=2) + "\n")
    with get_engine(s.database_url).begin() as conn:
        _record_file(conn, s, d, QUARANTINED, reason=reason)
    return Outcome(str(d.path), d.sha256, info["report_type"], QUARANTINED, reason=reason, problems=problems)


def duplicate_of(d: Detected, first: tables.ReportFile, s: Settings | None = None) -> Outcome:
    """Record the same content seen under another path (a quarantined original quarantines its copy)."""
    s = s or settings()
    if first.status == QUARANTINED:
        return quarantine(d, [f"{first.reason} (same content as {first.path})"], s)
    with get_engine(s.database_url).begin() as conn:
        _record_file(conn, s, d, DUPLICATE, settlement_id=first.settlement_id, duplicate_of=first.id)
    return Outcome(str(d.path), d.sha256, first.report_type, DUPLICATE, settlement_id=first.settlement_id)


def known(rf: tables.ReportFile) -> Outcome:
    return Outcome(rf.path, rf.sha256, rf.report_type, rf.status, rf.rows, rf.reason, rf.settlement_id, known=True)


def settings_for(account: str | None = None) -> Settings:
    """The settings, for another seller account than the configured one when `account` is given."""
    s = settings()
    return dataclasses.replace(s, account=account) if account else s


def ingest_file(path: Path, default_marketplace: str | None = None, account: str | None = None) -> Outcome:
    """The whole pipeline for one file, without Prefect (the flow runs the same steps as tasks)."""
    s = settings_for(account)
    data = path.read_bytes()
    digest = sha256_of(data)
    if (rf := known_outcome(path, digest)) is not None:
        return known(rf)  # first outcome kept; nothing parsed again
    from sellerops.inbound.responses import looks_like_response

    if looks_like_response(data):  # a saved SP-API response: the inbound procedure loads it
        from sellerops.inbound.store import ingest_response

        return ingest_response(path, data, digest, s)
    d = read_and_detect(path, default_marketplace or s.marketplace, data, digest)
    if (first := content_seen(d.sha256)) is not None:
        return duplicate_of(d, first, s)
    if d.error:
        return quarantine(d, [d.error], s)
    problems = validate(d)
    if problems:
        return quarantine(d, problems, s)
    return load(d, s)


def ingest_paths(paths: list[Path], default_marketplace: str | None = None,
                 account: str | None = None) -> list[Outcome]:
    """Ingest every file under `paths` in order (the flow-free entry point for other sources)."""
    return [ingest_file(p, default_marketplace, account) for p in discover(list(paths))]


def report_rows() -> list[dict]:
    """Every (path, sha256) ever seen, oldest first, as `sellerops reports` prints them."""
    with session() as s:
        rows = s.exec(select(tables.ReportFile).order_by(tables.ReportFile.id)).all()
    return [{"path": r.path, "sha256": r.sha256, "report_type": r.report_type, "status": r.status,
             "rows": r.rows, "reason": r.reason} for r in rows]
