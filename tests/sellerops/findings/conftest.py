"""Findings as a procedure's run hands them to the store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sellerops.reconciliation.model import FindingRecord

UTC = dt.timezone.utc
NIGHT = [dt.datetime(2026, 6, d, 2, 30, tzinfo=UTC) for d in range(1, 8)]


def record(kind: str = "unsettled_order", order_id: str = "111-0000001-0000001", amount: str = "12.34",
           account: str = "default", **kw) -> FindingRecord:
    return FindingRecord(kind=kind, account=account, marketplace="ATVPDKIKX0DER",
                         settlement_id=kw.pop("settlement_id", None), order_id=order_id, sku=kw.pop("sku", "SKU-1"),
                         line_no=kw.pop("line_no", None), amount=Decimal(amount), currency="USD",
                         detail=f"{kind} {order_id}", evidence=[{"file": "/r/orders.txt", "line": 2, "values": {}}],
                         **kw)


@pytest.fixture
def sqlite_db(sellerops_home, monkeypatch):
    """A fresh SQLite database under the test's home, as the store's configured database."""
    url = f"sqlite:///{sellerops_home / 'findings.db'}"
    monkeypatch.setenv("SELLEROPS_DATABASE_URL", url)
    return url
