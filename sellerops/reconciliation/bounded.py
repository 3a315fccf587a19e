"""The bounded night: judge only what can still change since the last run, keep the rest as it is.

Between the run (`sellerops.reconciliation.runs`, which chooses full or bounded) and the rules,
which never know the difference. A night's `Scope` comes from the watermark the last computed run
left (`sellerops.storage.reconcile_state`):

- the settlements of the report files loaded since — every settlement-local rule judges them whole
  (a fee group that gained lines gained them in a new settlement file);
- the orders those files mention and the refunds whose claim window opened between each market's
  last as-of and tonight's — every order rule judges them, with all their rows;
- the orders whose grace ended in between, and the open unpaid orders (their text names the as-of)
  when the as-of moved — only `unsettled_order` judges them.

The input is then read by key: the new settlements whole, and for the orders judged whole only the
settlement copies that can hold their lines (ending on or after the purchase; without an order line,
within `Policy.horizon` days of as-of), one copy at a time and filtered as it is read, so memory
follows tonight's scope and not the history. An order whose grace alone ended needs no settlement
line: `unsettled_order` only asks whether any Order line pays its (order-id, sku), which each
settlement's compact set of paid keys answers (derived once from its copy and kept beside it); a
paid one leaves the input, an unpaid one is judged from its order line alone. A stored finding outside the scope is carried over as it is
(the store then sees every open finding a full run would find); one inside it that the rules no
longer find is resolved. What a bounded night cannot vouch for — no watermark, another policy, a
file unloaded, a market's as-of moving back, a market appearing or its first settlement changing —
makes the run full. No Prefect here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sellerops.core.money import from_cents
from sellerops.reconciliation import RULES
from sellerops.reconciliation.frames import coerce, empty_frame
from sellerops.reconciliation.input import _query_frames, _read_table, _with_file, settlement_file_lines
from sellerops.reconciliation.keys import equals
from sellerops.reconciliation.model import FindingRecord, ReconcileInput, build_context, is_principal, used_categories
from sellerops.reconciliation.policy import Policy
from sellerops.storage import framecache, tables
from sellerops.storage.framecache import concat
from sellerops.storage.reconcile_state import ReconcileState

# Purchase, posting and settlement dates are compared across time zones and settlement edges.
MARGIN = pd.Timedelta(days=2)
_NEVER = pd.Timestamp.max.tz_localize("UTC")


@dataclass
class Scope:
    """What a bounded night judges: whole settlements, orders judged by every order rule, orders
    judged by `unsettled_order` alone — those whose grace ended (`unsettled`) and the open unpaid
    ones whose text names the as-of (`unpaid`: unpaid until the last run, only tonight's new
    settlements can pay them). `since` is, per order, the earliest settlement end that can hold
    its lines; an order without one has its lines read from tonight's new settlements only."""

    settlements: set[str] = field(default_factory=set)
    orders: set[str] = field(default_factory=set)
    unsettled: set[str] = field(default_factory=set)
    unpaid: set[str] = field(default_factory=set)
    since: pd.Series = field(default_factory=lambda: pd.Series([], dtype="int64"))

    def judges(self, kind: str, settlement_id: str | None, order_id: str | None) -> bool:
        rule = RULES.get(kind)
        if rule is None:
            return True  # a kind no rule makes any more: a full run would resolve it too
        if rule.local:
            return settlement_id in self.settlements
        return order_id in self.orders or (kind == "unsettled_order" and (order_id in self.unsettled
                                                                          or order_id in self.unpaid))


# -- the watermark -------------------------------------------------------------------------------

def markets_of(settlements: pd.DataFrame, as_of: dt.date | None, policy: Policy) -> dict[str, dict[str, str]]:
    """Per "account marketplace currency": the as-of the rules judge at and the earliest settlement's start."""
    markets = build_context(ReconcileInput(settlements=settlements), as_of, policy).markets
    return {"\x1f".join(str(r[c]) for c in ("account", "marketplace", "currency")):
            {"as_of": str(pd.Timestamp(r["as_of"]).date()) if pd.notna(r["as_of"]) else "",
             "earliest_start": pd.Timestamp(r["earliest_start"]).isoformat() if pd.notna(r["earliest_start"]) else ""}
            for r in markets.to_dict("records")}


