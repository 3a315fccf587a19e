"""Splitting one reconciliation into independent pieces, so a Dask cluster can run them side by side.

Pure pandas, like the rules: the Dask wiring lives in tasks/reconcile.py and flows/reconcile_dask.py.
Two kinds of piece, each a `Partition` carrying the rows its rules need and the subject it owns:

- one per settlement, for the settlement-local rules (each rule declares it: `@rule(local=True)`
  judges lines against their own settlement's total, copies or medians): that settlement's lines,
  and the order, return and reimbursement rows of the orders those lines mention; the settlements
  with no line in the input (most of them, on a bounded night's input) share one piece;
- one per bucket of order ids (a stable hash), for the order-level rules: an order's order line and its
  settlement lines in any settlement share its order id, so a bucket holds everything an order's finding
  is computed from however many months it spans (a partition by purchase month would split a sale from
  a refund settled months later). Returns and reimbursements (small) stay whole in every piece.

Every piece keeps the whole settlements table (one row per settlement, small), so `build_context`
derives the same as-of and earliest settlement per market in every piece as in the whole run. A piece
may compute findings about subjects it does not own (a settlement whose lines it lacks); `owns`
keeps only its own, so the union over the pieces is exactly the in-process `reconcile`.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

import pandas as pd

from sellerops.reconciliation import RULES
from sellerops.reconciliation.model import FindingRecord, ReconcileInput, build_context, used_categories
from sellerops.reconciliation.policy import Policy

# Read from the rules themselves: a rule cannot be added without saying where it runs.
SETTLEMENT_RULES = tuple(kind for kind, r in RULES.items() if r.local)
ORDER_RULES = tuple(kind for kind, r in RULES.items() if not r.local)
# Order ids live under these columns in the big order-keyed tables. Returns and reimbursements are
# small and stay whole in every piece: a reimbursement's reversal may carry no order id of its own, only
# the reimbursement it reverses, so splitting them by order id would lose the reversal.
_ORDER_COLUMN = {"settlement_lines": "order_id", "orders": "amazon_order_id"}
_WHOLE = ("fba_returns", "seller_returns", "reimbursements")


@dataclass(frozen=True)
class Partition:
    """A piece of one run: its rules, its rows, and the subject whose findings it owns."""

    name: str
    rules: tuple[str, ...]
    inp: ReconcileInput
    settlement_id: str | None = None  # a settlement piece owns this settlement's findings
    bucket: int | None = None  # an order piece owns the orders hashing to bucket (of `buckets`)
    buckets: int = 1
    without_lines: frozenset = frozenset()  # the piece of the settlements with no line in the input owns these

    def owns(self, f: FindingRecord) -> bool:
        if self.without_lines:
            return f.settlement_id in self.without_lines
        if self.settlement_id is not None:
            return f.settlement_id == self.settlement_id
        return order_bucket(f.order_id, self.buckets) == self.bucket


def order_bucket(order_id, buckets: int) -> int:
    """A stable bucket (the same in every process and run); findings without an order go to bucket 0."""
    if order_id is None or (not isinstance(order_id, str) and pd.isna(order_id)):
        return 0
    return zlib.crc32(str(order_id).encode("utf-8")) % buckets


def _buckets_of(series: pd.Series, buckets: int) -> pd.Series:
    return series.map(lambda v: order_bucket(v, buckets)).astype("int64")


def _rows_of_orders(inp: ReconcileInput, order_ids: set) -> dict[str, pd.DataFrame]:
    return {"orders": compact(inp.orders[inp.orders["amazon_order_id"].isin(order_ids).to_numpy()]),
            **{t: getattr(inp, t) for t in _WHOLE}}


_FEW = 256  # categories a piece's column keeps whether it uses them or not


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """A slice relabelled 0..n-1 (a piece is a table of its own to the rules, labelled as load_input
    gives them) with only the categories it uses: a piece is pickled to reach its
    worker (or its spill file), and a settlement's slice would otherwise carry every order id of
    the input (a column of a few categories keeps them all: cheaper)."""
    return used_categories(frame.reset_index(drop=True), frame.columns, more_than=_FEW)


def settlement_partitions(inp: ReconcileInput) -> list[Partition]:
    """A piece per settlement with lines in `inp`, and one for all those without (each judged against
    no lines, as the whole run judges them): a bounded night's input holds the lines of a few
    settlements, not of every settlement in the table, and a task per empty one costs a task run."""
    lines = inp.settlement_lines
    at = lines.groupby("settlement_id", observed=True, sort=False).indices if len(lines) else {}
    parts, empty = [], []
    for sid in sorted(inp.settlements["settlement_id"].dropna().unique()):
        if sid not in at:
            empty.append(sid)
            continue
        mine = compact(lines.take(at[sid]))
        orders = set(mine["order_id"].dropna().unique())
        piece = ReconcileInput(settlements=inp.settlements, settlement_lines=mine, **_rows_of_orders(inp, orders))
        parts.append(Partition(f"settlement {sid}", SETTLEMENT_RULES, piece, settlement_id=sid))
    if empty:
        piece = ReconcileInput(settlements=inp.settlements, settlement_lines=compact(lines.iloc[:0]),
                               **_rows_of_orders(inp, set()))
        parts.append(Partition(f"settlements without lines ({len(empty)})", SETTLEMENT_RULES, piece,
                               without_lines=frozenset(empty)))
    return parts


def order_partitions(inp: ReconcileInput, buckets: int = 8) -> list[Partition]:
    buckets = max(1, int(buckets))
    tagged = {t: _buckets_of(getattr(inp, t)[c], buckets) for t, c in _ORDER_COLUMN.items()}
    parts = []
    for b in range(buckets):
        frames = {t: compact(getattr(inp, t)[(tag == b).to_numpy()]) for t, tag in tagged.items()}
        piece = ReconcileInput(settlements=inp.settlements, **frames, **{t: getattr(inp, t) for t in _WHOLE})
        parts.append(Partition(f"orders {b + 1}/{buckets}", ORDER_RULES, piece, bucket=b, buckets=buckets))
    return parts


def partitions(inp: ReconcileInput, order_buckets: int = 8) -> list[Partition]:
    """Every piece of a run over `inp`: one per settlement, then the order buckets."""
    return settlement_partitions(inp) + order_partitions(inp, order_buckets)


def run_partition(part: Partition, as_of: dt.date | None, policy: Policy) -> list[FindingRecord]:
    """The findings a piece owns (what a Dask task computes)."""
    ctx = build_context(part.inp, as_of, policy)
    return [f for name in part.rules for f in RULES[name](part.inp, ctx) if part.owns(f)]


def merge(results: list[list[FindingRecord]]) -> list[FindingRecord]:
    """The pieces' findings in rule order, then by key (the in-process order within a rule is not promised)."""
    rank = {name: i for i, name in enumerate(RULES)}
    return sorted((f for r in results for f in r), key=lambda f: (rank.get(f.kind, len(rank)), f.key))
