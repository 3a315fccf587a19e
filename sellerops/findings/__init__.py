"""Findings in the database: the reconciliation's input read from storage, its findings stored.

A finding is identified by its key (kind + subject). A rerun never duplicates one: it refreshes
`last_seen`; a finding that no longer holds after new data arrives becomes `resolved`, and one that
holds again reopens. No Prefect here: tasks/reconcile.py wraps these functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sellerops.core.money import from_cents, to_cents
from sellerops.storage import framecache, tables
from sellerops.core.config import settings
from sellerops.storage.engine import get_engine
from sellerops.storage.framecache import TABLES, concat, selected, shape
from sellerops.reports.read import categories_of

OPEN, RESOLVED = "open", "resolved"


def data_version(account: str | None = None) -> int:
    """The newest report file loaded: when it has not moved, no input of the rules has changed."""
    t = tables.ReportFile.__table__
    with get_engine().connect() as c:
        q = sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0)).where(t.c.status == "loaded")
        if account:
            q = q.where(t.c.account == account)
        return int(c.execute(q).scalar_one())


def _query_frames(conn, query, chunk: int = 250_000):
    """A query's rows as frames of `chunk` rows each. On SQLite straight through the driver:
    SQLAlchemy's row objects cost more than SQLite's own fetch at millions of rows."""
    if conn.dialect.name == "sqlite":
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        return pd.read_sql_query(sql, conn.connection.driver_connection, chunksize=chunk)
    return pd.read_sql_query(query, conn, chunksize=chunk)


def _read_table(conn, name: str, where, chunk: int = 250_000) -> pd.DataFrame:
    """Rows of table `name` matching `where`, in insertion order, read in chunks and shaped chunk
    by chunk: a month of settlement lines as Python strings would take gigabytes."""
    t = TABLES[name].__table__
    # UTC datetimes as the stored text, parsed column-wise by `shape`, not row by row
    cols = [sa.type_coerce(c, sa.String).label(c.name) if isinstance(c.type, tables.UtcDateTime) else c
            for c in selected(name)]
    query = sa.select(*cols).where(where).order_by(t.c.id)
    parts = [shape(name, part) for part in _query_frames(conn, query, chunk)]
    return concat(parts) if parts else shape(name, pd.DataFrame(columns=[c.name for c in cols]))


def _report_files(conn, account: str) -> dict[int, sa.Row]:
    rf = tables.ReportFile.__table__
    return {r.id: r for r in conn.execute(sa.select(rf.c.id, rf.c.path, rf.c.sha256, rf.c.seen_at, rf.c.status,
                                                    rf.c.report_type, rf.c.account))}


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
    if missing:
        df = _read_table(conn, "settlement_lines", (t.c.account == account) & t.c.report_file_id.in_(missing))
        ids = df["report_file_id"].to_numpy()
        for fid in missing:
            part = df[ids == fid].reset_index(drop=True)
            for col in part.columns:
                if isinstance(part[col].dtype, pd.CategoricalDtype):
                    part[col] = part[col].cat.remove_unused_categories()
            parts[fid] = part
            framecache.write(framecache.cache_path("settlement_lines", files[fid]), part)
    if not parts:
        return _read_table(conn, "settlement_lines", t.c.account == account)
    return concat([parts[f] for f in sorted(parts)])


def _orders(conn, account: str, files: dict) -> pd.DataFrame:
    """An account's order lines as the database holds them now (an upsert keeps the newest):
    which (file, line) each one is comes from the database, its values from that file's copy."""

    t = tables.OrderLine.__table__
    where = t.c.account == account
    query = sa.select(t.c.report_file_id, t.c.line_no).where(where).order_by(t.c.id)
    rows = pd.concat(list(_query_frames(conn, query, 1_000_000)) or [pd.DataFrame(columns=["report_file_id", "line_no"])],
                     ignore_index=True)
    parts, missing = [], []
    for fid, group in rows.groupby("report_file_id", sort=True):
        copy = framecache.read(framecache.cache_path("orders", files[fid])) if fid in files else None
        pos = pd.Index(copy["line_no"]).get_indexer(group["line_no"]) if copy is not None else None
        if copy is None or (pos < 0).any():
            missing.append(int(fid))
            continue
        part = copy.take(pos).reset_index(drop=True)
        part["__order"] = group.index.to_numpy()
        parts.append(part)
    if missing:
        part = _read_table(conn, "orders", where & t.c.report_file_id.in_(missing))
        found = rows[rows["report_file_id"].isin(missing)]
        part["__order"] = found.index.to_numpy()  # both in insertion order
        parts.append(part)
    if not parts:
        return _read_table(conn, "orders", where)
    df = concat(parts)
    df = df.take(np.argsort(df["__order"].to_numpy(), kind="stable")).drop(columns="__order")
    return df.reset_index(drop=True)


