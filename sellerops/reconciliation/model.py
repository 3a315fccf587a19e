"""What the reconciliation rules share: their input, their output record, what a rule is (`Rule`,
declared with `@rule(local=...)`), the context computed once per run (as-of and earliest settlement
per account, marketplace and currency, and the identical fee copies that the fee rules must not
see), and the facts several rule families read the same way (the principal row, item keys).

Pure pandas and Decimal: no Prefect, no database. Money stays integer cents in the frames; a
Decimal is built only for the findings emitted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from sellerops.core.money import from_cents
from sellerops.reconciliation.frames import empty_frame
from sellerops.reconciliation.keys import Codes, among, codes, equals, take, tuple_keys
from sellerops.reconciliation.policy import Policy

FEE_AMOUNT_TYPES = ("ItemFees", "ShipmentFees")
MARKET_KEY = ["account", "marketplace", "currency"]
ITEM_KEY = ["account", "order_id", "sku"]
EVIDENCE_ROWS = 6
LINE_EVIDENCE = [
    "settlement_id", "transaction_type", "order_id", "sku", "amount_type", "amount_description",
    "amount_cents", "quantity_purchased", "fulfillment_id", "posted_date", "posted_date_time",
]


@dataclass(frozen=True)
class ReconcileInput:
    """One frame per stored table (columns: the model fields plus `file`); see frames.py."""

    settlements: pd.DataFrame = field(default_factory=lambda: empty_frame("settlements"))
    settlement_lines: pd.DataFrame = field(default_factory=lambda: empty_frame("settlement_lines"))
    orders: pd.DataFrame = field(default_factory=lambda: empty_frame("orders"))
    fba_returns: pd.DataFrame = field(default_factory=lambda: empty_frame("fba_returns"))
    seller_returns: pd.DataFrame = field(default_factory=lambda: empty_frame("seller_returns"))
    reimbursements: pd.DataFrame = field(default_factory=lambda: empty_frame("reimbursements"))


@dataclass(frozen=True)
class FindingRecord:
    """One discrepancy: what it is about, the money at stake (positive = owed to the seller) and
    the handful of source rows that show it."""

    kind: str
    account: str
    marketplace: str
    settlement_id: str | None
    order_id: str | None
    sku: str | None
    line_no: int | None
    amount: Decimal
    currency: str
    detail: str
    evidence: list[dict[str, Any]] = field(default_factory=list, compare=False)
    claim_window_opens: dt.date | None = None
    claim_window_closes: dt.date | None = None

    @property
    def key(self) -> str:
        """Stable across runs: the account, the kind and the subject, never the amount or text."""
        parts = (self.account, self.kind, self.settlement_id, self.order_id, self.sku, self.line_no)
        text = "\x1f".join("" if p is None else str(p) for p in parts)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Context:
    """Computed once per run and handed to every rule. It belongs to the input it was built
    from: what several rules need (integer keys, the refund aggregates) is computed on first use
    and kept in `memo` for the rest of the run."""

    policy: Policy
    # One row per (account, marketplace, currency) with settlements: as_of (datetime64[D]) and
    # earliest_start (the start of the earliest settlement loaded, tz-aware UTC).
    markets: pd.DataFrame
    # Index labels of settlement_lines that are identical extra copies of a fee row.
    duplicate_fee_copies: pd.Index
    # For each copy (index: its label), the label of the genuine row it copies.
    duplicate_fee_originals: pd.Series = field(default_factory=lambda: pd.Series([], dtype=object))
    memo_store: dict = field(default_factory=dict, compare=False, repr=False)

    def memo(self, inp: ReconcileInput, name: str, compute: Callable[[], Any]) -> Any:
        """`compute()` once per input and name; later calls return the same object."""
        key = (name, id(inp))
        if key not in self.memo_store:
            self.memo_store[key] = (inp, compute())  # holding inp keeps its id from being reused
        return self.memo_store[key][1]


class Rule:
    """A reconciliation rule: a pure function `(inp, ctx) -> findings` named after the kind of
    finding it makes, and whether it is settlement-local — judged from one settlement's own lines
    alone (its total, its copies, its medians), so a partitioned run gives it one settlement a piece
    instead of a bucket of orders."""

    def __init__(self, find: Callable[["ReconcileInput", "Context"], list["FindingRecord"]], local: bool):
        functools.update_wrapper(self, find)
        self.kind: str = find.__name__
        self.local = local
        self.find = find

    def __call__(self, inp: "ReconcileInput", ctx: "Context") -> list["FindingRecord"]:
        return self.find(inp, ctx)

    def __repr__(self) -> str:
        return f"Rule({self.kind}, local={self.local})"


def rule(*, local: bool) -> Callable[[Callable], Rule]:
    """Declare a function a rule. `local` has no default: a new rule must say where it runs."""
    return lambda find: Rule(find, local=local)


def build_context(inp: ReconcileInput, as_of: dt.date | None, policy: Policy) -> Context:
    s = inp.settlements
    markets = (
        s.groupby(MARKET_KEY, dropna=True, sort=True, observed=True)
        .agg(latest_end=("settlement_end_date", "max"), earliest_start=("settlement_start_date", "min"))
        .reset_index()
    )
    markets[MARKET_KEY] = markets[MARKET_KEY].astype(object)
    if as_of is not None:
        markets["as_of"] = np.datetime64(as_of, "D")
    else:
        markets["as_of"] = _days(markets["latest_end"])
    ctx = Context(policy=policy, markets=markets, duplicate_fee_copies=inp.settlement_lines.index[:0])
    copies, originals = _duplicate_fee_copies(inp, ctx)
    return dataclasses.replace(ctx, duplicate_fee_copies=copies, duplicate_fee_originals=originals)


def line_codes(inp: ReconcileInput, ctx: Context, column: str) -> Codes:
    """A settlement_lines column as integer codes, factorized once per run (free on a categorical)."""
    return ctx.memo(inp, f"line_codes:{column}", lambda: codes(inp.settlement_lines[column]))


def _duplicate_fee_copies(inp: ReconcileInput, ctx: Context) -> tuple[pd.Index, pd.Series]:
    """Fee rows identical (same raw digest) to an earlier fee row of the same settlement: the
    genuine one is the lowest line number (then the earliest row). Copies come ordered by
    account, settlement and line number; each mapped to the label of its genuine row."""
    lines = inp.settlement_lines
    pos = np.flatnonzero(among(line_codes(inp, ctx, "amount_type"), FEE_AMOUNT_TYPES))
    if not len(pos):
        return lines.index[:0], pd.Series([], index=lines.index[:0], dtype=object)
    (key,) = tuple_keys([take(line_codes(inp, ctx, "account"), pos), take(line_codes(inp, ctx, "settlement_id"), pos),
                         lines["raw_digest"].iloc[pos]])
    line_no = lines["line_no"].iloc[pos].to_numpy(dtype="float64", na_value=np.inf)
    order = np.lexsort((np.arange(len(pos)), line_no, key))
    sorted_key = key[order]
    copy = np.r_[False, sorted_key[1:] == sorted_key[:-1]]
    if not copy.any():
        return lines.index[:0], pd.Series([], index=lines.index[:0], dtype=object)
    run_start = np.maximum.accumulate(np.where(copy, 0, np.arange(len(order))))
    copy_pos, original_pos = pos[order[copy]], pos[order[run_start[copy]]]
    by_position = np.argsort(copy_pos, kind="stable")
    copy_pos, original_pos = copy_pos[by_position], original_pos[by_position]
    found = lines[["account", "settlement_id", "line_no"]].iloc[copy_pos].astype({"account": object, "settlement_id": object})
    order = found.reset_index(drop=True).sort_values(["account", "settlement_id", "line_no"], kind="stable").index
    labels = lines.index[copy_pos[order]]
    return labels, pd.Series(lines.index[original_pos[order]], index=labels)


def is_principal(amount_type: pd.Series | Codes, amount_description: pd.Series | Codes) -> np.ndarray:
    """The principal row: the item's price the buyer paid (ItemPrice / Principal), the one amount of
    an order or refund that says what was sold or given back."""
    return equals(amount_type, "ItemPrice") & equals(amount_description, "Principal")


def principal_rows(inp: ReconcileInput, ctx: Context, transaction_type: str) -> np.ndarray:
    """Positions in settlement_lines of the principal rows of one transaction type, once per run."""
    def compute():
        return np.flatnonzero(equals(line_codes(inp, ctx, "transaction_type"), transaction_type)
                              & is_principal(line_codes(inp, ctx, "amount_type"),
                                             line_codes(inp, ctx, "amount_description")))
    return ctx.memo(inp, f"principal_rows:{transaction_type}", compute)


def item_keys(inp: ReconcileInput, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """(account, order-id, sku) as comparable integers: one per settlement line, one per order."""
    def compute():
        orders = inp.orders
        return tuple(tuple_keys([line_codes(inp, ctx, c) for c in ITEM_KEY],
                                [orders["account"], orders["amazon_order_id"], orders["sku"]]))
    return ctx.memo(inp, "item_keys", compute)


def lines_of(inp: ReconcileInput, ctx: Context, at: np.ndarray, keys: np.ndarray) -> pd.DataFrame:
    """The settlement lines at positions `at` whose item key is one of `keys`."""
    line_keys, _ = item_keys(inp, ctx)
    return inp.settlement_lines.iloc[at[np.isin(line_keys[at], keys)]]


def orders_by_order_id(inp: ReconcileInput) -> pd.DataFrame:
    """The order lines with `amazon_order_id` named `order_id`, as in the settlement lines."""
    return inp.orders.rename(columns={"amazon_order_id": "order_id"})


def with_market(frame: pd.DataFrame, ctx: Context, currency_column: str = "currency") -> pd.DataFrame:
    """`frame` joined to its market's as_of and earliest_start. A row without a currency takes its
    marketplace's currency when the marketplace settles in one currency only."""
    markets = ctx.markets
    currency = pd.Series(frame[currency_column].to_numpy(dtype=object), index=frame.index)
    single = markets.groupby(["account", "marketplace"]).filter(lambda g: len(g) == 1)
    fill = single.set_index(["account", "marketplace"])["currency"]
    missing = currency.isna().to_numpy()
    if missing.any() and len(fill):
        idx = pd.MultiIndex.from_frame(frame.loc[missing, ["account", "marketplace"]].astype(object))
        currency[missing] = fill.reindex(idx).to_numpy()
    mine, theirs = tuple_keys([frame["account"], frame["marketplace"], currency],
                              [markets["account"], markets["marketplace"], markets["currency"]])
    at = pd.Index(theirs).get_indexer(mine)
    out = frame.copy(deep=False)  # two columns added: the rows are not copied (half a million orders)
    for column in ("as_of", "earliest_start"):
        out[column] = pd.api.extensions.take(markets[column].array, at, allow_fill=True)
    return out


