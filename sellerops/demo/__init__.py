"""The demo seller: Amazon-format report files with planted discrepancies and their expectations.

`write_demo_data(out)` writes a realistic US seller (FBA and seller-fulfilled orders, multi-item
orders, quantities above one, promotions, taxes withheld as marketplace-facilitator tax, refunds
with and without returns, reimbursements and a reversal, storage, subscription, advertising and
inbound-shipment fees) as tab-separated files under `out/reports/`, and `out/expected_findings.jsonl`
beside that folder: the findings reconciliation must produce at the default as-of, derived from
what was planted — never by running the rules. Natural data is clean by construction (every old
full FBA refund has a return or a reimbursement, every old shipped order settles, fees are
constant per SKU and fee period), so the planted list is the whole truth.

Rows are streamed as joined strings: one temporary body file per settlement (its summary row,
which carries the total, is written first once the body is complete), so 12,000 orders a day
stay fast and small in memory. Deterministic for a seed: same arguments, same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from sellerops.core import report_types
from sellerops.core.money import cents_text, from_cents, to_cents
from sellerops.reconciliation.policy import Policy

ACCOUNT = "demo"
MARKETPLACE = "Amazon.com"
CURRENCY = "USD"
PERIOD_DAYS = 14
DEFAULT_START = dt.date(2026, 1, 5)  # a fixed day keeps the output deterministic; spans Jan 15's fee change

SETTLEMENT_HEADER = (
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
    "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
    "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date",
    "posted-date-time", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku",
    "quantity-purchased", "promotion-id",
)
ORDERS_HEADER = (
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name",
    "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price",
    "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount",
    "ship-city", "ship-state", "ship-postal-code", "ship-country", "promotion-ids", "is-business-order",
    "purchase-order-number", "price-designation",
)
FBA_RETURNS_HEADER = (
    "return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity", "fulfillment-center-id",
    "detailed-disposition", "reason", "status", "license-plate-number", "customer-comments",
)
SELLER_RETURNS_HEADER = (
    "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
    "Merchant RMA ID", "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID",
    "Label to be paid by", "A-to-Z Claim", "Is prime", "ASIN", "Merchant SKU", "Item Name",
    "Return quantity", "Return Reason", "In policy", "Return type", "Resolution", "Invoice number",
    "Return delivery date", "Order Amount", "Order quantity", "SafeT Action reason", "SafeT claim id",
    "SafeT claim state", "SafeT claim creation time", "SafeT claim reimbursement amount", "Refunded Amount",
)
REIMBURSEMENTS_HEADER = (
    "approval-date", "reimbursement-id", "case-id", "amazon-order-id", "reason", "sku", "fnsku", "asin",
    "product-name", "condition", "currency-unit", "amount-per-unit", "amount-total",
    "quantity-reimbursed-cash", "quantity-reimbursed-inventory", "quantity-reimbursed-total",
    "original-reimbursement-id", "original-reimbursement-type",
)
_PRODUCTS = ("Bamboo Cutting Board", "Silicone Baking Mat", "Steel Water Bottle", "Yoga Strap", "Desk Lamp",
             "Garlic Press", "Phone Stand", "Travel Pillow", "Cable Organizer", "Herb Scissors", "Tea Infuser",
             "Bike Light", "Plant Mister", "Shoe Horn", "Knife Sharpener", "Laptop Sleeve")
_CITIES = (("Seattle", "WA", "98101"), ("Austin", "TX", "73301"), ("Denver", "CO", "80202"),
           ("Miami", "FL", "33101"), ("Columbus", "OH", "43004"), ("Portland", "OR", "97201"))


@dataclass(frozen=True)
class DemoSummary:
    """What was written: the report files, how much, and the expectations."""

    out: Path
    reports: tuple[Path, ...]
    expected_findings: Path
    orders: int
    settlement_rows: int
    settlements: int
    findings: int
    start: dt.date
    as_of: dt.date


@dataclass
class _Sku:
    sku: str
    asin: str
    fnsku: str
    name: str
    price: int  # cents a unit
    fba_fee: int  # cents a unit before the fee change
    rate: Fraction  # referral fee rate


@dataclass
class _Item:
    sku: _Sku
    qty: int
    code: str
    promo: int = 0  # cents, positive
    shipping: int = 0

    @property
    def principal(self) -> int:
        return self.sku.price * self.qty


@dataclass
class _Order:
    order_id: str
    purchased: dt.datetime
    afn: bool
    items: list[_Item]
    business: bool = False
    status: str = "Shipped"
    channel: str = MARKETPLACE
    in_report: bool = True


_MONEY_TEXT: dict[int, str] = {}


def _money(cents: int) -> str:
    text = _MONEY_TEXT.get(cents)
    if text is None:  # a seller's amounts repeat (prices, fees, taxes): format each once
        text = _MONEY_TEXT[cents] = cents_text(cents)
    return text


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S UTC")


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _ratio(numerator: int, denominator: int) -> int:
    """round(Fraction(numerator, denominator)), half to even, in plain integers (hot path)."""
    floor, rest = divmod(numerator, denominator)
    if rest * 2 < denominator:
        return floor
    if rest * 2 > denominator:
        return floor + 1
    return floor + (floor & 1)


def _midnight(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)


class _Settlements:
    """Per-settlement temporary bodies; knows each period, counts lines and sums amounts."""

    def __init__(self, tmp: Path, start: dt.date, count: int, rng: random.Random):
        self.starts = [_midnight(start + dt.timedelta(days=PERIOD_DAYS * k)) for k in range(count)]
        self.end = self.starts[-1] + dt.timedelta(days=PERIOD_DAYS) if count else _midnight(start)
        self.ids = [str(rng.randrange(10**10, 10**11)) for _ in range(count)]
        self.bodies = [open(tmp / f"{sid}.body", "w", encoding="utf-8", newline="") for sid in self.ids]
        self.lines = [0] * count
        self.sums = [0] * count
        self.rows = 0

    def index(self, t: dt.datetime) -> int | None:
        if not self.starts or t < self.starts[0] or t >= self.end:
            return None
        return (t - self.starts[0]).days // PERIOD_DAYS

    def write(self, k: int, prefix: str, a_type: str, desc: str, cents: int, suffix: str) -> int:
        """Write one transaction row; returns its line number (header 1, summary 2)."""
        self.bodies[k].write(f"{prefix}\t{a_type}\t{desc}\t{_money(cents)}\t{suffix}\n")
        self.lines[k] += 1
        self.sums[k] += cents
        self.rows += 1
        return self.lines[k] + 2

    def copy_last(self, k: int, row: str, cents: int) -> int:
        self.bodies[k].write(row)
        self.lines[k] += 1
        self.sums[k] += cents
        self.rows += 1
        return self.lines[k] + 2

    def finish(self, reports: Path, tmp: Path, skew: dict[int, int]) -> list[Path]:
        paths = []
        blank = "\t" * (len(SETTLEMENT_HEADER) - 6)
        for k, sid in enumerate(self.ids):
            self.bodies[k].close()
            start, end = self.starts[k], self.starts[k] + dt.timedelta(days=PERIOD_DAYS)
            total = self.sums[k] - skew.get(k, 0)
            path = reports / f"settlement_{k + 1:02d}_{sid}.txt"
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write("\t".join(SETTLEMENT_HEADER) + "\n")
                f.write(f"{sid}\t{_stamp(start)}\t{_stamp(end)}\t{_stamp(end + dt.timedelta(days=2))}\t"
                        f"{_money(total)}\t{CURRENCY}{blank}\n")
                with open(tmp / f"{sid}.body", encoding="utf-8", newline="") as body:
                    shutil.copyfileobj(body, f, 1 << 20)
            paths.append(path)
        return paths


@dataclass
class _Expect:
    rows: list[dict] = field(default_factory=list)

    def add(self, kind, amount_cents, settlement_id=None, order_id=None, sku=None, line_no=None, **extra):
        self.rows.append({"kind": kind, "account": ACCOUNT, "marketplace": MARKETPLACE,
                          "settlement_id": settlement_id, "order_id": order_id, "sku": sku, "line_no": line_no,
                          "amount": str(from_cents(amount_cents)), "currency": CURRENCY, **extra})


class _Seller:
    def __init__(self, out: Path, orders_per_day: int, days: int, seed: int, start: dt.date, policy: Policy):
        self.rng = random.Random(seed)
        self.start, self.days, self.per_day, self.policy = start, days, orders_per_day, policy
        self.reports = out / "reports"
        self.tmp = out / f".demo-tmp-{seed}"
        self.reports.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        n_settlements = max(1, -(-days // PERIOD_DAYS))
        self.st = _Settlements(self.tmp, start, n_settlements, self.rng)
        self.as_of = self.st.end.date()
        self.skus = self._catalog()
        self.weights = [30, 14, 10, 8, 7, 6, 5, 5, 4, 4, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1]
        self.order_seq = 0
        self.orders = 0
        self.order_files: dict[int, object] = {}
        self.orders_from = start - dt.timedelta(days=12)
        self.fba_returns: list[tuple] = []
        self.seller_returns: list[tuple] = []
        self.reimbursements: list[tuple] = []
        self.expect = _Expect()
        self.fee_change = self._fee_change_day()
        # (settlement, sku, fee period) -> [(fee, qty, commission, base)] for SKUs with a planted outlier
        self.watch: dict[tuple, list[tuple[int, int, int, int]]] = {}
        self.watched_skus: set[str] = set()
        self.outliers: list[tuple[str, str]] = []

    # -- catalogue and ids -------------------------------------------------------------------
    def _catalog(self) -> list[_Sku]:
        skus = []
        for i in range(20):
            name = f"{_PRODUCTS[i % len(_PRODUCTS)]} {'Large' if i >= len(_PRODUCTS) else ''}".strip()
            price = self.rng.choice((1299, 1499, 1999, 2499, 2999, 3499, 4999)) + (0 if i % 3 else 0)
            rate = Fraction(15, 100) if i % 5 else Fraction(8, 100)
            fee = self.rng.choice((322, 386, 475, 562, 689))
            skus.append(_Sku(f"DM-{i + 1:03d}-{'BLK' if i % 2 else 'WHT'}", f"B0{self.rng.randrange(10**7, 10**8)}X",
                             f"X00{self.rng.randrange(10**6, 10**7)}", name, price, fee, rate))
        return skus

    def _fee_change_day(self) -> dt.date:
        """The first of the policy's fee-change dates after the start: FBA fees rise 0.15 a unit."""
        candidates = [dt.date(y, m, d) for y in (self.start.year, self.start.year + 1)
                      for m, d in self.policy.fee_period_splits if dt.date(y, m, d) > self.start]
        return min(candidates)

    def _order_id(self) -> str:
        self.order_seq += 1
        return f"1{self.rng.randrange(11, 14)}-{self.order_seq:07d}-{self.rng.randrange(10**6, 10**7)}"

    def _fba_fee(self, sku: _Sku, posted: dt.datetime) -> int:
        return sku.fba_fee + (15 if posted.date() >= self.fee_change else 0)

    # -- orders ------------------------------------------------------------------------------
    def new_order(self, day: dt.date, afn: bool | None = None, skus: list[_Sku] | None = None,
                  qty: int | None = None, **kw) -> _Order:
        rng = self.rng
        purchased = _midnight(day) + dt.timedelta(seconds=rng.randrange(86400))
        afn = rng.random() < 0.7 if afn is None else afn
        if skus is None:
            n = 1 if rng.random() < 0.85 else (2 if rng.random() < 0.8 else 3)
            skus = []
            while len(skus) < n:
                s = rng.choices(self.skus, weights=self.weights)[0]
                if s not in skus:
                    skus.append(s)
        items = []
        oid = self._order_id()
        for i, s in enumerate(skus):
            q = qty if qty is not None else (1 if rng.random() < 0.8 else (2 if rng.random() < 0.75 else 3))
            item = _Item(s, q, f"{rng.randrange(10**13, 10**14)}")
            if rng.random() < 0.1:
                item.promo = _ratio(item.principal, 10)
            if not afn:
                item.shipping = 399 * q
            items.append(item)
        return _Order(oid, purchased, afn, items, business=kw.pop("business", rng.random() < 0.05), **kw)

    def write_order_rows(self, o: _Order) -> None:
        if not o.in_report:
            return
        self.orders += 1
        city, state, postal = _CITIES[self.order_seq % len(_CITIES)]
        updated = o.purchased + dt.timedelta(days=2)
        for it in o.items:
            shipped = o.status == "Shipped"
            tax = _ratio(it.principal * 725, 10000)
            stax = _ratio(it.shipping * 725, 10000)
            price = [_money(it.principal), _money(tax), _money(it.shipping), _money(stax), "0.00", "0.00",
                     _money(-it.promo) if it.promo else "0.00", "0.00"] if shipped else [""] * 8
            row = (o.order_id, "", _iso(o.purchased), _iso(updated), o.status,
                   "Amazon" if o.afn else "Merchant", o.channel, "", "",
                   "Expedited" if o.afn else "Standard", it.sku.name, it.sku.sku, it.sku.asin,
                   "Shipped" if shipped else o.status, str(it.qty), CURRENCY if shipped else "", *price,
                   city, state, postal, "US", "PROMO-10" if it.promo else "",
                   "true" if o.business else "false", "", "")
            self._orders_file(o.purchased.date()).write("\t".join(row) + "\n")

    def _orders_file(self, day: dt.date):
        """All-orders reports come in windows of 30 days; one file a window, opened on first use."""
        w = (day - self.orders_from).days // 30
        if w not in self.order_files:
            first = self.orders_from + dt.timedelta(days=30 * w)
            path = self.reports / f"all_orders_{first:%Y%m%d}_{first + dt.timedelta(days=29):%Y%m%d}.txt"
            f = open(path, "w", encoding="utf-8", newline="")
            f.write("\t".join(ORDERS_HEADER) + "\n")
            self.order_files[w] = f
        return self.order_files[w]

    def settle_order(self, o: _Order, skip: set[str] = frozenset(), principal_delta: dict[str, int] | None = None,
                     settled_qty: dict[str, int] | None = None, fee_extra: dict[str, int] | None = None,
                     rate: dict[str, Fraction] | None = None, duplicate: tuple[str, str] | None = None,
                     delay_hours: int | None = None) -> dt.datetime | None:
        """Write the order's Order rows into the settlement of its posting time; returns that time."""
        rng = self.rng
        hours = delay_hours if delay_hours is not None else (rng.randrange(6, 48) if o.afn else rng.randrange(24, 72))
        posted = o.purchased + dt.timedelta(hours=hours)
        k = self.st.index(posted)
        if k is None:
            return None
        sid = self.st.ids[k]
        ful = "AFN" if o.afn else "MFN"
        shipment = f"D{rng.randrange(10**8, 10**9)}"
        pdate, pdt = posted.strftime("%Y-%m-%d"), _stamp(posted)
        for it in o.items:
            if it.sku.sku in skip:
                continue
            qty = (settled_qty or {}).get(it.sku.sku, it.qty)
            principal = it.sku.price * qty + (principal_delta or {}).get(it.sku.sku, 0)
            shipping = 399 * qty if not o.afn else 0
            promo = _ratio(it.promo * qty, it.qty) if it.promo else 0
            tax = _ratio(principal * 725, 10000)
            stax = _ratio(shipping * 725, 10000)
            base = principal + shipping - promo
            r = (rate or {}).get(it.sku.sku, it.sku.rate)
            commission = _ratio(r.numerator * base, r.denominator)
            prefix = f"{sid}\t\t\t\t\t{CURRENCY}\tOrder\t{o.order_id}\t\t\t{shipment}\t{MARKETPLACE}"
            suffix = f"{ful}\t{pdate}\t{pdt}\t{it.code}\t\t\t{it.sku.sku}\t{qty}\t"
            w = self.st.write
            w(k, prefix, "ItemPrice", "Principal", principal, suffix)
            w(k, prefix, "ItemPrice", "Tax", tax, suffix)
            if shipping:
                w(k, prefix, "ItemPrice", "Shipping", shipping, suffix)
                w(k, prefix, "ItemPrice", "ShippingTax", stax, suffix)
            w(k, prefix, "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -tax, suffix)
            if shipping:
                w(k, prefix, "ItemWithheldTax", "MarketplaceFacilitatorTax-Shipping", -stax, suffix)
            if promo:
                w(k, prefix, "Promotion", "Principal", -promo, suffix + "PROMO-10")
            w(k, prefix, "ItemFees", "Commission", -commission, suffix)
            if duplicate and duplicate[0] == it.sku.sku and duplicate[1] == "Commission":
                line = self.st.copy_last(k, f"{prefix}\tItemFees\tCommission\t{_money(-commission)}\t{suffix}\n",
                                         -commission)
                self.expect.add("duplicate_charge", commission, sid, o.order_id, it.sku.sku, line)
            fee = 0
            if o.afn:
                fee = self._fba_fee(it.sku, posted) * qty + (fee_extra or {}).get(it.sku.sku, 0)
                w(k, prefix, "ItemFees", "FBAPerUnitFulfillmentFee", -fee, suffix)
                if duplicate and duplicate[0] == it.sku.sku and duplicate[1] == "FBAPerUnitFulfillmentFee":
                    line = self.st.copy_last(
                        k, f"{prefix}\tItemFees\tFBAPerUnitFulfillmentFee\t{_money(-fee)}\t{suffix}\n", -fee)
                    self.expect.add("duplicate_charge", fee, sid, o.order_id, it.sku.sku, line)
            if it.sku.sku in self.watched_skus:
                period = _fee_period(posted.date(), self.policy.fee_period_splits)
                self.watch.setdefault((k, it.sku.sku, period), []).append(
                    (fee if o.afn else None, qty, commission, base, o.order_id))
        return posted

    def refund(self, o: _Order, it: _Item, when: dt.datetime, principal: int | None = None) -> bool:
        """Write a Refund of `principal` (default: the whole item) if its settlement is loaded."""
        k = self.st.index(when)
        if k is None:
            return False
        sid = self.st.ids[k]
        principal = it.principal if principal is None else principal
        tax = _ratio(principal * 725, 10000)
        commission = _ratio(it.sku.rate.numerator * principal, it.sku.rate.denominator)
        refund_commission = min(500, _ratio(commission, 5))
        ful = "AFN" if o.afn else "MFN"
        prefix = (f"{sid}\t\t\t\t\t{CURRENCY}\tRefund\t{o.order_id}\t\t{self.rng.randrange(10**13, 10**14)}\t\t"
                  f"{MARKETPLACE}")
        suffix = f"{ful}\t{when:%Y-%m-%d}\t{_stamp(when)}\t{it.code}\t\t{self.rng.randrange(10**13, 10**14)}\t{it.sku.sku}\t\t"
        w = self.st.write
        w(k, prefix, "ItemPrice", "Principal", -principal, suffix)
        w(k, prefix, "ItemPrice", "Tax", -tax, suffix)
        w(k, prefix, "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", tax, suffix)
        w(k, prefix, "ItemFees", "Commission", commission, suffix)
        w(k, prefix, "ItemFees", "RefundCommission", -refund_commission, suffix)
        return True

    def fba_return(self, o: _Order, it: _Item, when: dt.datetime) -> None:
        self.fba_returns.append((when, _iso(when), o.order_id, it.sku.sku, it.sku.asin, it.sku.fnsku, it.sku.name,
                                 str(it.qty), "PHX7", "SELLABLE", "UNWANTED_ITEM", "Unit returned to inventory",
                                 f"LPN{self.rng.randrange(10**9, 10**10)}", ""))

    def seller_return(self, o: _Order, it: _Item, when: dt.datetime) -> None:
        rma = f"D{self.rng.randrange(10**8, 10**9)}"
        row = [""] * len(SELLER_RETURNS_HEADER)
        values = {"Order ID": o.order_id, "Order date": _iso(o.purchased), "Return request date": _iso(when),
                  "Return request status": "Approved", "Amazon RMA ID": rma, "Label type": "AmazonPrePaidLabel",
                  "Label cost": "5.20", "Currency code": CURRENCY, "Return carrier": "UPS",
                  "Tracking ID": f"1Z{self.rng.randrange(10**12, 10**13)}", "Label to be paid by": "Seller",
                  "A-to-Z Claim": "N", "Is prime": "N", "ASIN": it.sku.asin, "Merchant SKU": it.sku.sku,
                  "Item Name": it.sku.name, "Return quantity": str(it.qty), "Return Reason": "CR-UNWANTED_ITEM",
                  "In policy": "Y", "Return type": "C-Returns", "Resolution": "StandardRefund",
                  "Order Amount": _money(it.principal), "Order quantity": str(it.qty),
                  "Refunded Amount": _money(it.principal)}
        for i, name in enumerate(SELLER_RETURNS_HEADER):
            row[i] = values.get(name, "")
        self.seller_returns.append((when, *row))

    def reimburse(self, when: dt.datetime, sku: _Sku, qty: int, cents_per_unit: int, reason: str,
                  order_id: str = "", original: str = "", sign: int = 1) -> str:
        rid = str(self.rng.randrange(10**9, 10**10))
        total = sign * cents_per_unit * qty
        self.reimbursements.append((when, _iso(when), rid, str(self.rng.randrange(10**9, 10**10)) if order_id else "",
                                    order_id, reason, sku.sku, sku.fnsku, sku.asin, sku.name, "NewItem", CURRENCY,
                                    _money(cents_per_unit), _money(total), str(sign * qty), "0", str(sign * qty),
                                    original, "Reimbursement_Reversal" if original else ""))
        k = self.st.index(when)
        if k is not None:
            sid = self.st.ids[k]
            desc = {"CustomerReturn": "CUSTOMER_RETURN", "Lost_Warehouse": "WAREHOUSE_LOST",
                    "Damaged_Warehouse": "WAREHOUSE_DAMAGE", "Reimbursement_Reversal": "REVERSAL_REIMBURSEMENT"}[reason]
            self.st.write(k, f"{sid}\t\t\t\t\t{CURRENCY}\tother-transaction\t{order_id}\t\t\t\t{MARKETPLACE}",
                          "FBA Inventory Reimbursement", desc, total,
                          f"\t{when:%Y-%m-%d}\t{_stamp(when)}\t\t\t\t{sku.sku}\t\t")
        return rid


def _fee_period(day: dt.date, splits: tuple[tuple[int, int], ...]) -> int:
    k = sum((day.month, day.day) >= s for s in splits)
    return (day.year - 1) * 100 + len(splits) if k == 0 else day.year * 100 + k



def _plain(o: _Order) -> _Order:
    for it in o.items:
        it.promo = 0
    return o


def _paid(o: _Order) -> int:
    return sum(it.principal + it.shipping - it.promo for it in o.items)


def plant(s: _Seller) -> dict[dt.date, list]:
    """The planted discrepancies and negative controls, as actions on the day they happen.
    Each planted discrepancy adds its expected finding when (and only when) it is written."""
    S, A, E = s.start, s.as_of, s.st.end
    plan: dict[dt.date, list] = {}
    p = s.policy
    sku, hot = s.skus[3], s.skus[0]
    s.watched_skus.add(hot.sku)

    def at(day: dt.date, fn, order: _Order | None = None):
        plan.setdefault(day, []).append((order, fn))

    def order(day, afn=True, skus=None, qty=1, **kw):
        return _plain(s.new_order(day, afn=afn, skus=skus or [sku], qty=qty, business=kw.pop("business", False), **kw))

    def in_history(day):
        return S <= day and day + dt.timedelta(days=4) < E.date()

    # settlement_total_mismatch: the second settlement's summary deposits 12.34 less than its rows
    if len(s.st.ids) >= 2:
        s.skew = {1: 1234}
        s.expect.add("settlement_total_mismatch", 1234, settlement_id=s.st.ids[1])

    # unsettled_order: shipped, old enough, never settled — FBA, seller-fulfilled, business
    def unsettled(o):
        s.write_order_rows(o)
        s.expect.add("unsettled_order", _paid(o), order_id=o.order_id, sku=sku.sku)

    for day, afn, business in ((S + dt.timedelta(days=3), True, False), (A - dt.timedelta(days=30), False, False),
                               (A - dt.timedelta(days=50), True, True)):
        if S <= day <= A - dt.timedelta(days=p.grace_days_fba):
            at(day, unsettled, order(day, afn=afn, business=business))
    # negative controls: inside the grace period (FBA 21, seller-fulfilled 28, business 45),
    # cancelled, sold outside Amazon, bought before the earliest settlement loaded
    for days_back, afn, business in ((20, True, False), (27, False, False), (40, True, True)):
        day = A - dt.timedelta(days=days_back)
        if day >= S:
            at(day, lambda o: s.write_order_rows(o), order(day, afn=afn, business=business))
    at(S + dt.timedelta(days=4), lambda o: s.write_order_rows(o), order(S + dt.timedelta(days=4), status="Cancelled"))
    at(S + dt.timedelta(days=3), lambda o: s.write_order_rows(o), order(S + dt.timedelta(days=3), channel="Non-Amazon"))
    at(S - dt.timedelta(days=5), lambda o: s.write_order_rows(o), order(S - dt.timedelta(days=5)))

    def settled(o, **kw):
        s.write_order_rows(o)
        return s.settle_order(o, delay_hours=24, **kw) is not None

    def mismatched(o):
        if settled(o, principal_delta={sku.sku: -150}):
            s.expect.add("principal_mismatch", 150, order_id=o.order_id, sku=sku.sku)

    # principal_mismatch: 1.50 short; control: 1 of 2 units settled so far (quantity not covered)
    day = S + dt.timedelta(days=16)
    if in_history(day):
        at(day, mismatched, order(day))
        at(day, lambda o: settled(o, settled_qty={sku.sku: 1}), order(day, qty=2))

    # duplicate_charge (expected when written) and fee_outlier on the busiest SKU
    for offset, kw in ((17, {"duplicate": (hot.sku, "Commission")}),
                       (18, {"duplicate": (hot.sku, "FBAPerUnitFulfillmentFee")}),
                       (19, {"fee_extra": {hot.sku: 200}}), (20, {"rate": {hot.sku: Fraction(20, 100)}})):
        day = S + dt.timedelta(days=offset)
        if in_history(day):
            o = order(day, skus=[hot], qty=2 if offset == 19 else 1)
            if offset >= 19:
                s.outliers.append((o.order_id, "fee" if offset == 19 else "commission"))
            at(day, lambda o, kw=kw: settled(o, **kw), o)

    # refunds, S+1..S+9: planted findings and their controls
    def refunded(o, when, principal=None, ret=None, reimb=None, reversal=None, expect=None):
        s.write_order_rows(o)
        sold = s.settle_order(o, delay_hours=24) is not None
        it = o.items[0]
        if s.refund(o, it, when, principal) and sold and expect:
            expect(o)
        if ret is not None:
            s.fba_return(o, it, ret)
        if reimb is not None:
            rid = s.reimburse(reimb, it.sku, it.qty, it.sku.price, "CustomerReturn", order_id=o.order_id)
            if reversal is not None:
                s.reimburse(reversal, it.sku, it.qty, it.sku.price, "Reimbursement_Reversal", original=rid, sign=-1)

    def t(days, hours=12):
        return _midnight(S) + dt.timedelta(days=days, hours=hours)

    opening, closing = p.claim_window_days(MARKETPLACE)
    old_enough = t(8).date() <= A - dt.timedelta(days=opening)
    if old_enough:
        for kw in ({}, {"reimb": t(12), "reversal": t(25)}):  # no return; reimbursed then reversed
            o = order(S + dt.timedelta(days=1))
            refund_day = t(6 if not kw else 7)
            expect = lambda o, d=refund_day.date(): s.expect.add(  # noqa: E731
                "refund_without_return", o.items[0].principal, order_id=o.order_id, sku=sku.sku,
                claim_window_opens=str(d + dt.timedelta(days=opening)),
                claim_window_closes=str(d + dt.timedelta(days=closing)))
            at(o.purchased.date(), lambda o, w=refund_day, kw=kw, e=expect: refunded(o, w, expect=e, **kw), o)
    d2 = S + dt.timedelta(days=2)
    at(d2, lambda o: refunded(o, t(8), ret=t(6)), order(d2))                       # returned
    at(d2, lambda o: refunded(o, t(8), reimb=t(15)), order(d2))                    # reimbursed
    at(d2, lambda o: refunded(o, t(8), principal=o.items[0].principal // 2), order(d2))  # partial
    at(d2, lambda o: refunded(o, t(8)), order(d2, afn=False))                      # seller-fulfilled
    recent = A - dt.timedelta(days=40)
    if recent >= S:
        at(recent, lambda o: refunded(o, _midnight(A) - dt.timedelta(days=30)), order(recent))  # too recent
    # a sale older than the loaded history, refunded in it: neither refund rule can judge it
    old = order(S - dt.timedelta(days=20), in_report=False)
    at(old.purchased.date(), lambda o: (s.settle_order(o, delay_hours=24), s.refund(o, o.items[0], t(4))), old)

    # refund_exceeds_sale: 5.00 more refunded than sold (returned, so no claim)
    d3 = S + dt.timedelta(days=3)
    at(d3, lambda o: refunded(o, t(9), principal=o.items[0].principal + 500, ret=t(8), expect=lambda o: s.expect.add(
        "refund_exceeds_sale", 500, order_id=o.order_id, sku=sku.sku)), order(d3))
    return plan


def write_natural_day(s: _Seller, day: dt.date) -> None:
    """One ordinary day: orders, their settlement, refunds with their returns or reimbursements,
    and the account's other charges. Clean by construction."""
    rng = s.rng
    for _ in range(s.per_day):
        o = s.new_order(day)
        if rng.random() < 0.01:
            o.status = "Cancelled"
            s.write_order_rows(o)
            continue
        s.write_order_rows(o)
        posted = s.settle_order(o)
        if posted is None:
            continue
        for it in o.items:
            if rng.random() >= 0.03:
                continue
            when = posted + dt.timedelta(days=rng.randrange(5, 25), hours=rng.randrange(24))
            full = rng.random() < 0.8
            if not s.refund(o, it, when, None if full else it.principal // 2):
                continue
            if not o.afn:
                s.seller_return(o, it, when - dt.timedelta(days=3))
            elif full and rng.random() < 0.85:
                s.fba_return(o, it, when - dt.timedelta(days=2))
            elif full:
                s.reimburse(when + dt.timedelta(days=10), it.sku, it.qty, it.sku.price, "CustomerReturn",
                            order_id=o.order_id)
    noon = _midnight(day) + dt.timedelta(hours=12)
    k = s.st.index(noon)
    if k is None:
        return
    sid = s.st.ids[k]
    other = f"{sid}\t\t\t\t\t{CURRENCY}\tother-transaction\t\t\t\t\t{MARKETPLACE}"
    tail = f"\t{day:%Y-%m-%d}\t{_stamp(noon)}\t\t\t\t\t\t"
    if day.day == 2:
        s.st.write(k, other, "other-transaction", "Subscription Fee", -3999, tail)
    if day.day == 7:
        s.st.write(k, other, "other-transaction", "Storage Fee", -(s.per_day * 55 + rng.randrange(100)), tail)
    if (noon - s.st.starts[k]).days == 0:
        if k:
            s.st.write(k, other, "other-transaction", "Previous Reserve Amount Balance", 2500, tail)
        s.st.write(k, other, "other-transaction", "Current Reserve Amount", -2500, tail)
    ads = f"{sid}\t\t\t\t\t{CURRENCY}\tServiceFee\t\t\t\t\t{MARKETPLACE}"
    s.st.write(k, ads, "Cost of Advertising", "TransactionTotalAmount", -(s.per_day * 45 + rng.randrange(500)), tail)
    if (day - s.start).days % 7 == 3:
        # an inbound shipment's transportation fee, charged in two legs of the same amount at different
        # times: repeated but not identical, so not a duplicate; order-id holds the FBA shipment id
        shipment = f"FBA17{rng.randrange(10**6, 10**7):X}"
        cents = -(s.per_day * 12 + 300)
        for hours in (9, 15):
            when = _midnight(day) + dt.timedelta(hours=hours)
            s.st.write(k, f"{sid}\t\t\t\t\t{CURRENCY}\tother-transaction\t{shipment}\t\t\t{shipment}\t{MARKETPLACE}",
                       "ShipmentFees", "FBAInboundTransportationFee", cents,
                       f"\t{day:%Y-%m-%d}\t{_stamp(when)}\t\t\t\t\t\t")
    if rng.random() < min(1.0, s.per_day / 200):
        sku = rng.choice(s.skus)
        s.reimburse(noon, sku, 1, sku.price // 2, rng.choice(("Lost_Warehouse", "Damaged_Warehouse")))


def _expect_outliers(s: _Seller) -> None:
    """The planted fee outliers' expectations, from the lines written in their comparison group
    (settlement, SKU, fee period): judged only with enough lines, money = charge − median."""
    p = s.policy
    for order_id, what in s.outliers:
        for (k, sku, period), members in s.watch.items():
            mine = [m for m in members if m[4] == order_id]
            if not mine:
                continue
            fee, qty, commission, base, _ = mine[0]
            if what == "fee":
                values = [Fraction(m[0], m[1]) for m in members if m[0] is not None]
                me, tol, scale = Fraction(fee, qty), Fraction(p.fee_tolerance_per_unit) * 100, qty
            else:
                values = [Fraction(m[2], m[3]) for m in members]
                me, tol, scale = Fraction(commission, base), Fraction(p.commission_tolerance_points) / 100, base
            if len(values) < p.min_lines_per_sku:
                continue
            med = statistics.median(values)
            if abs(me - med) > tol:
                cents = round((me - med) * scale)
                s.expect.add("fee_outlier", cents, settlement_id=s.st.ids[k], order_id=order_id, sku=sku)


def write_side_reports(s: _Seller) -> list[Path]:
    end = s.st.end
    for f in s.order_files.values():
        f.close()
    paths = sorted(Path(f.name) for f in s.order_files.values())
    paths += s.st.finish(s.reports, s.tmp, getattr(s, "skew", {}))
    _expect_outliers(s)
    for name, header, rows in (("fba_customer_returns.txt", FBA_RETURNS_HEADER, s.fba_returns),
                               ("seller_fulfilled_returns.txt", SELLER_RETURNS_HEADER, s.seller_returns),
                               ("reimbursements.txt", REIMBURSEMENTS_HEADER, s.reimbursements)):
        path = s.reports / name
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("\t".join(header) + "\n")
            for row in sorted((r for r in rows if r[0] < end), key=lambda r: (r[0], r[1:])):
                f.write("\t".join(row[1:]) + "\n")
        paths.append(path)
    return paths


def write_demo_data(out: Path, orders_per_day: int = 40, days: int = 60, seed: int = 7,
                    start: dt.date | None = None) -> DemoSummary:
    """Write the demo seller's reports under `out/reports/` and `out/expected_findings.jsonl`."""
    out = Path(out)
    start = start or DEFAULT_START
    seller = _Seller(out, orders_per_day, days, seed, start, Policy())
    try:
        planted = plant(seller)
        for offset in range(-25, days):
            day = start + dt.timedelta(days=offset)
            for order, action in planted.get(day, []):
                action(order)
            if offset >= 0:
                write_natural_day(seller, day)
        reports = write_side_reports(seller)
        expected = out / "expected_findings.jsonl"
        with open(expected, "w", encoding="utf-8") as f:
            for row in seller.expect.rows:
                f.write(json.dumps(row, sort_keys=True) + "\n")
    finally:
        for body in seller.st.bodies:
            body.close()
        shutil.rmtree(seller.tmp, ignore_errors=True)
    return DemoSummary(out=out, reports=tuple(reports), expected_findings=expected, orders=seller.orders,
                       settlement_rows=seller.st.rows, settlements=len(seller.st.ids),
                       findings=len(seller.expect.rows), start=start, as_of=seller.as_of)



# -- reading the demo files back (tests and benchmark only; ingestion has its own parsers) ---------

_KIND_BY_TYPE = {report_types.SETTLEMENT: "settlement", report_types.ALL_ORDERS: "orders",
                 report_types.FBA_RETURNS: "fba_returns", report_types.SELLER_RETURNS: "seller_returns",
                 report_types.REIMBURSEMENTS: "reimbursements"}
_MONEY = {"total-amount", "amount", "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price",
          "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "Label cost", "Order Amount",
          "Refunded Amount", "amount-per-unit", "amount-total"}
_RENAME = {"currency-unit": "currency", "Currency code": "currency", "Amazon RMA ID": "amazon_rma_id",
           "Merchant SKU": "merchant_sku", "Return quantity": "return_quantity", "Order ID": "order_id",
           "A-to-Z Claim": "a_to_z_claim"}


_CHUNK_ROWS = 250_000
# Columns of a settlement file that only its summary row fills: left out of the lines.
_SUMMARY_ONLY = ("settlement_start_date", "settlement_end_date", "deposit_date", "total_amount_cents")


def read_frames(reports_dir: Path, account: str = ACCOUNT, marketplace: str = MARKETPLACE):
    """The demo's report files as a `ReconcileInput`, without the database: a test-and-benchmark
    reader for the files this module writes (header-named columns, blank = null).

    Text columns come back categorical (a code per row, each distinct string once), and files are
    read a chunk at a time, so a month at 12,000 orders a day stays well under a gigabyte."""
    import numpy as np
    import pandas as pd

    from sellerops.reconciliation.model import ReconcileInput
    from sellerops.reconciliation.frames import coerce

    parts: dict[str, list] = {}
    for file_id, path in enumerate(sorted(Path(reports_dir).iterdir()), start=1):
        with open(path, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
        kind = _KIND_BY_TYPE[report_types.detect_type(header)]
        chunks = pd.read_csv(path, sep="\t", dtype=object, keep_default_na=False, na_values=[""], quoting=3,
                             chunksize=_CHUNK_ROWS)
        frame = _concat([_read_chunk(raw, kind, first=i == 0) for i, raw in enumerate(chunks)])
        n = len(frame)
        frame["line_no"] = np.arange(2, n + 2)
        frame["file"] = _constant(str(path), n)
        frame["account"], frame["marketplace"] = _constant(account, n), _constant(marketplace, n)
        frame["report_file_id"] = file_id
        if kind == "settlement":
            summary = frame.iloc[:1].drop(columns="raw_digest").assign(summary_line=2)
            lines = frame.iloc[1:].drop(columns=list(_SUMMARY_ONLY)).reset_index(drop=True)
            lines["currency"] = lines["currency"].fillna(summary["currency"].iloc[0])
            parts.setdefault("settlements", []).append(summary)
            parts.setdefault("settlement_lines", []).append(lines)
        else:
            if kind == "orders":
                frame["is_business_order"] = frame["is_business_order"].eq("true")
            parts.setdefault(kind, []).append(frame)
    frames = {kind: coerce(kind, _concat(chunks)) for kind, chunks in parts.items()}
    return ReconcileInput(**frames)


def _read_chunk(raw, kind: str, first: bool):
    """One chunk of a report as typed columns: money in integer cents, times parsed once per
    distinct value, other text categorical; a settlement row also gets its raw digest."""
    import numpy as np
    import pandas as pd

    text = pd.DataFrame({column: _categorical(raw[column]) for column in raw.columns}, index=raw.index)
    columns = {}
    for column, values in text.items():
        name = _RENAME.get(column, column.replace("-", "_").replace(" ", "_").lower())
        distinct = pd.Series(values.cat.categories, dtype=raw[column].dtype)
        if column in _MONEY:
            columns[name + "_cents"] = _spread(values, pd.Series([to_cents(v) for v in distinct], dtype="Int64"))
        elif distinct.str.endswith(" UTC").any():
            columns[name] = _spread(values, pd.to_datetime(distinct.str.removesuffix(" UTC"), utc=True,
                                                           format="%Y-%m-%d %H:%M:%S"))
        elif name.endswith("_date") and kind != "settlement":
            columns[name] = _spread(values, pd.to_datetime(distinct, utc=True, format="ISO8601"))
        else:
            columns[name] = values
    frame = pd.DataFrame(columns, index=raw.index)
    if kind == "settlement":
        # hashing the categorical columns gives the same digest as hashing the text, at a fraction of the cost
        digest = pd.util.hash_pandas_object(text.iloc[1:] if first else text, index=False).astype(str).to_numpy()
        frame["raw_digest"] = np.concatenate([[None], digest]) if first else digest
    return frame


def _categorical(values):
    """Text as a categorical, categories in order of appearance (sorting them would cost time for nothing)."""
    import pandas as pd

    codes, uniques = pd.factorize(values)
    return pd.Series(pd.Categorical.from_codes(codes, categories=uniques, validate=False), index=values.index)


def _spread(values, parsed):
    """Values parsed once per category, spread back over the rows (blank = NaT)."""
    import pandas as pd

    return pd.Series(pd.api.extensions.take(parsed.array, values.cat.codes.to_numpy(), allow_fill=True),
                     index=values.index)


def _constant(value: str, n: int):
    import numpy as np
    import pandas as pd

    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])


def _union(parts: list):
    """Categorical columns stacked (sellerops.reports.read.union)."""
    import numpy as np

    from sellerops.reports.read import union

    return union([(p.cat.codes.to_numpy(), np.asarray(p.cat.categories, dtype=object)) for p in parts])


def _concat(frames: list):
    """Frames of one table stacked, categorical columns kept categorical (their categories united)."""
    import pandas as pd

    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    columns = {}
    for column in frames[0].columns:
        parts = [f[column] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            columns[column] = _union(parts)
        else:
            columns[column] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)
