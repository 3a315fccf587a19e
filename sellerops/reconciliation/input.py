"""The reconciliation's input: every stored table of an account as the frames the rules read.

Between storage and the rules: settlement lines and order lines come from the frame cache's
columnar copies where one exists (the database only says which rows are current), everything else
straight from the database, read in chunks (settlement lines from their block on SQLite:
`stored_settlement_lines` is the one database read of them). A read never deletes anything: pruning stale copies is
the run's decision (`sellerops.reconciliation.runs`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sellerops.core.config import settings
from sellerops.reconciliation.model import ReconcileInput, used_categories
from sellerops.reconciliation.frames import coerce
from sellerops.reports.read import categories_of
from sellerops.storage import framecache, lineblocks, tables
from sellerops.storage.engine import get_engine
from sellerops.storage.framecache import TABLES, concat, selected, shape


def _query_frames(conn, query, chunk: int = 250_000):
    """A query's rows as frames of `chunk` rows each. On SQLite straight through the driver:
    SQLAlchemy's row objects cost more than SQLite's own fetch at millions of rows."""
    if conn.dialect.name == "sqlite":
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        return pd.read_sql_query(sql, conn.connection.driver_connection, chunksize=chunk)
    return pd.read_sql_query(query, conn, chunksize=chunk)


def _read_table(conn, name: str, where, chunk: int = 250_000, row_ids: bool = False) -> pd.DataFrame:
    """Rows of table `name` matching `where`, in insertion order, read in chunks and shaped chunk
    by chunk: a month of settlement lines as Python strings would take gigabytes. `row_ids` adds
    each row's database id as `_row_id` (rows read in several queries are put back in order by it)."""
    t = TABLES[name].__table__
    # UTC datetimes as the stored text, parsed column-wise by `shape`, not row by row
    cols = [sa.type_coerce(c, sa.String).label(c.name) if isinstance(c.type, tables.UtcDateTime) else c
            for c in selected(name)]
    extra = [t.c.id.label("_row_id")] if row_ids else []
    query = sa.select(*cols, *extra).where(where).order_by(t.c.id)
    parts = [_shaped(name, part, row_ids) for part in _query_frames(conn, query, chunk)]
    return concat(parts) if parts else _shaped(name, pd.DataFrame(columns=[c.name for c in cols]), row_ids)


def _shaped(name: str, part: pd.DataFrame, row_ids: bool) -> pd.DataFrame:
    out = shape(name, part)
    if row_ids:
        out["_row_id"] = part["_row_id"].to_numpy(dtype="int64") if "_row_id" in part else np.array([], dtype="int64")
    return out


def _report_files(conn, account: str) -> dict[int, sa.Row]:
    """Every report file this database knows, by id."""
    rf = tables.ReportFile.__table__
    return {r.id: r for r in conn.execute(sa.select(rf.c.id, rf.c.path, rf.c.sha256, rf.c.seen_at, rf.c.status,
                                                    rf.c.report_type, rf.c.account))}


def settlements_frame(conn, account: str, files: dict) -> pd.DataFrame:
    """The account's settlements (one row each, small) as the rules read them."""
    t = tables.Settlement.__table__
    return coerce("settlements", _with_file(_read_table(conn, "settlements", t.c.account == account), files))


def _settlement_lines(conn, account: str, files: dict) -> pd.DataFrame:
    """An account's settlement lines: each loaded settlement from its columnar copy, the ones
    without a copy from the database (and their copies written for the next run)."""
    from sellerops.reports.settlement import REPORT_TYPE

    t = tables.SettlementLine.__table__
    loaded = sorted(f.id for f in files.values()
                    if f.account == account and f.status == "loaded" and f.report_type == REPORT_TYPE)
    parts, missing = {}, []
    for fid in loaded:
        got = framecache.read(framecache.cache_path("settlement_lines", files[fid]))
        if got is None:
            missing.append(fid)
        else:
            parts[fid] = got
    for fid, part in stored_settlement_lines(conn, account, missing).items():
        parts[fid] = part
        framecache.write(framecache.cache_path("settlement_lines", files[fid]), part)
    if not parts:
        return _read_table(conn, "settlement_lines", t.c.account == account)
    return concat([parts[f] for f in sorted(parts)])


def settlement_file_lines(conn, account: str, f) -> pd.DataFrame:
    """One loaded settlement file's lines: its columnar copy, else the database (and the copy
    written for the next run)."""
    path = framecache.cache_path("settlement_lines", f)
    got = framecache.read(path)
    if got is None:
        got = stored_settlement_lines(conn, account, [f.id])[f.id]
        framecache.write(path, got)
    return got


def stored_settlement_lines(conn, account: str, file_ids: list[int]) -> dict[int, pd.DataFrame]:
    """The settlement lines the database holds for each of these report files (every id given is
    in the result, with no rows if it holds none), shaped as the frame cache keeps them: from
    the file's block (SQLite, sellerops.storage.lineblocks), else from `settlement_line` rows."""
    parts = {fid: shape("settlement_lines", part) for fid, part in lineblocks.read(conn, account, file_ids).items()}
    rest = [fid for fid in file_ids if fid not in parts]
    if rest:
        t = tables.SettlementLine.__table__
        df = _read_table(conn, "settlement_lines", (t.c.account == account) & t.c.report_file_id.in_(rest))
        ids = df["report_file_id"].to_numpy()
        for fid in rest:
            parts[fid] = used_categories(df[ids == fid].reset_index(drop=True), df.columns)
    return parts