def _days(series: pd.Series) -> np.ndarray:
    """UTC calendar days (datetime64[D]) of a tz-aware datetime series; NaT stays NaT."""
    values = pd.to_datetime(series, utc=True).dt.tz_convert(None)
    return values.to_numpy().astype("datetime64[D]")



def show(cents: Any) -> str:
    return "blank" if cents is None or pd.isna(cents) else f"{from_cents(int(cents))}"


def _jsonable(value: Any) -> Any:
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    return value


def evidence_rows(rows: pd.DataFrame, columns: Iterable[str], line_column: str = "line_no") -> list[dict]:
    """Source rows as {file, line, values}; `*_cents` values shown as decimal strings."""
    return [evidence_of(record, columns, line_column) for record in rows.head(EVIDENCE_ROWS).to_dict("records")]


def evidence_of(record: dict, columns: Iterable[str], line_column: str = "line_no") -> dict:
    """One source row (a record of a frame) as evidence: a rule that already holds the row as a
    dict need not build a one-row frame for it (thousands of findings a night)."""
    values = {}
    for column in columns:
        value = _jsonable(record.get(column))
        if value is None:
            continue
        if column.endswith("_cents"):
            values[column[: -len("_cents")]] = str(from_cents(int(value)))
        else:
            values[column] = value
    return {"file": _jsonable(record.get("file")), "line": _jsonable(record.get(line_column)), "values": values}


