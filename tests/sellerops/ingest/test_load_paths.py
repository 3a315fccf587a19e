"""The two ways an order file's rows reach SQLite (sellerops.storage.bulk): bound row by row, or
staged — each distinct set of repeating values bound once into a temporary table and the rows
joined to it in one INSERT … SELECT. Large files take the staged way, the small test files the
other; both must store exactly the same rows with the same upsert (the newest last_updated_date
wins, a rerun stores nothing twice)."""

from __future__ import annotations

import sqlalchemy as sa

from sellerops.ingest import LOADED, ingest_paths
from sellerops.storage import bulk
from sellerops.storage.engine import get_engine
from tests.sellerops.reports.make_data import orders

STAGED_INSERT = bulk.staged_insert
NAMES = ["Widget", "O'Brien 100% wool", "x'); DROP TABLE order_line; --"]


def _lines(ids, day: int, status: str, price: str) -> list[str]:
    return orders([dict(amazon_order_id=f"111-{i:07d}-0000001", sku=f"SKU-{i % 3}", product_name=NAMES[i % 3],
                        purchase_date=f"2026-06-0{1 + i % 3}T10:00:00+00:00",
                        last_updated_date=f"2026-06-{day:02d}T10:00:00+00:00", order_status=status,
                        item_price="" if i % 7 == 0 else price, quantity=str(1 + i % 2),
                        is_business_order="true" if i % 5 == 0 else "false")
                   for i in ids])


def _store(tmp_path, monkeypatch, staged: bool) -> tuple[list, list]:
    """Load the same three downloads into a fresh home; the rows stored and what the staged path answered."""
    home = tmp_path / ("staged" if staged else "bound")
    monkeypatch.setenv("SELLEROPS_HOME", str(home))
    # the thresholds are speed, not meaning: a test file is small, so any file with repeating
    # values goes the staged way here
    monkeypatch.setattr(bulk, "STAGE_MIN_ROWS", 1 if staged else 10 ** 9)
    monkeypatch.setattr(bulk, "_STAGE_MIN_SHARED", 2)
    answered = []
    monkeypatch.setattr(bulk, "staged_insert", lambda conn, table, *a, **k: answered.append(
        (table.name, STAGED_INSERT(conn, table, *a, **k))) or answered[-1][1])
    drop = tmp_path / f"drop-{staged}"
    drop.mkdir()
    files = {"1.txt": _lines(range(0, 400), 3, "Pending", "25.00"),
             # a re-download: 100 rows newer (they win), 100 older (they change nothing), 100 new orders
             "2.txt": (_lines(range(100, 200), 5, "Shipped", "30.00")
                       + _lines(range(200, 300), 1, "Canceled", "1.00")[1:]
                       + _lines(range(400, 500), 4, "Shipped", "12.50")[1:])}
    for name, lines in files.items():
        (drop / name).write_text("\n".join(lines) + "\n")
        [o] = ingest_paths([drop / name])
        assert o.status == LOADED, o.reason
    assert [o.known for o in ingest_paths([drop])] == [True, True]  # a rerun stores nothing
    with get_engine().connect() as c:
        stored = c.execute(sa.text("select * from order_line order by id")).all()
    return stored, answered


def test_staged_and_bound_order_lines_are_the_same_rows(tmp_path, monkeypatch):
    staged, took = _store(tmp_path, monkeypatch, staged=True)
    bound, _ = _store(tmp_path, monkeypatch, staged=False)
    # both files went the staged way (else this test proves nothing)
    assert [x for x in took if x[0] == "order_line"] == [("order_line", True)] * 2
    assert staged == bound
    assert len(staged) == 500
    by_order = {r.amazon_order_id: r for r in staged}
    assert by_order["111-0000150-0000001"].order_status == "Shipped"  # newer re-download won
    assert by_order["111-0000250-0000001"].order_status == "Pending"  # older re-download changed nothing
    assert by_order["111-0000004-0000001"].product_name == NAMES[1]  # quotes and % arrive exactly
    assert by_order["111-0000007-0000001"].item_price_cents is None  # a blank price stays blank

