"""The fee rule: a line charged an FBA fee or a commission out of line with the same SKU's others.

fee_outlier catches, on Order transactions, a per-unit FBA fee (FBAPerUnitFulfillmentFee) more than
`Policy.fee_tolerance_per_unit` from the median per-unit fee of the SKU's lines in the same
settlement and fee period, or a commission rate (commission over Principal + Shipping + GiftWrap +
Promotion) more than `Policy.commission_tolerance_points` percentage points from their median rate.
A comparison group (settlement, SKU, fee period) is judged only with at least
`Policy.min_lines_per_sku` lines; fee periods run from one of `Policy.fee_period_splits` (the dates
Amazon changes its fees) to the next. Identical fee copies (duplicate_charge's) are left out.
At stake: what the line was charged beyond the median — fee − median per-unit fee × quantity, and
commission − median rate × the line's base; both on one line make one finding (same key).
Settlement-local: the medians are of one settlement's lines.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from sellerops.core.money import from_cents
from sellerops.reconciliation.keys import among, combine, equals, group_ids, take, tuple_keys
from sellerops.reconciliation.model import (
    LINE_EVIDENCE,
    Context,
    FindingRecord,
    ReconcileInput,
    evidence_rows,
    is_principal,
    line_codes,
    rows_by_key,
    rule,
    show,
    text,
)

LINE_KEY = ["account", "settlement_id", "order_id", "sku"]


def fee_period(days: np.ndarray, splits: tuple[tuple[int, int], ...]) -> np.ndarray:
    """The fee period of each day (datetime64[D]) as an integer: year × 100 + the number of
    split dates on or before the day; a day before the year's first split belongs to the last
    period of the previous year."""
    ts = pd.DatetimeIndex(days)
    year = ts.year.to_numpy()
    md = ts.month.to_numpy() * 100 + ts.day.to_numpy()
    k = np.zeros(len(days), dtype="int64")
    for month, day in sorted(splits):
        k += md >= month * 100 + day
    before_first = k == 0
    return np.where(before_first, (year - 1) * 100 + len(splits), year * 100 + k)


def order_positions(inp: ReconcileInput, ctx: Context) -> np.ndarray:
    """Positions in settlement_lines of the Order transaction rows, identical fee copies left out."""
    def compute():
        lines = inp.settlement_lines
        keep = equals(line_codes(inp, ctx, "transaction_type"), "Order")
        if len(ctx.duplicate_fee_copies):
            keep &= ~lines.index.isin(ctx.duplicate_fee_copies)
        return np.flatnonzero(keep)
    return ctx.memo(inp, "order_positions", compute)


def _order_items(inp: ReconcileInput, ctx: Context) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """One row per (account, settlement, order, sku) of Order transactions, identical fee
    copies left out: quantity, fees, commission and the base the referral fee is charged on.
    Also the positions of those Order rows in settlement_lines and each one's item (group)
    number; `cmp_group` numbers the fee comparison group (account, settlement, sku, fee period)."""
    lines = inp.settlement_lines
    pos = order_positions(inp, ctx)
    amount = lines["amount_cents"].array.take(pos).to_numpy(dtype="int64", na_value=0)
    a_type, desc = take(line_codes(inp, ctx, "amount_type"), pos), take(line_codes(inp, ctx, "amount_description"), pos)
    item_price = equals(a_type, "ItemPrice")
    principal = is_principal(a_type, desc)
    fees = equals(a_type, "ItemFees")
    is_fba_fee = fees & equals(desc, "FBAPerUnitFulfillmentFee")
    is_commission = fees & equals(desc, "Commission")
    in_base = (item_price & among(desc, ("Principal", "Shipping", "GiftWrap"))) | equals(a_type, "Promotion")
    qty = lines["quantity_purchased"].array.take(pos).to_numpy(dtype="int64", na_value=0)
    account, settlement, order, sku = (take(line_codes(inp, ctx, c), pos) for c in LINE_KEY)
    (line_key,) = tuple_keys([account, settlement, order, sku])
    (sku_key,) = tuple_keys([account, settlement, sku])
    gid, n = group_ids(line_key)
    g = _Groups(gid)
    first = g.first_rows
    items = pd.DataFrame({column: pd.Series(lines[column].array.take(pos[first])).to_numpy(dtype=object, na_value=np.nan)
                          for column in LINE_KEY})
    for column in ("marketplace", "currency"):
        items[column] = g.first_valid(take(line_codes(inp, ctx, column), pos))
    items["qty"], items["any_qty"] = g.sum(np.where(principal, qty, 0)), g.max(qty)
    items["fba_fee"], items["fba_rows"] = g.sum(np.where(is_fba_fee, amount, 0)), g.sum(is_fba_fee.astype("int64"))
    items["commission"] = g.sum(np.where(is_commission, amount, 0))
    items["commission_rows"] = g.sum(is_commission.astype("int64"))
    items["base"] = g.sum(np.where(in_base, amount, 0))
    items["posted"] = g.min_time(np.asarray(lines["posted_date_time"].array.take(pos).tz_convert(None)))
    items["qty"] = np.where(items["qty"] > 0, items["qty"], items["any_qty"])
    posted = items["posted"]
    if posted.isna().any():
        fallback = pd.Series(lines["posted_date"].array.take(pos)).groupby(gid, sort=True).first()
        filled = pd.to_datetime(fallback.to_numpy(), utc=True)
        posted = posted.where(posted.notna(), pd.Series(filled, index=items.index))
    items["period"] = fee_period(pd.to_datetime(posted, utc=True).dt.tz_convert(None).to_numpy().astype("datetime64[D]"),
                                 ctx.policy.fee_period_splits)
    period, n_periods = group_ids(items["period"].to_numpy())
    items["cmp_group"] = combine([(group_ids(sku_key[first])[0], n), (period, n_periods)])
    items["item_no"] = np.arange(n)
    return items, pos, gid


class _Groups:
    """Reductions over rows numbered by group (0..n-1 in order of first appearance), in exact
    int64: one stable sort (none when the groups' rows already come one after the other, as an
    order's settlement lines do), then `reduceat` per column."""

    def __init__(self, gid: np.ndarray):
        self.gid = gid
        grouped = not len(gid) or bool((gid[1:] >= gid[:-1]).all())
        self.order = None if grouped else np.argsort(gid, kind="stable")
        ordered = self._ordered(gid)
        self.starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]]) if len(gid) else np.array([], dtype=np.int64)
        self.first_rows = self.starts if self.order is None else self.order[self.starts]

    def _ordered(self, values: np.ndarray) -> np.ndarray:
        return values if self.order is None else values[self.order]

    def sum(self, values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(self._ordered(values), self.starts) if len(self.starts) else values[:0]

    def max(self, values: np.ndarray) -> np.ndarray:
        return np.maximum.reduceat(self._ordered(values), self.starts) if len(self.starts) else values[:0]

    def min_time(self, values: np.ndarray) -> np.ndarray:
        """The earliest datetime64 of each group, NaT skipped (NaT when the group has none)."""
        never = np.iinfo(np.int64).max
        ints = np.where(np.isnat(values), never, values.view(np.int64))
        least = np.minimum.reduceat(self._ordered(ints), self.starts) if len(self.starts) else ints[:0]
        return np.where(least == never, np.datetime64("NaT"), least.view(values.dtype)).astype(values.dtype)

    def first_valid(self, made: tuple[np.ndarray, pd.Index]) -> np.ndarray:
        """The first non-blank value of each group (as `groupby.first`), NaN when all are blank."""
        found, uniques = made
        out = np.full(len(self.starts), np.nan, dtype=object)
        if not len(self.starts):
            return out
        ordered = self._ordered(found)
        if (ordered >= 0).all():  # no blank (the usual case): each group's first row
            return uniques.to_numpy(dtype=object)[ordered[self.starts]]
        # the stable sort keeps each group's rows in their order: its first valid row is the least
        # sorted position holding a value (no second sort of the rows)
        never = len(ordered)
        first = np.minimum.reduceat(np.where(ordered >= 0, np.arange(never), never), self.starts)
        has = first < never
        out[has] = uniques.to_numpy(dtype=object)[ordered[first[has]]]
        return out


def _outliers(items: pd.DataFrame, num: str, den: str, tolerance: Fraction, min_lines: int) -> pd.DataFrame:
    """Lines whose num/den differs from the median of their (settlement, sku, fee period) by more
    than `tolerance`. Floats screen; the few candidates are re-judged with exact fractions."""
    m = items[items[den] > 0].copy()
    m["value"] = -m[num].to_numpy(dtype="float64") / m[den].to_numpy(dtype="float64")
    m["n"] = m.groupby("cmp_group", sort=False)["value"].transform("size")
    m = m[m["n"] >= min_lines]
    m["median"] = m.groupby("cmp_group", sort=False)["value"].transform("median")
    loose = float(tolerance) * (1 - 1e-9) - 1e-12
    candidates = m[(m["value"] - m["median"]).abs() > loose]
    if candidates.empty:
        return candidates.assign(exact_median=[])
    members = m[m["cmp_group"].isin(candidates["cmp_group"].unique())]
    medians = _exact_medians(members, num, den)
    keep, exact = [], []
    for r in candidates.itertuples(index=False):
        med = medians[r.cmp_group]
        value = Fraction(-int(getattr(r, num)), int(getattr(r, den)))
        keep.append(abs(value - med) > tolerance)
        exact.append(med)
    return candidates.assign(exact_median=exact)[keep]


def _exact_medians(members: pd.DataFrame, num: str, den: str) -> dict:
    """The exact median of -num/den per cmp_group, as a Fraction. The lines are ordered by their
    float value, which orders them exactly: two different fractions of integers this size (cents,
    units) are further apart than float64 rounding can close, and equal ones round alike. Only the
    one or two middle lines of each group are then made Fractions, not one per line of every group."""
    ordered = members.sort_values(["cmp_group", "value"], kind="stable")
    groups = ordered["cmp_group"].to_numpy()
    if not len(groups):
        return {}
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    counts = np.diff(np.r_[starts, len(groups)])
    nums, dens = ordered[num].to_numpy(), ordered[den].to_numpy()

    def at(i: int) -> Fraction:
        return Fraction(-int(nums[i]), int(dens[i]))

    return {groups[s]: (at(s + (c - 1) // 2) + at(s + c // 2)) / 2 for s, c in zip(starts, counts)}


@rule(local=True)
def fee_outlier(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """A line's per-unit FBA fee or commission rate out of line with its comparison group's median
    (see the module). The minimum number of lines is counted in that group (settlement, SKU, fee
    period): a median over fewer lines would judge nothing but noise."""
    p = ctx.policy
    items, pos, gid = _order_items(inp, ctx)
    fee_items = items[items["fba_rows"] > 0]
    fba = _outliers(fee_items, "fba_fee", "qty", Fraction(p.fee_tolerance_per_unit) * 100, p.min_lines_per_sku)
    com_items = items[(items["commission_rows"] > 0) & (items["base"] > 0)]
    com = _outliers(com_items, "commission", "base", Fraction(p.commission_tolerance_points) / 100, p.min_lines_per_sku)
    found: dict[tuple, dict] = {}
    for r in fba.to_dict("records"):
        over = Fraction(-int(r["fba_fee"])) - r["exact_median"] * int(r["qty"])
        d = found.setdefault(tuple(r[c] for c in LINE_KEY), {"r": r, "gid": r["item_no"], "at_stake": Fraction(0), "why": []})
        d["at_stake"] += over
        d["why"].append(f"FBA fee {from_cents(Fraction(-int(r['fba_fee']), int(r['qty'])))} a unit × {int(r['qty'])} "
                        f"against the SKU's median {from_cents(r['exact_median'])}")
    for r in com.to_dict("records"):
        over = Fraction(-int(r["commission"])) - r["exact_median"] * int(r["base"])
        d = found.setdefault(tuple(r[c] for c in LINE_KEY), {"r": r, "gid": r["item_no"], "at_stake": Fraction(0), "why": []})
        d["at_stake"] += over
        rate = Fraction(-int(r["commission"]), int(r["base"])) * 100
        d["why"].append(f"commission {float(rate):.2f}% of {show(r['base'])} against the SKU's median "
                        f"{float(r['exact_median'] * 100):.2f}%")
    if not found:
        return []
    keys = pd.DataFrame([dict(zip(LINE_KEY, k)) for k in found])
    wanted = np.isin(gid, [d["gid"] for d in found.values()])
    rows = rows_by_key(inp.settlement_lines.iloc[pos[wanted]], LINE_KEY, keys)
    out = []
    for key, d in found.items():
        r = d["r"]
        out.append(FindingRecord(
            kind="fee_outlier", account=r["account"], marketplace=r["marketplace"],
            settlement_id=r["settlement_id"], order_id=text(r["order_id"]), sku=text(r["sku"]), line_no=None,
            amount=from_cents(d["at_stake"]), currency=r["currency"],
            detail=f"order {r['order_id']} sku {r['sku']} in settlement {r['settlement_id']}: " + "; ".join(d["why"]),
            evidence=evidence_rows(rows.get(key, pd.DataFrame()), LINE_EVIDENCE),
        ))
    return out