def rows_by_key(frame: pd.DataFrame, keycols: list[str], keys: pd.DataFrame) -> dict[tuple, pd.DataFrame]:
    """The rows of `frame` for each wanted key (a frame of `keycols`), sorted by line number,
    at most EVIDENCE_ROWS each — a semi-join, so it stays cheap over millions of rows: one
    column's membership first (order-id when there is one), the whole key on what is left."""
    if keys.empty or frame.empty:
        return {}
    wanted = keys[keycols].drop_duplicates()
    first = "order_id" if "order_id" in keycols else keycols[0]
    values = wanted[first]
    near = among(frame[first], values.dropna().unique().tolist())
    if values.isna().any():
        near |= frame[first].isna().to_numpy()
    frame = frame[near]
    if frame.empty:
        return {}
    mask = pd.MultiIndex.from_frame(frame[keycols].astype(object)).isin(
        pd.MultiIndex.from_frame(wanted.astype(object)))
    picked = used_categories(frame[mask], keycols)
    if "line_no" in picked.columns:
        picked = picked.sort_values("line_no", kind="stable")
    picked = picked.groupby(keycols, sort=False, dropna=False, observed=True).head(EVIDENCE_ROWS)
    return {k: g for k, g in picked.groupby(keycols, sort=False, dropna=False, observed=True)}


def used_categories(frame: pd.DataFrame, columns: Iterable[str], more_than: int = 0) -> pd.DataFrame:
    """`frame` with its categorical `columns` (those of more than `more_than` categories) keeping
    only the categories its rows use. A few rows picked out of millions still carry every order id
    of the input as categories, and pandas' groupby and pickling work over all of them."""
    out = frame
    for column in columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype) and len(values.cat.categories) > more_than:
            if out is frame:
                out = frame.copy(deep=False)
            out[column] = values.cat.remove_unused_categories()
    return out


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a (small) frame with categorical columns as plain objects, for string merges and
    in-place fills that must not be limited to a column's existing categories."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def text(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