def files_loaded(conn, account: str, up_to: int) -> int:
    rf = tables.ReportFile.__table__
    return int(conn.execute(sa.select(sa.func.count()).where(
        rf.c.account == account, rf.c.status == "loaded", rf.c.id <= up_to)).scalar_one())


def read_state(conn, account: str):
    t = ReconcileState.__table__
    return conn.execute(sa.select(t).where(t.c.account == account)).first()


def save_state(conn, account: str, version: int, digest: str, markets: dict, full: bool) -> None:
    """The watermark of a run that computed the account's findings (replacing the last one)."""
    t = ReconcileState.__table__
    conn.execute(t.delete().where(t.c.account == account))
    conn.execute(t.insert().values(
        account=account, data_version=version, files_loaded=files_loaded(conn, account, version),
        policy_digest=digest, markets=json.dumps(markets, sort_keys=True), full=full,
        updated_at=dt.datetime.now(dt.timezone.utc)))


def forget_state(conn, account: str) -> None:
    """No watermark: the next run is full (after a run that could not vouch for every finding)."""
    t = ReconcileState.__table__
    conn.execute(t.delete().where(t.c.account == account))


def why_full(conn, state, account: str, digest: str, markets: dict) -> str | None:
    """Why tonight cannot be bounded, or None when it can."""
    if state is None:
        return "no earlier run to build on"
    if state.policy_digest != digest:
        return "the policy changed"
    if files_loaded(conn, account, state.data_version) != state.files_loaded:
        return "a report file loaded before was unloaded"
    prev = json.loads(state.markets)
    if set(prev) != set(markets):
        return "a marketplace or currency appeared or went"
    for key, now in markets.items():
        if now["earliest_start"] != prev[key]["earliest_start"]:
            return "a settlement older than every loaded one arrived"
        if now["as_of"] < prev[key]["as_of"]:
            return "judged at an earlier date than the last run"
    return None


# -- tonight's scope -----------------------------------------------------------------------------

def _ids(values: pd.Series) -> set[str]:
    """The distinct non-blank ids of a column (cheap on a categorical)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        used = np.unique(values.cat.codes.to_numpy())
        return {str(v) for v in values.cat.categories[used[used >= 0]] if str(v)}
    return {str(v) for v in pd.unique(values.dropna()) if str(v)}


def _among(conn, column, values) -> sa.ColumnElement:
    """`column` is one of `values`, however many, as one value handed to the database: a JSON array
    that SQLite's json_each unpacks, an array on PostgreSQL. Tens of thousands of literals in an
    IN (...) cost SQLAlchemy more to compile than the database takes to look the keys up."""
    values = sorted(v for v in values if v is not None)  # NULL is never one of them in SQL either
    numbers = bool(values) and isinstance(values[0], (int, np.integer))
    if numbers:
        values = [int(v) for v in values]
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.bindparam(None, values, type_=ARRAY(sa.BigInteger if numbers else sa.Text)))
    keys = sa.func.json_each(sa.literal(json.dumps(values), sa.Text)).table_valued("value")
    return column.in_(sa.select(keys.c.value))


def _column_ids(conn, query, blank: bool = False) -> set[str]:
    """The distinct values of a one-column query (blank and null ones only if `blank`), read as
    frames: hundreds of thousands of ids through SQLAlchemy's row objects cost more than the query."""
    found: set[str] = set()
    for part in _query_frames(conn, query):
        values = pd.unique(part.iloc[:, 0].to_numpy(dtype=object))
        found.update(v if v == v else None for v in values if blank or (v == v and v))  # v != v: NaN for NULL
    return found


def _day(value: str) -> pd.Timestamp:
    return pd.Timestamp(value, tz="UTC")


