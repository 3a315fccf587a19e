"""Each reconciliation rule again, plainly: row by row in pure Python, slow and obviously correct.

This is where a rule's meaning is read. The fast rules in `sellerops.reconciliation` group integer
codes, screen with floats and memoise; these walk the rows as dicts and say what each rule means,
in the words of its module's docstring. `test_reference.py` checks that both find the same
findings — keys, amounts, currencies, claim windows, and the source rows shown as evidence — on
generated sellers of several seeds.

A finding is returned as a `Found`: its key fields, amount (Decimal), currency, claim window and
evidence as the (file, line) of each row shown, in order.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from sellerops.core.money import from_cents
from sellerops.reconciliation import Policy, ReconcileInput

EVIDENCE_ROWS = 6  # a finding shows at most this many rows of each kind of evidence
FEE_TYPES = ("ItemFees", "ShipmentFees")


@dataclass(frozen=True)
class Found:
    kind: str
    account: str
    settlement_id: str | None
    order_id: str | None
    sku: str | None
    line_no: int | None
    amount: Decimal
    currency: str
    evidence: tuple[tuple[str, int], ...]
    claim_window: tuple[dt.date, dt.date] | None = None


# ---- reading the frames as plain rows ------------------------------------------------------------

def _blank(v) -> bool:
    return v is None or (not isinstance(v, (str, list, dict)) and pd.isna(v))


def rows(frame: pd.DataFrame) -> list[dict]:
    """A frame as dicts with blanks as None and every value a plain Python one."""
    out = []
    for i, r in enumerate(frame.astype(object).to_dict("records")):
        out.append({k: (None if _blank(v) else v) for k, v in r.items()} | {"_pos": i})
    return out


def _n(v) -> int:
    """A number where a blank counts as nothing (as a sum skips it)."""
    return 0 if v is None else int(v)


def _utc_day(t) -> dt.date:
    return pd.Timestamp(t).tz_convert("UTC").date()


def _shown(rs: list[dict], file_key: str = "file", line_key: str = "line_no") -> tuple[tuple[str, int], ...]:
    """Evidence: the rows sorted by line number (ties in table order), at most EVIDENCE_ROWS."""
    ordered = sorted(rs, key=lambda r: (r[line_key] is None, r[line_key] or 0, r["_pos"]))[:EVIDENCE_ROWS]
    return tuple((r[file_key], r[line_key]) for r in ordered)


def _key(r: dict, order_column: str = "order_id", sku_column: str = "sku") -> tuple:
    return r["account"], r[order_column], r[sku_column]


def _complete(key: tuple) -> bool:
    return all(part is not None for part in key)


class Seller:
    """The input as rows, with the facts every rule reads: markets' as-of and history start."""

    def __init__(self, inp: ReconcileInput, as_of: dt.date | None, policy: Policy):
        self.policy = policy
        self.settlements = rows(inp.settlements)
        self.lines = rows(inp.settlement_lines)
        self.orders = rows(inp.orders)
        self.fba_returns = rows(inp.fba_returns)
        self.seller_returns = rows(inp.seller_returns)
        self.reimbursements = rows(inp.reimbursements)
        # per (account, marketplace, currency): the as-of day and the start of the earliest settlement
        self.markets: dict[tuple, tuple[dt.date, pd.Timestamp]] = {}
        by_market = defaultdict(list)
        for s in self.settlements:
            market = (s["account"], s["marketplace"], s["currency"])
            if _complete(market):
                by_market[market].append(s)
        for market, ss in by_market.items():
            ends = [s["settlement_end_date"] for s in ss if s["settlement_end_date"] is not None]
            starts = [s["settlement_start_date"] for s in ss if s["settlement_start_date"] is not None]
            day = as_of if as_of is not None else (_utc_day(max(ends)) if ends else None)
            self.markets[market] = (day, min(starts) if starts else None)

    def market_of(self, account, marketplace, currency) -> tuple[dt.date | None, pd.Timestamp | None]:
        """A row's market; a row without a currency takes its marketplace's when it settles in one."""
        if currency is None:
            currencies = [m[2] for m in self.markets if m[:2] == (account, marketplace)]
            currency = currencies[0] if len(currencies) == 1 else None
        return self.markets.get((account, marketplace, currency), (None, None))

    def fee_copies(self) -> dict[int, dict]:
        """Each fee row identical (raw digest) to an earlier fee row of its settlement, by position,
        mapped to the genuine row: the lowest line number, then the earliest row."""
        groups = defaultdict(list)
        for r in self.lines:
            if r["amount_type"] in FEE_TYPES:
                groups[(r["account"], r["settlement_id"], r["raw_digest"])].append(r)
        copies = {}
        for same in groups.values():
            same.sort(key=lambda r: (r["line_no"] is None, r["line_no"] or 0, r["_pos"]))
            for copy in same[1:]:
                copies[copy["_pos"]] = same[0]
        return copies


