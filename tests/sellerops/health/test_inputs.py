"""The watch's inputs through `sellerops ingest` (the one per-file decision), without Prefect: loaded
into their tables, bad files quarantined naming file, line and column while the good ones load,
and reruns never duplicating. Storage assertions run on SQLite and PostgreSQL (`db_url`)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import sqlalchemy as sa

from sellerops.core import report_types as rt
from sellerops.ingest import DUPLICATE, LOADED, QUARANTINED, ingest_paths
from sellerops.reports import cycle_counts, purchase_orders
from sellerops.storage.engine import get_engine
from tests.sellerops.reports.test_health_input_contracts import GOOD
from tests.sellerops.reports.test_seller_performance import amazon_like

PO_HEADER = purchase_orders.EXAMPLE.splitlines()[0]


def rows(sql: str):
    with get_engine().connect() as c:
        return [tuple(r) for r in c.execute(sa.text(sql)).all()]


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(text, encoding="utf-8")
    return p


def test_every_input_loads_into_its_table(db_url, tmp_path):
    inbox = tmp_path / "inbox"
    write(inbox, "perf.json", json.dumps(amazon_like(), indent=2))
    write(inbox, "myi.txt", "\n".join(GOOD[rt.MANAGE_INVENTORY][1]) + "\n")
    write(inbox, "search-terms.csv", "\n".join(GOOD[rt.SEARCH_TERMS][1]) + "\n")
    write(inbox, "counts.csv", cycle_counts.EXAMPLE)
    write(inbox, "pos.csv", purchase_orders.EXAMPLE)
    out = {o.path.rsplit("/", 1)[-1]: o for o in ingest_paths([inbox])}
    assert {n: (o.status, o.report_type, o.rows) for n, o in out.items()} == {
        "perf.json": (LOADED, rt.SELLER_PERFORMANCE, 6), "myi.txt": (LOADED, rt.MANAGE_INVENTORY, 2),
        "search-terms.csv": (LOADED, rt.SEARCH_TERMS, 2), "counts.csv": (LOADED, rt.CYCLE_COUNTS, 2),
        "pos.csv": (LOADED, rt.PURCHASE_ORDERS, 3)}
    odr = rows("select channel, value, report_at from performance_metric where metric = 'odr' order by channel")
    assert [(c, Decimal(v)) for c, v, _ in odr] == [("afn", Decimal("0.009")), ("mfn", Decimal("0.011"))]
    assert rows("select sku, afn_warehouse_quantity, afn_fulfillable_quantity from fba_inventory order by sku") == [
        ("MUG-BLUE-12", 60, 50), ("MUG-RED-12", 0, 0)]
    assert rows("select targeting, customer_search_term, clicks, orders, spend_cents, sales_cents, currency "
                "from ad_search_term order by line_no") == [
        ("blue mug", "blue mug", 120, 7, 1625, 123450, "USD"), ("*", "mug, blue", 30, 0, 600, 0, "USD")]
    [(day,)] = rows("select distinct count_date from cycle_count")
    assert str(day) == "2026-11-24"
    assert rows("select po_number, sku, actual_arrival_date is null from purchase_order_line order by po_number, sku") \
        == [("PO-1001", "MUG-BLUE-12", False), ("PO-1001", "MUG-RED-12", False), ("PO-1002", "MUG-BLUE-12", True)]


def test_a_rerun_never_duplicates_and_a_later_po_row_replaces_the_earlier(db_url, tmp_path):
    first = write(tmp_path / "a", "pos.csv", purchase_orders.EXAMPLE)
    counts = write(tmp_path / "a", "counts.csv", cycle_counts.EXAMPLE)
    ingest_paths([first, counts])
    assert [o.status for o in ingest_paths([first, counts])] == [LOADED, LOADED]  # known: first outcome kept
    copy = write(tmp_path / "b", "pos-copy.csv", purchase_orders.EXAMPLE)
    assert ingest_paths([copy])[0].status == DUPLICATE
    # PO-1002 arrives: the next export carries its line again, now with an arrival, and a recount
    later = write(tmp_path / "c", "pos-later.csv", PO_HEADER + "\nPO-1002,Acme Ceramics,MUG-BLUE-12,500,2026-11-10,"
                                                              "2026-11-30,2026-11-27\n")
    recount = write(tmp_path / "c", "counts-later.csv", "count-date,location,sku,counted-quantity,system-quantity\n"
                                                        "2026-11-24,WH1-A01,MUG-BLUE-12,50,50\n")
    assert [o.status for o in ingest_paths([later, recount])] == [LOADED, LOADED]
    assert rows("select count(*) from purchase_order_line") == [(3,)]
    assert rows("select actual_arrival_date is null from purchase_order_line where po_number = 'PO-1002'") == [
        (False,)]
    assert rows("select count(*), sum(counted_quantity) from cycle_count") == [(2, 170)]  # 50 + 120, not 48 + …
    search = write(tmp_path / "d", "st.csv", "\n".join(GOOD[rt.SEARCH_TERMS][1]) + "\n")
    overlap = write(tmp_path / "d", "st-again.csv", "\n".join(GOOD[rt.SEARCH_TERMS][1][:2]) + "\n\n")
    ingest_paths([search, overlap])  # the second export repeats a day: it replaces, never adds
    assert rows("select sum(clicks) from ad_search_term") == [(150,)]


def test_bad_files_are_quarantined_with_their_place_and_the_good_ones_load(db_url, tmp_path, sellerops_home):
    inbox = tmp_path / "inbox"
    write(inbox, "a-pos-bad.csv", PO_HEADER + "\nPO-1,Acme,S1,five,2026-10-01,2026-10-20,\n")
    doc = amazon_like()
    doc["performanceMetrics"][0]["validTrackingRate"]["rate"] = "n/a"
    write(inbox, "b-perf-bad.json", json.dumps(doc, indent=2))
    write(inbox, "c-summary.csv", "Start Date,End Date,Campaign Name,Ad Group Name,Targeting,Match Type,"
                                  "Customer Search Term,Impressions,Clicks,7 Day Total Orders (#)\n"
                                  "2026-11-01,2026-11-14,C,G,mug,EXACT,mug,10,200,9\n")
    write(inbox, "d-counts.csv", cycle_counts.EXAMPLE)
    out = ingest_paths([inbox])
    assert [o.status for o in out] == [QUARANTINED, QUARANTINED, QUARANTINED, LOADED]
    assert out[0].reason == f"{inbox / 'a-pos-bad.csv'}:2:4: quantity: 'five' is not a whole number"
    assert out[1].reason.startswith(f"{inbox / 'b-perf-bad.json'}:") and "validTrackingRate.rate" in out[1].reason
    assert "Start Date / End Date" in out[2].reason and "cannot be windowed" in out[2].reason
    reason = json.loads((sellerops_home / "quarantine" / "a-pos-bad.csv.reason.json").read_text())
    assert reason["report_type"] == rt.PURCHASE_ORDERS and (sellerops_home / "quarantine" / "a-pos-bad.csv").exists()
    assert rows("select count(*) from purchase_order_line") == [(0,)]
    assert rows("select count(*) from performance_metric") == [(0,)]
    assert rows("select count(*) from cycle_count") == [(2,)]


def test_loaded_inputs_are_measured(db_url, tmp_path):
    from sqlmodel import Session

    from sellerops.health.measure import measure

    inbox = tmp_path / "inbox"
    write(inbox, "perf.json", json.dumps(amazon_like(), indent=2))
    write(inbox, "counts.csv", cycle_counts.EXAMPLE)
    ingest_paths([inbox])
    now = dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc)
    with Session(get_engine()) as s:
        got = {(m.signal, m.subject): m.value for m in measure(s, now)}
    assert got["odr", "ATVPDKIKX0DER/mfn"] == Decimal("0.011")
    assert got["inventory_accuracy", "WH1-A01"] == Decimal("0.96")  # 1 − 2/50


def test_inventory_without_a_warehouse_quantity_counts_fulfillable_unsellable_reserved(db_url, tmp_path):
    from sqlmodel import Session

    from sellerops.health.measure import measure

    myi = write(tmp_path, "myi.txt", "sku\tasin\tafn-listing-exists\tafn-fulfillable-quantity\t"
                                     "afn-unsellable-quantity\tafn-reserved-quantity\tafn-total-quantity\n"
                                     "S1\tB01\tYes\t20\t3\t7\t30\n")
    orders = write(tmp_path, "orders.txt", "\t".join(
        ("amazon-order-id", "purchase-date", "last-updated-date", "order-status", "fulfillment-channel",
         "sales-channel", "sku", "item-status", "quantity", "currency", "item-price")) + "\n" + "\t".join(
        ("111-1", "2026-11-20T10:00:00+00:00", "2026-11-21T10:00:00+00:00", "Shipped", "Amazon", "Amazon.com", "S1",
         "Shipped", "45", "USD", "100.00")) + "\n")
    assert [o.status for o in ingest_paths([myi, orders])] == [LOADED, LOADED]
    with Session(get_engine()) as s:
        [m] = [m for m in measure(s, dt.datetime(2026, 11, 28, tzinfo=dt.timezone.utc))
               if m.signal == "inventory_turnover"]
    assert (m.subject, m.value, m.detail["on_hand"]) == ("S1", Decimal(20), 30)  # 30 × 30 / 45