@dataclass
class Night:
    """A bounded night being prepared: the account's files and settlements, tonight's scope, and
    the settlement copies already read for it (read once, used for the scope and the input)."""

    conn: object
    account: str
    policy: Policy
    files: dict
    settlements: pd.DataFrame
    state: object
    markets: dict
    scope: Scope = field(default_factory=Scope)
    lines: dict[int, pd.DataFrame] = field(default_factory=dict)

    def settlement_files(self) -> list:
        from sellerops.reports.settlement import REPORT_TYPE

        return sorted((f for f in self.files.values()
                       if f.account == self.account and f.status == "loaded" and f.report_type == REPORT_TYPE),
                      key=lambda f: f.id)

    def file_lines(self, f) -> pd.DataFrame:
        if f.id not in self.lines:
            self.lines[f.id] = settlement_file_lines(self.conn, self.account, f)
            if not framecache.paid_keys_path(f).exists():  # derived while the copy is in memory
                paid_keys(self.conn, self.account, f, self.lines[f.id])
        return self.lines[f.id]

    def periods(self) -> dict[int, tuple[pd.Timestamp, pd.Timestamp]]:
        """Each settlement file's (start, end), by report file id."""
        s = self.settlements
        return {int(fid): (start, end) for fid, start, end in zip(
            s["report_file_id"], s["settlement_start_date"], s["settlement_end_date"]) if pd.notna(fid)}

    def moved(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """(the earliest last as-of, the latest as-of tonight) over the markets whose as-of moved forward."""
        prev = json.loads(self.state.markets)
        moved = [(prev[k]["as_of"], m["as_of"]) for k, m in self.markets.items() if m["as_of"] > prev[k]["as_of"]]
        if not moved:
            return None
        return _day(min(p for p, _ in moved)), _day(max(n for _, n in moved))


def plan(night: Night) -> Scope:
    """Tonight's scope (see the module)."""
    conn, account, scope = night.conn, night.account, night.scope
    new = [f for f in night.files.values()
           if f.account == account and f.status == "loaded" and f.id > night.state.data_version]
    new_ids = {f.id for f in new}
    for f in night.settlement_files():
        if f.id in new_ids:
            lines = night.file_lines(f)
            scope.settlements |= _ids(lines["settlement_id"])
            scope.orders |= _ids(lines["order_id"])
    scope.orders |= _orders_in_files(conn, account, [f for f in new if f.report_type != _settlement_type()])
    window = night.moved()
    if window is not None:
        scope.orders |= _refunds_opening(night, *window)
        scope.unsettled |= _grace_ending(conn, account, night.policy, *window)
        scope.unpaid |= _open_unpaid(conn, account)
    return scope


def _settlement_type() -> str:
    from sellerops.reports.settlement import REPORT_TYPE

    return REPORT_TYPE


def _orders_in_files(conn, account: str, files: list) -> set[str]:
    """The order ids of the order, return and reimbursement rows that came with `files` (an upsert
    moves a row to the file that last wrote it, so a re-download names the rows it changed)."""
    ids = [f.id for f in files]
    if not ids:
        return set()
    found: set[str] = set()
    for model, column in ((tables.OrderLine, "amazon_order_id"), (tables.FbaReturn, "order_id"),
                          (tables.SellerReturn, "order_id"), (tables.Reimbursement, "amazon_order_id")):
        t = model.__table__
        # the account as a condition no index serves: else SQLite's planner, without statistics,
        # walks the account's whole (account, …) index instead of the report-file index
        found |= _column_ids(conn, sa.select(t.c[column]).distinct().where(
            sa.func.coalesce(t.c.account, "") == account, t.c.report_file_id.in_(ids)))
    # a reversal without an order id stands for its original's order
    rb = tables.Reimbursement.__table__
    originals = _column_ids(conn, sa.select(rb.c.original_reimbursement_id).distinct().where(
        sa.func.coalesce(rb.c.account, "") == account, rb.c.report_file_id.in_(ids), rb.c.amazon_order_id.is_(None),
        rb.c.original_reimbursement_id.is_not(None)))
    if originals:
        found |= _column_ids(conn, sa.select(rb.c.amazon_order_id).distinct().where(
            rb.c.account == account, _among(conn, rb.c.reimbursement_id, originals)))
    return found


def _refunds_opening(night: Night, last: pd.Timestamp, tonight: pd.Timestamp) -> set[str]:
    """Orders with a refund whose claim window opened after the last as-of, on or before tonight's:
    refunded on a day in (last − the longest opening, tonight − the shortest]. Only the settlements
    whose period meets those days are read."""
    shortest, longest = night.policy.opening_days()
    lo, hi = last - pd.Timedelta(days=longest) - MARGIN, tonight - pd.Timedelta(days=shortest) + MARGIN
    found: set[str] = set()
    periods = night.periods()
    for f in night.settlement_files():
        start, end = periods.get(f.id, (pd.NaT, pd.NaT))
        if pd.notna(start) and pd.notna(end) and (end < lo - MARGIN or start > hi + MARGIN):
            continue
        lines = night.file_lines(f)
        refund = equals(lines["transaction_type"], "Refund") & is_principal(lines["amount_type"], lines["amount_description"])
        rows = lines[refund]
        when = pd.to_datetime(rows["posted_date_time"], utc=True)
        posted = pd.to_datetime(rows["posted_date"].astype(object), utc=True, errors="coerce")
        when = when.where(when.notna(), posted)
        opening = rows["marketplace"].astype(object).map(lambda m: night.policy.claim_window_days(m)[0])
        days = pd.to_timedelta(opening.astype("float64"), unit="D")
        inside = ((when >= last - days - MARGIN) & (when <= tonight - days + MARGIN)).to_numpy(dtype=bool, na_value=True)
        found |= _ids(rows["order_id"][inside])
    return found


def _grace_ending(conn, account: str, policy: Policy, last: pd.Timestamp, tonight: pd.Timestamp) -> set[str]:
    """Orders whose grace ended after the last as-of, on or before tonight's: purchased in
    (last − grace, tonight − grace], each with its own grace as `unsettled_order` gives it (FBA or
    seller-fulfilled, at least the business grace for a business order)."""
    t = tables.OrderLine.__table__
    fba = t.c.fulfillment_channel == "Amazon"
    business = t.c.is_business_order.is_(True)
    cases = (
        (sa.and_(fba, ~business), policy.grace_days_fba),
        (sa.and_(~sa.func.coalesce(fba, False), ~business), policy.grace_days_seller_fulfilled),
        (sa.and_(fba, business), max(policy.grace_days_fba, policy.grace_days_business)),
        (sa.and_(~sa.func.coalesce(fba, False), business), max(policy.grace_days_seller_fulfilled,
                                                               policy.grace_days_business)),
    )
    found: set[str] = set()
    for which, g in cases:  # one query a window: an OR of them makes SQLite walk the account's whole index
        found |= _column_ids(conn, sa.select(t.c.amazon_order_id).distinct().where(
            t.c.account == account, which,
            t.c.purchase_date >= (last - pd.Timedelta(days=g) - MARGIN).to_pydatetime(),
            t.c.purchase_date <= (tonight - pd.Timedelta(days=g) + MARGIN).to_pydatetime()), blank=True)
    return found


def _open_unpaid(conn, account: str) -> set[str]:
    """The orders of the open unsettled_order findings: their text names the as-of."""
    from sellerops.reconciliation.runs import PROCEDURE

    t = tables.Finding.__table__
    q = sa.select(t.c.order_id).where(t.c.account == account, t.c.procedure == PROCEDURE,
                                      t.c.kind == "unsettled_order", t.c.status == "open")
    return {r[0] for r in conn.execute(q) if r[0]}


# -- tonight's input -----------------------------------------------------------------------------

def _by_order(conn, account: str, name: str, column: str, order_ids: set[str]) -> pd.DataFrame:
    """The rows of table `name` whose `column` is one of `order_ids`, in insertion order."""
    t = tables.__dict__[{"orders": "OrderLine", "fba_returns": "FbaReturn", "seller_returns": "SellerReturn",
                         "reimbursements": "Reimbursement"}[name]].__table__
    parts = [_read_table(conn, name, (t.c.account == account) & _among(conn, t.c[column], order_ids), row_ids=True)
             ] if order_ids else []
    return _in_order(parts, name)


def _order_lines(conn, account: str, order_ids: set[str], files: dict) -> pd.DataFrame:
    """The order lines of `order_ids`, in insertion order: which (file, line) each one is from the
    database by key (three integers a row), its values from that file's columnar copy, as
    `load_input` reads them (the database for a file without a usable copy)."""
    t = tables.OrderLine.__table__
    found = list(_query_frames(conn, sa.select(t.c.id, t.c.report_file_id, t.c.line_no).where(
        t.c.account == account, _among(conn, t.c.amazon_order_id, order_ids)))) if order_ids else []
    rows = pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["id", "report_file_id", "line_no"])
    parts, missing = [], []
    for fid, group in rows.groupby("report_file_id", sort=True):
        copy = framecache.read(framecache.cache_path("orders", files[fid])) if fid in files else None
        pos = _positions(copy["line_no"], group["line_no"]) if copy is not None else None
        if copy is None or (pos < 0).any():
            missing += group["id"].astype("int64").tolist()
            continue
        part = _taken(copy, pos)
        part["_row_id"] = group["id"].to_numpy(dtype="int64")
        parts.append(part)
    if missing:
        parts.append(_read_table(conn, "orders", _among(conn, t.c.id, missing), row_ids=True))
    return _in_order(parts, "orders")