def _is_principal(r: dict) -> bool:
    return r["amount_type"] == "ItemPrice" and r["amount_description"] == "Principal"


# ---- settlements ------------------------------------------------------------------------------------

def settlement_total_mismatch(s: Seller) -> list[Found]:
    out = []
    for st in s.settlements:
        mine = [r for r in s.lines if (r["account"], r["settlement_id"]) == (st["account"], st["settlement_id"])]
        rows_cents = sum(_n(r["amount_cents"]) for r in mine)
        if st["total_amount_cents"] is None:
            continue
        diff = rows_cents - st["total_amount_cents"]
        if abs(diff) > s.policy.tolerance_cents:
            out.append(Found("settlement_total_mismatch", st["account"], st["settlement_id"], None, None, None,
                             from_cents(diff), st["currency"], ((st["file"], st["summary_line"]),)))
    return out


def duplicate_charge(s: Seller) -> list[Found]:
    out = []
    for pos, original in s.fee_copies().items():
        r = s.lines[pos]
        out.append(Found("duplicate_charge", r["account"], r["settlement_id"], r["order_id"], r["sku"], r["line_no"],
                         from_cents(-_n(r["amount_cents"])), r["currency"],
                         ((original["file"], original["line_no"]), (r["file"], r["line_no"]))))
    return out


# ---- fees -------------------------------------------------------------------------------------------

def fee_period(day: dt.date, splits) -> int:
    """year × 100 + how many of the year's split dates fall on or before the day; a day before the
    first split belongs to the previous year's last period."""
    k = sum((day.month, day.day) >= (m, d) for m, d in splits)
    return (day.year - 1) * 100 + len(splits) if k == 0 else day.year * 100 + k


def fee_outlier(s: Seller) -> list[Found]:
    p = s.policy
    copies = s.fee_copies()
    items = defaultdict(list)  # (account, settlement, order, sku) -> its Order rows, copies left out
    for r in s.lines:
        if r["transaction_type"] == "Order" and r["_pos"] not in copies:
            items[(r["account"], r["settlement_id"], r["order_id"], r["sku"])].append(r)
    facts = {}
    for key, rs in items.items():
        qty = sum(_n(r["quantity_purchased"]) for r in rs if _is_principal(r))
        if qty <= 0:
            qty = max(_n(r["quantity_purchased"]) for r in rs)
        fba = [r for r in rs if r["amount_type"] == "ItemFees" and r["amount_description"] == "FBAPerUnitFulfillmentFee"]
        com = [r for r in rs if r["amount_type"] == "ItemFees" and r["amount_description"] == "Commission"]
        base = sum(_n(r["amount_cents"]) for r in rs
                   if (r["amount_type"] == "ItemPrice" and r["amount_description"] in ("Principal", "Shipping", "GiftWrap"))
                   or r["amount_type"] == "Promotion")
        times = [r["posted_date_time"] for r in rs if r["posted_date_time"] is not None]
        if times:
            day = _utc_day(min(times))
        else:
            day = pd.Timestamp(next(r["posted_date"] for r in rs if r["posted_date"] is not None)).date()
        account, settlement, _, sku = key
        facts[key] = dict(qty=qty, fba=fba, fee=sum(_n(r["amount_cents"]) for r in fba), com=com,
                          commission=sum(_n(r["amount_cents"]) for r in com), base=base,
                          group=(account, settlement, sku, fee_period(day, p.fee_period_splits)),
                          marketplace=next((r["marketplace"] for r in rs if r["marketplace"] is not None), None),
                          currency=next((r["currency"] for r in rs if r["currency"] is not None), None))

    at_stake: dict[tuple, Fraction] = {}

    def judge(present: str, num: str, den: str, tolerance: Fraction):
        groups = defaultdict(list)
        for key, f in facts.items():
            if f[present] and f[den] > 0:
                groups[f["group"]].append(key)
        for keys in groups.values():
            if len(keys) < p.min_lines_per_sku:
                continue
            median = statistics.median(Fraction(-facts[k][num], facts[k][den]) for k in keys)
            for k in keys:
                f = facts[k]
                if abs(Fraction(-f[num], f[den]) - median) > tolerance:
                    at_stake[k] = at_stake.get(k, Fraction(0)) + (-f[num] - median * f[den])

    judge("fba", "fee", "qty", Fraction(p.fee_tolerance_per_unit) * 100)  # a tolerance in currency units, in cents
    judge("com", "commission", "base", Fraction(p.commission_tolerance_points) / 100)  # points, as a fraction
    return [Found("fee_outlier", k[0], k[1], k[2], k[3], None, from_cents(v), facts[k]["currency"], _shown(items[k]))
            for k, v in at_stake.items()]


