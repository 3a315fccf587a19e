"""The demo seller's generator: a realistic US seller's Amazon-format report files.

In the demo room (`sellerops.demo`) this generator writes an ordinary, clean seller
(FBA and seller-fulfilled orders, multi-item orders, quantities above one, promotions, taxes withheld
as marketplace-facilitator tax, refunds with and without returns, reimbursements, storage,
subscription, advertising and inbound-shipment fees); `planted` adds the discrepancies and their
negative controls; `expected` states the findings they must produce. Natural data is clean by
construction (every old full FBA refund has a return or a reimbursement, every old shipped order
settles, fees are constant per SKU and fee period), so the planted list is the whole truth.

Rows are streamed as joined strings into the files of `sellerops.demo.files`. Deterministic for a
seed: same arguments, same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from sellerops.demo.files import (CURRENCY, FBA_RETURNS_HEADER, MARKETPLACE, ORDERS_HEADER, PERIOD_DAYS,
                                  REIMBURSEMENTS_HEADER, SELLER_RETURNS_HEADER, Settlements, iso, midnight, money,
                                  ratio, stamp)
from sellerops.reconciliation.policy import Policy

DEFAULT_START = dt.date(2026, 1, 5)  # a fixed day keeps the output deterministic; spans Jan 15's fee change
_PRODUCTS = ("Bamboo Cutting Board", "Silicone Baking Mat", "Steel Water Bottle", "Yoga Strap", "Desk Lamp",
             "Garlic Press", "Phone Stand", "Travel Pillow", "Cable Organizer", "Herb Scissors", "Tea Infuser",
             "Bike Light", "Plant Mister", "Shoe Horn", "Knife Sharpener", "Laptop Sleeve")
_CITIES = (("Seattle", "WA", "98101"), ("Austin", "TX", "73301"), ("Denver", "CO", "80202"),
           ("Miami", "FL", "33101"), ("Columbus", "OH", "43004"), ("Portland", "OR", "97201"))


@dataclass
class Sku:
    sku: str
    asin: str
    fnsku: str
    name: str
    price: int  # cents a unit
    fba_fee: int  # cents a unit before the fee change
    rate: Fraction  # referral fee rate


@dataclass
class Item:
    sku: Sku
    qty: int
    code: str
    promo: int = 0  # cents, positive
    shipping: int = 0

    @property
    def principal(self) -> int:
        return self.sku.price * self.qty


@dataclass
class Order:
    order_id: str
    purchased: dt.datetime
    afn: bool
    items: list[Item]
    business: bool = False
    status: str = "Shipped"
    channel: str = MARKETPLACE
    in_report: bool = True


class Seller:
    """The seller being written: its catalogue, its settlements in progress, the side reports'
    rows, and the expectations that planted cases add (`expect`, from sellerops.demo.expected)."""

    def __init__(self, out: Path, orders_per_day: int, days: int, seed: int, start: dt.date, policy: Policy,
                 expect) -> None:
        self.rng = random.Random(seed)
        self.start, self.days, self.per_day, self.policy = start, days, orders_per_day, policy
        self.reports = out / "reports"
        self.tmp = out / f".demo-tmp-{seed}"
        self.reports.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        n_settlements = max(1, -(-days // PERIOD_DAYS))
        self.st = Settlements(self.tmp, start, n_settlements, self.rng)
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
        self.expect = expect
        self.fee_change = self._fee_change_day()
        # (settlement, sku, fee period) -> [(fee, qty, commission, base)] for SKUs with a planted outlier
        self.watch: dict[tuple, list[tuple[int, int, int, int]]] = {}
        self.watched_skus: set[str] = set()
        self.outliers: list[tuple[str, str]] = []

    # -- catalogue and ids -------------------------------------------------------------------
    def _catalog(self) -> list[Sku]:
        skus = []
        for i in range(20):
            name = f"{_PRODUCTS[i % len(_PRODUCTS)]} {'Large' if i >= len(_PRODUCTS) else ''}".strip()
            price = self.rng.choice((1299, 1499, 1999, 2499, 2999, 3499, 4999)) + (0 if i % 3 else 0)
            rate = Fraction(15, 100) if i % 5 else Fraction(8, 100)
            fee = self.rng.choice((322, 386, 475, 562, 689))
            skus.append(Sku(f"DM-{i + 1:03d}-{'BLK' if i % 2 else 'WHT'}", f"B0{self.rng.randrange(10**7, 10**8)}X",
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

    def _fba_fee(self, sku: Sku, posted: dt.datetime) -> int:
        return sku.fba_fee + (15 if posted.date() >= self.fee_change else 0)

    # -- orders ------------------------------------------------------------------------------
    def new_order(self, day: dt.date, afn: bool | None = None, skus: list[Sku] | None = None,
                  qty: int | None = None, **kw) -> Order:
        rng = self.rng
        purchased = midnight(day) + dt.timedelta(seconds=rng.randrange(86400))
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
            item = Item(s, q, f"{rng.randrange(10**13, 10**14)}")
            if rng.random() < 0.1:
                item.promo = ratio(item.principal, 10)
            if not afn:
                item.shipping = 399 * q
            items.append(item)
        return Order(oid, purchased, afn, items, business=kw.pop("business", rng.random() < 0.05), **kw)

    def write_order_rows(self, o: Order) -> None:
        if not o.in_report:
            return
        self.orders += 1
        city, state, postal = _CITIES[self.order_seq % len(_CITIES)]
        updated = o.purchased + dt.timedelta(days=2)
        for it in o.items:
            shipped = o.status == "Shipped"
            tax = ratio(it.principal * 725, 10000)
            stax = ratio(it.shipping * 725, 10000)
            price = [money(it.principal), money(tax), money(it.shipping), money(stax), "0.00", "0.00",
                     money(-it.promo) if it.promo else "0.00", "0.00"] if shipped else [""] * 8
            row = (o.order_id, "", iso(o.purchased), iso(updated), o.status,
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

    def settle_order(self, o: Order, skip: set[str] = frozenset(), principal_delta: dict[str, int] | None = None,
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
        pdate, pdt = posted.strftime("%Y-%m-%d"), stamp(posted)
        for it in o.items:
            if it.sku.sku in skip:
                continue
            qty = (settled_qty or {}).get(it.sku.sku, it.qty)
            principal = it.sku.price * qty + (principal_delta or {}).get(it.sku.sku, 0)
            shipping = 399 * qty if not o.afn else 0
            promo = ratio(it.promo * qty, it.qty) if it.promo else 0
            tax = ratio(principal * 725, 10000)
            stax = ratio(shipping * 725, 10000)
            base = principal + shipping - promo
            r = (rate or {}).get(it.sku.sku, it.sku.rate)
            commission = ratio(r.numerator * base, r.denominator)
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
                line = self.st.copy_last(k, f"{prefix}\tItemFees\tCommission\t{money(-commission)}\t{suffix}\n",
                                         -commission)
                self.expect.add("duplicate_charge", commission, sid, o.order_id, it.sku.sku, line)
            fee = 0
            if o.afn:
                fee = self._fba_fee(it.sku, posted) * qty + (fee_extra or {}).get(it.sku.sku, 0)
                w(k, prefix, "ItemFees", "FBAPerUnitFulfillmentFee", -fee, suffix)
                if duplicate and duplicate[0] == it.sku.sku and duplicate[1] == "FBAPerUnitFulfillmentFee":
                    line = self.st.copy_last(
                        k, f"{prefix}\tItemFees\tFBAPerUnitFulfillmentFee\t{money(-fee)}\t{suffix}\n", -fee)
                    self.expect.add("duplicate_charge", fee, sid, o.order_id, it.sku.sku, line)
            if it.sku.sku in self.watched_skus:
                period = fee_period(posted.date(), self.policy.fee_period_splits)
                self.watch.setdefault((k, it.sku.sku, period), []).append(
                    (fee if o.afn else None, qty, commission, base, o.order_id))
        return posted

    def refund(self, o: Order, it: Item, when: dt.datetime, principal: int | None = None) -> bool:
        """Write a Refund of `principal` (default: the whole item) if its settlement is loaded."""
        k = self.st.index(when)
        if k is None:
            return False
        sid = self.st.ids[k]
        principal = it.principal if principal is None else principal
        tax = ratio(principal * 725, 10000)
        commission = ratio(it.sku.rate.numerator * principal, it.sku.rate.denominator)
        refund_commission = min(500, ratio(commission, 5))
        ful = "AFN" if o.afn else "MFN"
        prefix = (f"{sid}\t\t\t\t\t{CURRENCY}\tRefund\t{o.order_id}\t\t{self.rng.randrange(10**13, 10**14)}\t\t"
                  f"{MARKETPLACE}")
        suffix = f"{ful}\t{when:%Y-%m-%d}\t{stamp(when)}\t{it.code}\t\t{self.rng.randrange(10**13, 10**14)}\t{it.sku.sku}\t\t"
        w = self.st.write
        w(k, prefix, "ItemPrice", "Principal", -principal, suffix)
        w(k, prefix, "ItemPrice", "Tax", -tax, suffix)
        w(k, prefix, "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", tax, suffix)
        w(k, prefix, "ItemFees", "Commission", commission, suffix)
        w(k, prefix, "ItemFees", "RefundCommission", -refund_commission, suffix)
        return True

    def fba_return(self, o: Order, it: Item, when: dt.datetime) -> None:
        self.fba_returns.append((when, iso(when), o.order_id, it.sku.sku, it.sku.asin, it.sku.fnsku, it.sku.name,
                                 str(it.qty), "PHX7", "SELLABLE", "UNWANTED_ITEM", "Unit returned to inventory",
                                 f"LPN{self.rng.randrange(10**9, 10**10)}", ""))

    def seller_return(self, o: Order, it: Item, when: dt.datetime) -> None:
        rma = f"D{self.rng.randrange(10**8, 10**9)}"
        row = [""] * len(SELLER_RETURNS_HEADER)
        values = {"Order ID": o.order_id, "Order date": iso(o.purchased), "Return request date": iso(when),
                  "Return request status": "Approved", "Amazon RMA ID": rma, "Label type": "AmazonPrePaidLabel",
                  "Label cost": "5.20", "Currency code": CURRENCY, "Return carrier": "UPS",
                  "Tracking ID": f"1Z{self.rng.randrange(10**12, 10**13)}", "Label to be paid by": "Seller",
                  "A-to-Z Claim": "N", "Is prime": "N", "ASIN": it.sku.asin, "Merchant SKU": it.sku.sku,
                  "Item Name": it.sku.name, "Return quantity": str(it.qty), "Return Reason": "CR-UNWANTED_ITEM",
                  "In policy": "Y", "Return type": "C-Returns", "Resolution": "StandardRefund",
                  "Order Amount": money(it.principal), "Order quantity": str(it.qty),
                  "Refunded Amount": money(it.principal)}
        for i, name in enumerate(SELLER_RETURNS_HEADER):
            row[i] = values.get(name, "")
        self.seller_returns.append((when, *row))

    def reimburse(self, when: dt.datetime, sku: Sku, qty: int, cents_per_unit: int, reason: str,
                  order_id: str = "", original: str = "", sign: int = 1) -> str:
        rid = str(self.rng.randrange(10**9, 10**10))
        total = sign * cents_per_unit * qty
        self.reimbursements.append((when, iso(when), rid, str(self.rng.randrange(10**9, 10**10)) if order_id else "",
                                    order_id, reason, sku.sku, sku.fnsku, sku.asin, sku.name, "NewItem", CURRENCY,
                                    money(cents_per_unit), money(total), str(sign * qty), "0", str(sign * qty),
                                    original, "Reimbursement_Reversal" if original else ""))
        k = self.st.index(when)
        if k is not None:
            sid = self.st.ids[k]
            desc = {"CustomerReturn": "CUSTOMER_RETURN", "Lost_Warehouse": "WAREHOUSE_LOST",
                    "Damaged_Warehouse": "WAREHOUSE_DAMAGE", "Reimbursement_Reversal": "REVERSAL_REIMBURSEMENT"}[reason]
            self.st.write(k, f"{sid}\t\t\t\t\t{CURRENCY}\tother-transaction\t{order_id}\t\t\t\t{MARKETPLACE}",
                          "FBA Inventory Reimbursement", desc, total,
                          f"\t{when:%Y-%m-%d}\t{stamp(when)}\t\t\t\t{sku.sku}\t\t")
        return rid


def fee_period(day: dt.date, splits: tuple[tuple[int, int], ...]) -> int:
    k = sum((day.month, day.day) >= s for s in splits)
    return (day.year - 1) * 100 + len(splits) if k == 0 else day.year * 100 + k



def write_natural_day(s: Seller, day: dt.date) -> None:
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
    noon = midnight(day) + dt.timedelta(hours=12)
    k = s.st.index(noon)
    if k is None:
        return
    sid = s.st.ids[k]
    other = f"{sid}\t\t\t\t\t{CURRENCY}\tother-transaction\t\t\t\t\t{MARKETPLACE}"
    tail = f"\t{day:%Y-%m-%d}\t{stamp(noon)}\t\t\t\t\t\t"
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
            when = midnight(day) + dt.timedelta(hours=hours)
            s.st.write(k, f"{sid}\t\t\t\t\t{CURRENCY}\tother-transaction\t{shipment}\t\t\t{shipment}\t{MARKETPLACE}",
                       "ShipmentFees", "FBAInboundTransportationFee", cents,
                       f"\t{day:%Y-%m-%d}\t{stamp(when)}\t\t\t\t\t\t")
    if rng.random() < min(1.0, s.per_day / 200):
        sku = rng.choice(s.skus)
        s.reimburse(noon, sku, 1, sku.price // 2, rng.choice(("Lost_Warehouse", "Damaged_Warehouse")))


def write_side_reports(s: Seller) -> list[Path]:
    end = s.st.end
    for f in s.order_files.values():
        f.close()
    paths = sorted(Path(f.name) for f in s.order_files.values())
    paths += s.st.finish(s.reports, s.tmp, getattr(s, "skew", {}))
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