def _positions(have: pd.Series, wanted: pd.Series) -> np.ndarray:
    """Where each wanted line number is among a copy's (-1 where it is not): by binary search on
    the plain array when the copy is in line order, as it is written, else by a hash lookup."""
    have_ = have.to_numpy(dtype="int64")
    wanted_ = wanted.to_numpy(dtype="int64")
    if len(have_) < 2 or bool((have_[1:] > have_[:-1]).all()):
        pos = np.minimum(np.searchsorted(have_, wanted_), max(len(have_) - 1, 0))
        found = have_[pos] == wanted_ if len(have_) else np.zeros(len(wanted_), dtype=bool)
        return np.where(found, pos, -1)
    return pd.Index(have_).get_indexer(wanted_)


def _taken(copy: pd.DataFrame, pos: np.ndarray) -> pd.DataFrame:
    """Rows of a copy by position, each categorical keeping only the categories those rows use:
    joining a year of monthly copies' whole category sets (each its month's order ids) would cost
    more than the rows taken."""
    out = {}
    for col in copy.columns:
        values = copy[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes = values.cat.codes.to_numpy()[pos]
            used, inverse = np.unique(codes, return_inverse=True)
            keep = used[used >= 0]
            mapped = inverse.reshape(-1) - (len(used) - len(keep))  # np.unique sorts -1 (missing) first
            out[col] = pd.Categorical.from_codes(np.where(codes >= 0, mapped, -1),
                                                 categories=values.cat.categories.take(keep),
                                                 ordered=values.cat.ordered)
        else:
            out[col] = values.array.take(pos)  # keeps the column's dtype (nullable, zoned)
    return pd.DataFrame(out)


def _in_order(parts: list[pd.DataFrame], name: str) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_frame(name).iloc[:0]
    df = concat(parts)
    df = df.take(np.argsort(df["_row_id"].to_numpy(), kind="stable")).reset_index(drop=True)
    return df.drop(columns="_row_id")


def _reimbursements(conn, account: str, order_ids: set[str]) -> pd.DataFrame:
    """The reimbursements of `order_ids`, and the reversals of those reimbursements that carry no order id."""
    t = tables.Reimbursement.__table__
    mine = [_read_table(conn, "reimbursements", (t.c.account == account) & _among(conn, t.c.amazon_order_id, order_ids),
                        row_ids=True)] if order_ids else []
    ids = set().union(*(_ids(p["reimbursement_id"]) for p in mine)) if mine else set()
    reversals = [_read_table(conn, "reimbursements", (t.c.account == account) & t.c.amazon_order_id.is_(None)
                             & _among(conn, t.c.original_reimbursement_id, ids), row_ids=True)] if ids else []
    return _in_order(mine + reversals, "reimbursements")


_PAID = ("account", "order_id", "sku")
# Two independently keyed 64-bit hashes of an (account, order-id, sku): equal keys give equal pairs,
# and two different keys giving the same 128 bits is not a chance worth a settlement's strings.
_HASH_KEYS = ("0123456789123456", "sellerops paid 2")
_NA = "\x1e\x1f"  # stands for a missing value (matching only a missing value, as in `tuple_keys`)


def key_hashes(*columns: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The two hashes of each row's (account, order-id, sku): each column's values hashed as
    strings, combined in order (a missing value hashed as a marker no id holds)."""
    values = [np.where(c.notna().to_numpy(), c.astype(object).to_numpy(), _NA).astype(object) for c in columns]
    out = []
    for key in _HASH_KEYS:
        h = np.zeros(len(values[0]) if values else 0, dtype=np.uint64)
        for v in values:
            h = (h * np.uint64(1_000_003)) ^ pd.util.hash_array(v, hash_key=key, categorize=False)
        out.append(h)
    return out[0], out[1]


def paid_keys(conn, account: str, f, lines: pd.DataFrame | None = None) -> pd.DataFrame:
    """The distinct (account, order-id, sku) of one settlement file's Order lines — all
    `unsettled_order` asks of a settlement — as their hash pairs (`key_hashes`, columns h1, h2,
    sorted), from the copy kept beside its lines' copy, else derived from those lines (read when
    not given) and kept: two integers a key, read and searched each night without hashing a string."""
    path = framecache.paid_keys_path(f)
    got = framecache.read(path)
    if got is not None:
        return got
    if lines is None:
        lines = settlement_file_lines(conn, account, f)
    rows = lines.loc[equals(lines["transaction_type"], "Order"), list(_PAID)]
    h1, h2 = key_hashes(*(rows[c] for c in _PAID))
    order = np.lexsort((h2, h1))
    got = pd.DataFrame({"h1": h1[order], "h2": h2[order]}).drop_duplicates(ignore_index=True)
    framecache.write(path, got)
    return got


def is_paid(keys: pd.DataFrame, h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
    """Whether each hash pair is among a settlement's paid keys (binary search on the sorted pairs)."""
    s1, s2 = keys["h1"].to_numpy(), keys["h2"].to_numpy()
    lo, hi = np.searchsorted(s1, h1, side="left"), np.searchsorted(s1, h1, side="right")
    hit = np.zeros(len(h1), dtype=bool)
    one = hi - lo == 1
    hit[one] = s2[lo[one]] == h2[one]
    for i in np.flatnonzero(hi - lo > 1):  # the same first hash for several keys: all but never
        hit[i] = bool((s2[lo[i]:hi[i]] == h2[i]).any())
    return hit


def _drop_paid(night: Night, orders: pd.DataFrame, grace_only: set[str]) -> pd.DataFrame:
    """`orders` without the rows of `grace_only` orders that an Order line pays, per item key as
    `unsettled_order` matches them, looked up in the paid keys of the settlements that end on or
    after the purchase (less the margin), each settlement asked only about the orders it can pay
    and that none before it paid: the rest of those orders needs no settlement line."""
    mine = (pd.Index(orders["amazon_order_id"].astype(object)).isin(list(grace_only))
            & orders["purchase_date"].notna().to_numpy())
    at = np.flatnonzero(mine)
    if not len(at):
        return orders
    rows = orders.iloc[at]
    since = (rows["purchase_date"] - MARGIN).dt.tz_convert(None).to_numpy().astype("datetime64[ns]").astype("int64")
    h1, h2 = key_hashes(rows["account"], rows["amazon_order_id"], rows["sku"])
    paid = np.zeros(len(at), dtype=bool)
    periods = night.periods()
    for f in night.settlement_files():
        end = periods.get(f.id, (None, None))[1]
        near = ~paid if end is None or pd.isna(end) else ~paid & (since <= end.value)
        if not near.any():
            continue
        which = np.flatnonzero(near)
        paid[which[is_paid(paid_keys(night.conn, night.account, f), h1[which], h2[which])]] = True
    drop = np.zeros(len(orders), dtype=bool)
    drop[at[paid]] = True
    return orders[~drop].reset_index(drop=True)


def _since(orders: pd.DataFrame, scope: Scope, as_of: pd.Timestamp, horizon: int) -> pd.Series:
    """Per order judged whole (the index), the earliest settlement end that can hold its lines, as
    UTC nanoseconds: its purchase less the margin; for one without an order line, tonight's as-of
    less the horizon. Sorted, earliest first."""
    ids = orders["amazon_order_id"].astype(object).to_numpy()
    keep = pd.Index(ids).isin(list(scope.orders)) & orders["purchase_date"].notna().to_numpy()
    naive = orders["purchase_date"].dt.tz_convert(None).to_numpy().astype("datetime64[ns]")
    when = pd.Series(naive[keep].astype("int64"),
                     index=pd.Index(ids[keep], dtype=object))
    since = when.groupby(level=0).min() - MARGIN.value
    missing = sorted(scope.orders - set(since.index))
    fallback = (as_of - pd.Timedelta(days=horizon)).value
    since = pd.concat([since, pd.Series(fallback, index=pd.Index(missing, dtype=object), dtype="int64")])
    return since.sort_values(kind="stable")


def load_scoped(night: Night) -> ReconcileInput:
    """The rows tonight's scope is judged from (see the module), as `load_input` shapes them."""
    conn, account, scope = night.conn, night.account, night.scope
    every = scope.orders | scope.unsettled | scope.unpaid
    orders = _drop_paid(night, _order_lines(conn, account, every, night.files), scope.unsettled - scope.orders)
    as_of = min(_day(m["as_of"]) for m in night.markets.values()) if night.markets else pd.Timestamp.now(tz="UTC")
    scope.since = _since(orders, scope, as_of, night.policy.horizon)
    times = scope.since.to_numpy(dtype=np.int64)
    names = scope.since.index.to_numpy(dtype=object)
    periods = night.periods()
    parts = []
    for f in night.settlement_files():
        end = periods.get(f.id, (None, None))[1]
        whole = None
        if f.id in night.lines or end is None or pd.isna(end) or (len(times) and end.value >= times[0]):
            whole = night.file_lines(f)
        if whole is None:
            continue
        keep = whole["settlement_id"].isin(list(scope.settlements)).to_numpy(dtype=bool, copy=True)
        if end is None or pd.isna(end):
            wanted = names
        else:
            wanted = names[:np.searchsorted(times, end.value, side="right")]
        if len(wanted):
            keep |= whole["order_id"].isin(list(wanted)).to_numpy(dtype=bool)
        night.lines.pop(f.id, None)  # each copy is read once: memory holds tonight's rows, not the history
        if keep.any():
            parts.append(used_categories(whole[keep].reset_index(drop=True), whole.columns))
    lines = concat(parts) if parts else empty_frame("settlement_lines").iloc[:0]
    frames = {
        "settlements": night.settlements,
        "settlement_lines": lines,
        "orders": orders,
        "fba_returns": _by_order(conn, account, "fba_returns", "order_id", scope.orders),
        "seller_returns": _by_order(conn, account, "seller_returns", "order_id", scope.orders),
        "reimbursements": _reimbursements(conn, account, scope.orders),
    }
    return ReconcileInput(**{name: df if name == "settlements" else coerce(name, _with_file(df, night.files))
                             for name, df in frames.items()})


# -- what the store is handed ------------------------------------------------------------------

def carried(conn, account: str, scope: Scope) -> list[FindingRecord]:
    """The open findings outside tonight's scope, as stored: a full run would find each again as it is."""
    from sellerops.reconciliation.runs import PROCEDURE

    t = tables.Finding.__table__
    rows = conn.execute(sa.select(t).where(t.c.account == account, t.c.procedure == PROCEDURE, t.c.status == "open"))
    out = []
    for r in rows:
        if scope.judges(r.kind, r.settlement_id, r.order_id):
            continue
        out.append(FindingRecord(
            kind=r.kind, account=r.account, marketplace=r.marketplace, settlement_id=r.settlement_id,
            order_id=r.order_id, sku=r.sku, line_no=r.line_no,
            amount=from_cents(r.amount_cents) if r.amount_cents is not None else Decimal(0),
            currency=r.currency, detail=r.detail, evidence=json.loads(r.evidence) if r.evidence else [],
            claim_window_opens=r.claim_window_opens, claim_window_closes=r.claim_window_closes))
    return out