# ---- orders -------------------------------------------------------------------------------------------

def unsettled_order(s: Seller) -> list[Found]:
    p = s.policy
    settled = {_key(r) for r in s.lines if r["transaction_type"] == "Order"}
    out = []
    for o in s.orders:
        if not (o["order_status"] == "Shipped" and o["item_status"] == "Shipped"
                and (o["sales_channel"] or "").strip().casefold() != "non-amazon"
                and o["item_price_cents"] is not None and o["item_price_cents"] > 0):
            continue
        as_of, earliest = s.market_of(o["account"], o["marketplace"], o["currency"])
        if as_of is None or earliest is None:
            continue
        grace = p.grace_days_fba if o["fulfillment_channel"] == "Amazon" else p.grace_days_seller_fulfilled
        if o["is_business_order"]:
            grace = max(grace, p.grace_days_business)
        if o["purchase_date"] < earliest or _utc_day(o["purchase_date"]) > as_of - dt.timedelta(days=grace):
            continue
        if _key(o, "amazon_order_id") in settled:
            continue
        paid = sum(_n(o[c]) for c in ("item_price_cents", "shipping_price_cents", "gift_wrap_price_cents"))
        paid -= sum(abs(_n(o[c])) for c in ("item_promotion_discount_cents", "ship_promotion_discount_cents"))
        out.append(Found("unsettled_order", o["account"], None, o["amazon_order_id"], o["sku"], None,
                         from_cents(paid), o["currency"], ((o["file"], o["line_no"]),)))
    return out


def _principal_lines(s: Seller, transaction_type: str) -> dict[tuple, list[dict]]:
    """The principal rows of one transaction type, by (account, order-id, sku) with no blank part."""
    out = defaultdict(list)
    for r in s.lines:
        if r["transaction_type"] == transaction_type and _is_principal(r) and _complete(_key(r)):
            out[_key(r)].append(r)
    return out


def principal_mismatch(s: Seller) -> list[Found]:
    sales = _principal_lines(s, "Order")
    out = []
    for o in s.orders:
        key = _key(o, "amazon_order_id")
        if o["item_price_cents"] is None or o["quantity"] is None or key not in sales:
            continue
        cents = sum(_n(r["amount_cents"]) for r in sales[key])
        qty = sum(_n(r["quantity_purchased"]) for r in sales[key])
        if qty >= o["quantity"] and abs(o["item_price_cents"] - cents) > s.policy.tolerance_cents:
            out.append(Found("principal_mismatch", o["account"], None, key[1], key[2], None,
                             from_cents(o["item_price_cents"] - cents), o["currency"],
                             ((o["file"], o["line_no"]),) + _shown(sales[key])))
    return out


# ---- refunds ------------------------------------------------------------------------------------------