def load_input(account: str | None = None):
    """Every stored table as the frames the rules read (`sellerops.reconciliation.ReconcileInput`)."""
    from sellerops.reconciliation import ReconcileInput
    from sellerops.reconciliation.frames import coerce

    account = account or settings().account
    frames = {}
    with get_engine().connect() as c:
        files = _report_files(c, account)
        for name, model in TABLES.items():
            if name == "settlement_lines":
                df = _settlement_lines(c, account, files)
            elif name == "orders":
                df = _orders(c, account, files)
            else:
                df = _read_table(c, name, model.__table__.c.account == account)
            frames[name] = coerce(name, _with_file(df, files))
    framecache.prune({t: [framecache.cache_path(t, f) for f in files.values() if f.status == "loaded"]
                      for t in framecache.CACHED})
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


def policy_digest(policy) -> str:
    text = json.dumps(dataclasses.asdict(policy), default=str, sort_keys=True)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


@dataclass
class StoreResult:
    new: list[str]
    resolved: list[str]
    reopened: list[str]
    open: int


def store(records, account: str | None = None, now: dt.datetime | None = None) -> StoreResult:
    """Upsert the findings of one run; resolve the open ones this run did not find again."""
    account = account or settings().account
    now = now or dt.datetime.now(dt.timezone.utc)
    t = tables.Finding.__table__
    found = {r.key: r for r in records}
    new, reopened = [], []
    with get_engine().begin() as c:
        existing = {row.key: row for row in c.execute(
            sa.select(t.c.key, t.c.status).where(t.c.account == account))}
        inserts, updates = [], []
        for key, r in found.items():
            values = dict(
                account=r.account, marketplace=r.marketplace, kind=r.kind, settlement_id=r.settlement_id,
                order_id=r.order_id, sku=r.sku, line_no=r.line_no, amount_cents=to_cents(r.amount),
                currency=r.currency, detail=r.detail, evidence=json.dumps(r.evidence, default=str),
                status=OPEN, last_seen=now, resolved_at=None,
                claim_window_opens=r.claim_window_opens, claim_window_closes=r.claim_window_closes)
            if key in existing:
                if existing[key].status == RESOLVED:
                    reopened.append(key)
                updates.append(dict(values, k=key))
            else:
                new.append(key)
                inserts.append(dict(values, key=key, first_seen=now))
        if inserts:
            c.execute(t.insert(), inserts)
        if updates:
            stmt = t.update().where(t.c.key == sa.bindparam("k")).values(
                {k: sa.bindparam(k) for k in updates[0] if k != "k"})
            c.execute(stmt, updates)
        gone = [k for k, row in existing.items() if row.status == OPEN and k not in found]
        for i in range(0, len(gone), 500):
            c.execute(t.update().where(t.c.key.in_(gone[i:i + 500])).values(status=RESOLVED, resolved_at=now))
    return StoreResult(new=new, resolved=gone, reopened=reopened, open=len(found))


def finding_json(row) -> dict:
    """A stored finding as `sellerops findings --format json` prints it."""
    amount = from_cents(row.amount_cents)
    return {
        "id": row.key, "kind": row.kind, "account": row.account, "marketplace": row.marketplace,
        "settlement_id": row.settlement_id, "order_id": row.order_id, "sku": row.sku, "line_no": row.line_no,
        "shipment_id": row.shipment_id, "amount": str(amount), "currency": row.currency, "detail": row.detail,
        "evidence": json.loads(row.evidence or "[]"),
        "first_seen": row.first_seen.isoformat(), "last_seen": row.last_seen.isoformat(),
        "status": row.status,
        "claim_window_opens": row.claim_window_opens.isoformat() if row.claim_window_opens else None,
        "claim_window_closes": row.claim_window_closes.isoformat() if row.claim_window_closes else None,
    }


