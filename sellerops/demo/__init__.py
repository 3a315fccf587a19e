"""The demo room: a seller's Amazon-format report files with planted discrepancies and the
findings they must produce, for `sellerops demo`, the tests and the benchmark.

`write_demo_data(out)` writes the seller (`generator`) with its planted cases (`planted`) as
tab-separated files under `out/reports/` (shaped by `files`), and `out/expected_findings.jsonl` beside
that folder (`expected`): the findings reconciliation must produce at the default as-of.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from sellerops.demo.expected import Expected, expect_outliers
from sellerops.demo.generator import DEFAULT_START, Seller, write_natural_day, write_side_reports
from sellerops.demo.planted import plant
from sellerops.reconciliation.policy import Policy

__all__ = ["DemoSummary", "write_demo_data"]


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


def write_demo_data(out: Path, orders_per_day: int = 40, days: int = 60, seed: int = 7,
                    start: dt.date | None = None) -> DemoSummary:
    """Write the demo seller's reports under `out/reports/` and `out/expected_findings.jsonl`."""
    out = Path(out)
    start = start or DEFAULT_START
    seller = Seller(out, orders_per_day, days, seed, start, Policy(), Expected())
    try:
        planted = plant(seller)
        for offset in range(-25, days):
            day = start + dt.timedelta(days=offset)
            for order, action in planted.get(day, []):
                action(order)
            if offset >= 0:
                write_natural_day(seller, day)
        reports = write_side_reports(seller)
        expect_outliers(seller)
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

