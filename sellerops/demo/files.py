"""The demo's report files as Amazon writes them: the demo seller's identity, each report's header,
amounts and times as text, and the settlement files, written one temporary body per settlement
(its summary row, which carries the total, goes first once the body is complete) so 12,000 orders a
day stay fast and small in memory. `sellerops.demo.generator` fills them.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from sellerops.core.money import cents_text

ACCOUNT = "demo"
MARKETPLACE = "Amazon.com"
CURRENCY = "USD"
PERIOD_DAYS = 14

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


_MONEY_TEXT: dict[int, str] = {}


def money(cents: int) -> str:
    text = _MONEY_TEXT.get(cents)
    if text is None:  # a seller's amounts repeat (prices, fees, taxes): format each once
        text = _MONEY_TEXT[cents] = cents_text(cents)
    return text


def stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S UTC")


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def ratio(numerator: int, denominator: int) -> int:
    """round(Fraction(numerator, denominator)), half to even, in plain integers (hot path)."""
    floor, rest = divmod(numerator, denominator)
    if rest * 2 < denominator:
        return floor
    if rest * 2 > denominator:
        return floor + 1
    return floor + (floor & 1)


def midnight(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)


class Settlements:
    """Per-settlement temporary bodies; knows each period, counts lines and sums amounts."""

    def __init__(self, tmp: Path, start: dt.date, count: int, rng: random.Random):
        self.starts = [midnight(start + dt.timedelta(days=PERIOD_DAYS * k)) for k in range(count)]
        self.end = self.starts[-1] + dt.timedelta(days=PERIOD_DAYS) if count else midnight(start)
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
        self.bodies[k].write(f"{prefix}\t{a_type}\t{desc}\t{money(cents)}\t{suffix}\n")
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
                f.write(f"{sid}\t{stamp(start)}\t{stamp(end)}\t{stamp(end + dt.timedelta(days=2))}\t"
                        f"{money(total)}\t{CURRENCY}{blank}\n")
                with open(tmp / f"{sid}.body", encoding="utf-8", newline="") as body:
                    shutil.copyfileobj(body, f, 1 << 20)
            paths.append(path)
        return paths