def at_stake_by_kind(findings: list[dict]) -> dict[tuple[str, str], tuple[int, Decimal]]:
    """(kind, currency) → (how many findings, money at stake), in sorted order."""
    out: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for f in findings:
        n, total = out.get((f["kind"], f["currency"]), (0, Decimal("0")))
        out[(f["kind"], f["currency"])] = (n + 1, total + Decimal(f["amount"]))
    return dict(sorted(out.items()))


def list_findings(kind: str | None = None, status: str | None = None, account: str | None = None) -> list[dict]:
    t = tables.Finding.__table__
    q = sa.select(t).order_by(t.c.kind, t.c.amount_cents.desc(), t.c.key)
    if kind:
        q = q.where(t.c.kind == kind)
    if status:
        q = q.where(t.c.status == status)
    if account:
        q = q.where(t.c.account == account)
    with get_engine().connect() as c:
        return [finding_json(r) for r in c.execute(q)]


def last_run(account: str | None = None):
    t = tables.ReconcileRun.__table__
    account = account or settings().account
    with get_engine().connect() as c:
        return c.execute(sa.select(t).where(t.c.account == account, t.c.skipped.is_(False),
                                            t.c.finished_at.is_not(None))
                         .order_by(t.c.id.desc()).limit(1)).first()


def record_run(account: str, started: dt.datetime, as_of, version: int, digest: str, result: StoreResult | None,
               skipped: bool) -> None:
    t = tables.ReconcileRun.__table__
    with get_engine().begin() as c:
        c.execute(t.insert().values(
            account=account, started_at=started, finished_at=dt.datetime.now(dt.timezone.utc), as_of=as_of,
            data_version=version, policy_digest=digest, skipped=skipped,
            findings_open=result.open if result else 0, findings_new=len(result.new) if result else 0,
            findings_resolved=len(result.resolved) if result else 0))


def _as_of_by_market(settlements: pd.DataFrame, as_of: dt.date | None) -> dict[str, dt.date]:
    """The as-of date of each marketplace and currency: the given one, else the UTC date of its
    latest settlement end (the rules' own default)."""
    if settlements.empty:
        return {}
    ends = settlements.groupby(["marketplace", "currency"], observed=True)["settlement_end_date"].max()
    return {f"{mp} {cur}": as_of or end.date() for (mp, cur), end in ends.items()}


@dataclass
class ReconcileOutcome:
    as_of: dict  # (marketplace/currency) -> as-of date used
    skipped: bool
    new: list[str]
    resolved: list[str]
    reopened: list[str]
    open: int
    settlements_checked: int


def run_reconcile(as_of: dt.date | None = None, policy=None, account: str | None = None,
                  force: bool = False, find=None) -> ReconcileOutcome:
    """Load, apply the rules, store. When no report was loaded since the last run with the same
    as-of and policy, nothing that could change is recomputed. `find(inp, as_of, policy)` replaces
    the in-process `reconcile` (the Dask flow passes one that runs the partitions on a cluster)."""
    from sellerops.reconciliation import Policy, reconcile

    account = account or settings().account
    policy = policy or Policy()
    started = dt.datetime.now(dt.timezone.utc)
    version, digest = data_version(account), policy_digest(policy)
    prev = last_run(account)
    if (not force and prev is not None and prev.data_version == version and prev.policy_digest == digest
            and (as_of is None or prev.as_of == as_of)):
        record_run(account, started, prev.as_of, version, digest, None, skipped=True)
        return ReconcileOutcome({}, True, [], [], [], prev.findings_open, 0)
    inp = load_input(account)
    records = (find or reconcile)(inp, as_of, policy)
    result = store(records, account)
    as_ofs = _as_of_by_market(inp.settlements, as_of)
    single = max(as_ofs.values()) if as_ofs else as_of
    record_run(account, started, single, version, digest, result, skipped=False)
    return ReconcileOutcome({k: str(v) for k, v in as_ofs.items()}, False, result.new, result.resolved,
                            result.reopened, result.open, len(inp.settlements))
