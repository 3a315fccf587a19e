"""Return-rate spikes through the findings store: one finding per SKU under procedure `returns`,
amount 0, that never resolves another procedure's findings; returned units' dispositions recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from sellerops.findings.store import list_findings, store
from sellerops.reconciliation.model import FindingRecord
from sellerops.returns import measures
from sellerops.returns import units as returned_units
from sellerops.returns.policy import Policy
from sellerops.storage.engine import get_engine
from tests.sellerops.returns.files import (FBA_RETURNS_HEADER, ORDERS_HEADER, fba_return_line, ingest, order_line,
                                           write)

NOW = dt.datetime(2025, 7, 9, 12, 0, tzinfo=dt.timezone.utc)  # a Wednesday of ISO week 28 (from Mon 7 July)


def test_a_spike_is_one_returns_finding_and_the_reconciliations_stay_open(db_url, tmp_path):
    theirs = FindingRecord(kind="refund_without_return", account="default", marketplace="Amazon.com",
                           settlement_id="S1", order_id="111-9", sku="MUG", line_no=3, amount=Decimal("12.00"),
                           currency="USD", detail="refunded, never returned")
    store([theirs], procedure="reconciliation", account="default", now=NOW)
    monday = dt.date(2025, 5, 12)
    orders, returns = [], []
    for w in range(9):  # eight baseline weeks of 50 units, 1 returned (2%); then 40 units, 6 returned (15%)
        day = monday + dt.timedelta(weeks=w, days=1)
        units, back = (50, 1) if w < 8 else (40, 6)
        orders.append(order_line(f"111-00000{w:02d}-0000001", "MUG", "10.00", f"{day}T10:00:00+00:00", qty=units))
        returns.append(fba_return_line(f"111-00000{w:02d}-0000001", "MUG", f"{day + dt.timedelta(days=1)}T10:00:00+00:00",
                                       back, disposition="CUSTOMER_DAMAGED" if w == 8 else "SELLABLE"))
    ingest(write(tmp_path / "orders.txt", ORDERS_HEADER, orders), write(tmp_path / "fba.txt", FBA_RETURNS_HEADER, returns))
    got = measures.store_spikes(NOW, Policy(), "default", "Amazon.com")
    assert got["spikes"] == 1
    found = {f["kind"]: f for f in list_findings(status="open")}
    spike = found["return_rate_spike"]
    assert (spike["procedure"], spike["amount"], spike["sku"]) == ("returns", "0.00", "MUG")
    assert "15.0%" in spike["detail"] and "2.0%" in spike["detail"]
    assert found["refund_without_return"]["status"] == "open"
    measures.store_spikes(NOW, Policy(), "default", "Amazon.com")  # a rerun: still one
    assert [f["kind"] for f in list_findings(status="open")].count("return_rate_spike") == 1
    # and the units: SELLABLE back to stock, CUSTOMER_DAMAGED a supplier or grading action
    assert returned_units.record_unit_actions("default", NOW) == 9
    with get_engine().connect() as c:
        actions = dict(c.execute(sa.text("select action, count(*) from return_unit_action group by action")).all())
    assert actions == {"restock": 8, "supplier_or_grading": 1}
    assert returned_units.record_unit_actions("default", NOW) == 0  # once per line