def order_parts(conn, account: str, files: dict):
    """An account's order lines as the database holds them now (an upsert keeps the newest), one
    report file at a time: which (file, line) each one is comes from the database, its values from
    that file's copy (else the database). Each part carries `__order`, its rows' places among the
    account's order lines in insertion order."""
    t = tables.OrderLine.__table__
    where = t.c.account == account
    rows = _current_order_lines(conn, where)
    for fid, group in rows.groupby("report_file_id", sort=True):
        copy = framecache.read(framecache.cache_path("orders", files[fid])) if fid in files else None
        pos = pd.Index(copy["line_no"]).get_indexer(group["line_no"]) if copy is not None else None
        if copy is None or (pos < 0).any():
            part = _read_table(conn, "orders", where & (t.c.report_file_id == int(fid)))  # in insertion order too
        elif len(pos) == len(copy) and (pos == np.arange(len(pos))).all():
            part = copy.copy(deep=False)  # every line of the file current, in its order: the copy as it is
        else:
            part = copy.take(pos).reset_index(drop=True)
        part["__order"] = group.index.to_numpy()
        yield part


def _current_order_lines(conn, where) -> pd.DataFrame:
    """(report_file_id, line_no) of the order lines `where` selects, in id order. When each file's
    lines are one run of ids with their line numbers in step (files loaded one after the other, no
    line taken over by a later file: a first load), one aggregate row per file says it all; else
    every row is read."""
    t = tables.OrderLine.__table__
    shift = t.c.line_no - t.c.id
    runs = conn.execute(sa.select(t.c.report_file_id, sa.func.min(t.c.id), sa.func.max(t.c.id), sa.func.count(),
                                  sa.func.min(shift), sa.func.max(shift))
                        .where(_nearly_all(conn, where)).group_by(t.c.report_file_id)).all()
    if all(n == last - first + 1 and low == high for _, first, last, n, low, high in runs):
        runs = sorted(runs, key=lambda r: r[1])
        return pd.DataFrame({
            "report_file_id": np.repeat(np.array([r[0] for r in runs], dtype=np.int64), [r[3] for r in runs]),
            "line_no": np.concatenate([np.arange(first + low, last + low + 1, dtype=np.int64)
                                       for _, first, last, _, low, _ in runs] or [np.array([], dtype=np.int64)]),
        })
    query = sa.select(t.c.report_file_id, t.c.line_no).where(_nearly_all(conn, where)).order_by(t.c.id)
    return pd.concat(list(_query_frames(conn, query, 1_000_000)) or [pd.DataFrame(columns=["report_file_id", "line_no"])],
                     ignore_index=True)


def _nearly_all(conn, where):
    """`where`, marked as true of nearly every row (one account is usually the whole table). SQLite,
    which keeps no statistics here, would otherwise pick the (account, purchase_date) index and sort
    half a million order lines by id; told it is likely, it reads the table in id order."""
    return sa.func.likely(where) if conn.dialect.name == "sqlite" else where


def _orders(conn, account: str, files: dict) -> pd.DataFrame:
    """An account's order lines (`order_parts`) in insertion order."""
    parts = list(order_parts(conn, account, files))
    if not parts:
        return _read_table(conn, "orders", tables.OrderLine.__table__.c.account == account)
    df = concat(parts)
    order = df["__order"].to_numpy()
    df = df.drop(columns="__order")
    if len(order) > 1 and (order[1:] < order[:-1]).any():  # files loaded one after the other are in order already
        df = df.take(np.argsort(order, kind="stable"))
    return df.reset_index(drop=True)


def load_input(account: str | None = None, only: tuple[str, ...] | None = None) -> ReconcileInput:
    """Every stored table of `account` (or `only` those named; the others empty) as the frames the
    rules read."""
    account = account or settings().account
    frames = {}
    with get_engine().connect() as c:
        files = _report_files(c, account)
        for name, model in TABLES.items():
            if only is not None and name not in only:
                continue
            if name == "settlement_lines":
                df = _settlement_lines(c, account, files)
            elif name == "orders":
                df = _orders(c, account, files)
            else:
                df = _read_table(c, name, model.__table__.c.account == account)
            frames[name] = coerce(name, _with_file(df, files))
    return ReconcileInput(**frames)


def _with_file(df: pd.DataFrame, files: dict) -> pd.DataFrame:
    """The source file's path per row, as a categorical over the few files (not a string per row)."""
    if not len(df):
        df["file"] = pd.Series([], dtype=object)
        return df
    ids = df["report_file_id"].astype("Int64")
    known = ids.notna().to_numpy()
    values = ids.to_numpy(dtype=np.int64, na_value=-1)
    present = np.unique(values[known])
    codes = np.full(len(values), -1, dtype=np.int64)
    # each id's path; a file downloaded again to the same path is two ids with one path
    where, paths = pd.factorize(np.array([files[int(f)].path for f in present], dtype=object))
    codes[known] = where[np.searchsorted(present, values[known])]
    df["file"] = categories_of(codes, paths)
    return df


def live_copies() -> dict[str, list]:
    """The frame-cache copies this database still names (one per loaded report file): table → paths."""
    with get_engine().connect() as c:
        files = _report_files(c, settings().account)
    return {t: [framecache.cache_path(t, f) for f in files.values() if f.status == "loaded"]
            for t in framecache.CACHED}
