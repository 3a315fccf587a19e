"""The demo room: report files Amazon would write, deterministic, and planted findings that
reconciliation finds exactly — read back through ingestion (tests/sellerops/demo/reading.py)."""

from __future__ import annotations

import csv
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

import sellerops.demo
from sellerops.demo import DemoSummary, write_demo_data
from sellerops.reconciliation import KINDS, reconcile
from tests.sellerops.demo.reading import read_frames


def _subjects(rows):
    return sorted((r["kind"], r["settlement_id"], r["order_id"], r["sku"], r["line_no"], r["amount"]) for r in rows)


def _expected(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "expected_findings.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    summary = write_demo_data(out, orders_per_day=40, days=60, seed=7)
    return out, summary


def test_expectations_beside_the_reports_and_every_kind_planted(demo):
    out, summary = demo
    assert summary.expected_findings == out / "expected_findings.jsonl"
    assert not list((out / "reports").glob("*.jsonl")) and not list(out.glob(".demo-tmp*"))
    assert {r["kind"] for r in _expected(out)} == set(KINDS)


def test_the_default_demo_plants_what_make_demo_prints(demo):
    # `make demo` prints "12 open findings, 205.75 USD at stake": the default seller's planted list
    out, summary = demo
    rows = _expected(out)
    assert isinstance(summary, DemoSummary) and summary.findings == len(rows) == 12
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("205.75")
    assert {r["currency"] for r in rows} == {"USD"}


def test_the_room_exports_the_writer_and_no_reader():
    # reading the files back is ingestion's job; the demo room only writes them
    assert set(sellerops.demo.__all__) == {"DemoSummary", "write_demo_data"}
    assert not hasattr(sellerops.demo, "read_frames")


def test_reconcile_finds_exactly_the_planted_findings(demo):
    out, _ = demo
    found = reconcile(read_frames(out / "reports"))
    got = [{"kind": f.kind, "settlement_id": f.settlement_id, "order_id": f.order_id, "sku": f.sku,
            "line_no": f.line_no, "amount": str(f.amount)} for f in found]
    assert _subjects(got) == _subjects(_expected(out))
    windows = {(f.order_id, str(f.claim_window_opens), str(f.claim_window_closes))
               for f in found if f.kind == "refund_without_return"}
    assert windows == {(r["order_id"], r["claim_window_opens"], r["claim_window_closes"])
                       for r in _expected(out) if r["kind"] == "refund_without_return"}


@pytest.mark.parametrize("kw", [{"orders_per_day": 15, "days": 20, "seed": 3}, {"orders_per_day": 60, "days": 35, "seed": 11}])
def test_shorter_spans_plant_only_what_they_can_hold(tmp_path, kw):
    write_demo_data(tmp_path, **kw)
    found = [{"kind": f.kind, "settlement_id": f.settlement_id, "order_id": f.order_id, "sku": f.sku,
              "line_no": f.line_no, "amount": str(f.amount)} for f in reconcile(read_frames(tmp_path / "reports"))]
    assert _subjects(found) == _subjects(_expected(tmp_path))


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_deterministic_for_a_seed(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_demo_data(a, orders_per_day=10, days=30, seed=5)
    write_demo_data(b, orders_per_day=10, days=30, seed=5)
    write_demo_data(c, orders_per_day=10, days=30, seed=6)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_settlement_files_have_one_summary_row_that_totals_the_rows(demo):
    out, _ = demo
    mismatched = {r["settlement_id"] for r in _expected(out) if r["kind"] == "settlement_total_mismatch"}
    files = sorted((out / "reports").glob("settlement_*.txt"))
    assert len(files) == 5  # 60 days in 14-day settlements
    for path in files:
        rows = _read(path)
        summary, body = rows[0], rows[1:]
        assert summary["total-amount"] and not summary["transaction-type"]
        assert all(r["transaction-type"] and not r["total-amount"] for r in body)
        total = sum(Decimal(r["amount"]) for r in body)
        assert (total != Decimal(summary["total-amount"])) == (summary["settlement-id"] in mismatched)
        assert summary["settlement-start-date"].endswith(" UTC")


def test_the_seller_looks_real(demo):
    out, _ = demo
    reports = out / "reports"
    orders = [r for p in reports.glob("all_orders_*.txt") for r in _read(p)]
    lines = [r for p in reports.glob("settlement_*.txt") for r in _read(p)[1:]]
    assert {r["fulfillment-channel"] for r in orders} == {"Amazon", "Merchant"}
    assert {"Cancelled", "Shipped"} <= {r["order-status"] for r in orders}
    assert "Non-Amazon" in {r["sales-channel"] for r in orders}
    assert any(int(r["quantity"]) > 1 for r in orders) and any(r["promotion-ids"] for r in orders)
    per_order = {}
    for r in orders:
        per_order[r["amazon-order-id"]] = per_order.get(r["amazon-order-id"], 0) + 1
    assert max(per_order.values()) > 1  # multi-item orders
    assert orders[0]["purchase-date"].endswith("+00:00")
    seen = {(r["transaction-type"], r["amount-type"], r["amount-description"]) for r in lines}
    for expected in [("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal"),
                     ("Order", "ItemFees", "FBAPerUnitFulfillmentFee"), ("Refund", "ItemFees", "RefundCommission"),
                     ("ServiceFee", "Cost of Advertising", "TransactionTotalAmount"),
                     ("other-transaction", "other-transaction", "Storage Fee"),
                     ("other-transaction", "FBA Inventory Reimbursement", "REVERSAL_REIMBURSEMENT")]:
        assert expected in seen
    assert any(r["order-id"].startswith("FBA") and r["amount-type"] == "ShipmentFees" for r in lines)
    reimbursements = _read(reports / "reimbursements.txt")
    assert any(r["original-reimbursement-id"] and r["amount-total"].startswith("-") for r in reimbursements)
    assert _read(reports / "fba_customer_returns.txt") and _read(reports / "seller_fulfilled_returns.txt")
