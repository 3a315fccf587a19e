"""The demo's expected findings: what reconciliation must find in the demo seller's files.

Derived from what `sellerops.demo.planted` wrote, never by running the rules, so the demo can
check the rules: a planted case adds its row when (and only when) it is written; the fee outliers,
whose money depends on their comparison group, are judged here once every line is written.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from fractions import Fraction

from sellerops.core.money import from_cents
from sellerops.demo.files import ACCOUNT, CURRENCY, MARKETPLACE
from sellerops.demo.generator import Seller


@dataclass
class Expected:
    """The expected findings, one row each, as written to `expected_findings.jsonl`."""

    rows: list[dict] = field(default_factory=list)

    def add(self, kind, amount_cents, settlement_id=None, order_id=None, sku=None, line_no=None, **extra):
        self.rows.append({"kind": kind, "account": ACCOUNT, "marketplace": MARKETPLACE,
                          "settlement_id": settlement_id, "order_id": order_id, "sku": sku, "line_no": line_no,
                          "amount": str(from_cents(amount_cents)), "currency": CURRENCY, **extra})


def expect_outliers(s: Seller) -> None:
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