def _refunds(s: Seller) -> list[dict]:
    """One entry per refunded (account, order-id, sku): principal refunded (positive), the last refund
    day, the sale's settled principal (None when the sale is not loaded), and whether any line of
    the item is fulfilled by Amazon."""
    sales, refunds = _principal_lines(s, "Order"), _principal_lines(s, "Refund")
    afn = {_key(r) for r in s.lines if r["fulfillment_id"] == "AFN"}
    out = []
    for key, rs in refunds.items():
        days = [_utc_day(r["posted_date_time"]) if r["posted_date_time"] is not None
                else pd.Timestamp(r["posted_date"]).date() for r in rs]
        out.append(dict(key=key, rows=rs, sale_rows=sales.get(key, []),
                        refunded=-sum(_n(r["amount_cents"]) for r in rs), refunded_on=max(days),
                        settled=sum(_n(r["amount_cents"]) for r in sales[key]) if key in sales else None,
                        afn=key in afn,
                        marketplace=next((r["marketplace"] for r in rs if r["marketplace"] is not None), None),
                        currency=next((r["currency"] for r in rs if r["currency"] is not None), None)))
    return out


def _reimbursement_rows(s: Seller, key: tuple) -> list[dict]:
    return [r for r in s.reimbursements if _key(r, "amazon_order_id") == key]


def _refund_evidence(s: Seller, r: dict) -> tuple:
    return _shown(r["sale_rows"]) + _shown(r["rows"]) + _shown(_reimbursement_rows(s, r["key"]))


def refund_exceeds_sale(s: Seller) -> list[Found]:
    out = []
    for r in _refunds(s):
        if r["settled"] is not None and r["refunded"] - r["settled"] > s.policy.tolerance_cents:
            account, order_id, sku = r["key"]
            out.append(Found("refund_exceeds_sale", account, None, order_id, sku, None,
                             from_cents(r["refunded"] - r["settled"]), r["currency"], _refund_evidence(s, r)))
    return out


def _still_reimbursed(s: Seller) -> set[tuple]:
    """Items whose reimbursements, net of reversals, still pay cash or units. A reversal without an
    order id belongs to the order of the reimbursement it reverses."""
    order_of = {}
    for r in s.reimbursements:
        if r["amazon_order_id"] is not None:
            order_of.setdefault(r["reimbursement_id"], r["amazon_order_id"])
    cash, units = defaultdict(int), defaultdict(int)
    for r in s.reimbursements:
        order_id = r["amazon_order_id"]
        if order_id is None and r["original_reimbursement_id"] is not None:
            order_id = order_of.get(r["original_reimbursement_id"])
        key = (r["account"], order_id, r["sku"])
        cash[key] += _n(r["amount_total_cents"])
        units[key] += _n(r["quantity_reimbursed_inventory"])
    return {k for k in cash if _complete(k) and (cash[k] > 0 or units[k] > 0)}


def refund_without_return(s: Seller) -> list[Found]:
    p = s.policy
    first_order = {}
    for o in s.orders:
        first_order.setdefault(_key(o, "amazon_order_id"), o)
    returned = ({_key(r) for r in s.fba_returns} | {_key(r, "order_id", "merchant_sku") for r in s.seller_returns}
                | _still_reimbursed(s))
    out = []
    for r in _refunds(s):
        o = first_order.get(r["key"])
        by_amazon = r["afn"] or (o is not None and o["fulfillment_channel"] == "Amazon")
        sold = r["settled"] if r["settled"] is not None else (o["item_price_cents"] if o else None)
        if not by_amazon or sold is None or not (r["refunded"] > 0 and r["refunded"] >= sold - p.tolerance_cents):
            continue
        account, order_id, sku = r["key"]
        as_of, _ = s.market_of(account, r["marketplace"], r["currency"])
        opening, _ = p.claim_window_days(r["marketplace"])
        if as_of is None or r["refunded_on"] > as_of - dt.timedelta(days=opening):
            continue
        if r["key"] in returned:
            continue
        out.append(Found("refund_without_return", account, None, order_id, sku, None, from_cents(r["refunded"]),
                         r["currency"], _refund_evidence(s, r), p.claim_window(r["marketplace"], r["refunded_on"])))
    return out


RULES = {f.__name__: f for f in (settlement_total_mismatch, unsettled_order, principal_mismatch, duplicate_charge,
                                  fee_outlier, refund_without_return, refund_exceeds_sale)}


def reconcile(inp: ReconcileInput, as_of: dt.date | None = None, policy: Policy = Policy()) -> dict[str, list[Found]]:
    """Every rule's findings, by kind."""
    s = Seller(inp, as_of, policy)
    return {kind: rule(s) for kind, rule in RULES.items()}
