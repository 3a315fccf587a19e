"""Each measurement's arithmetic, exactly at the issue's definitions, on rows stored directly.

Windows are [now − N days, now): start included, end excluded; a plain date is its midnight UTC.
Values are Decimals, never floats. Most tests run on SQLite (the arithmetic is the database's
neighbour, not its work); one runs every signal on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from sellerops.health.measure import INFINITY, Measurement, Windows, history, measure
from sellerops.storage.engine import get_engine
from sellerops.storage.health import AdSearchTerm, CycleCount, FbaInventory, PerformanceMetric, PurchaseOrderLine
from sellerops.storage.tables import OrderLine, ReportFile

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
D = dt.date


@pytest.fixture
def sqlite(monkeypatch, sellerops_home):
    monkeypatch.setenv("SELLEROPS_DATABASE_URL", f"sqlite:///{sellerops_home / 'test.db'}")


_files = iter(range(1, 10_000))


def add(model, **values) -> None:
    """Store one row of `model` under a report file of its own."""
    with get_engine().begin() as c:
        rf = ReportFile.__table__
        fid = c.execute(rf.insert().values(account="default", path=f"/in/{next(_files)}", sha256="x", status="loaded",
                                           seen_at=NOW)).inserted_primary_key[0]
        c.execute(model.__table__.insert().values(account="default", report_file_id=values.pop("report_file_id", fid),
                                                  **values))


def run(now=NOW, windows=Windows()) -> dict[tuple[str, str], Measurement]:
    with Session(get_engine()) as s:
        return {(m.signal, m.subject): m for m in measure(s, now, windows)}


def metric(metric, value, at, marketplace="ATVPDKIKX0DER", channel="", **kw):
    add(PerformanceMetric, marketplace_id=marketplace, metric=metric, channel=channel, value=value, report_at=at, **kw)


# ---- Amazon's metrics ---------------------------------------------------------------------------------

def test_amazon_metrics_come_from_the_latest_report_by_report_time(sqlite):
    old, new = NOW - dt.timedelta(days=8), NOW - dt.timedelta(days=1)
    metric("odr", "0.012", new, channel="afn")  # loaded first, but the newer report
    metric("odr", "0.005", old, channel="afn")
    metric("odr", "0.0", new, channel="mfn")
    metric("late_shipment_rate", "0.044", new)
    metric("cancel_rate", "0.0275", new)
    metric("valid_tracking_rate", "0.855", new)
    m = run()
    assert m["odr", "ATVPDKIKX0DER/afn"].value == Decimal("0.012")
    assert m["odr", "ATVPDKIKX0DER/afn"].at == new  # the data's time, not the watch's
    assert m["odr", "ATVPDKIKX0DER/mfn"].value == Decimal("0")
    assert m["late_shipment_rate", "ATVPDKIKX0DER"].value == Decimal("0.044")
    assert m["cancel_rate", "ATVPDKIKX0DER"].value == Decimal("0.0275")
    assert m["valid_tracking_rate", "ATVPDKIKX0DER"].value == Decimal("0.855")
    assert all(type(x.value) is Decimal for x in m.values())


def test_a_report_after_the_watch_clock_is_not_yet_known(sqlite):
    metric("odr", "0.02", NOW + dt.timedelta(hours=1), channel="afn")
    metric("odr", "0.001", NOW - dt.timedelta(days=1), channel="afn")
    assert run()["odr", "ATVPDKIKX0DER/afn"].value == Decimal("0.001")


def test_ip_complaints_is_the_increase_over_the_report_before(sqlite):
    metric("ip_complaints", "2", NOW - dt.timedelta(days=3))
    assert run()["ip_complaints", "ATVPDKIKX0DER"].value == 0  # first report: nothing to compare with
    metric("ip_complaints", "5", NOW - dt.timedelta(days=1))
    m = run()["ip_complaints", "ATVPDKIKX0DER"]
    assert m.value == Decimal(3)  # 5 − 2
    assert (m.detail["count"], m.detail["previous"]) == ("5", "2")
    metric("ip_complaints", "4", NOW - dt.timedelta(hours=1))
    assert run()["ip_complaints", "ATVPDKIKX0DER"].value == 0  # fewer: no increase


def test_history_lists_earlier_reports_oldest_first(sqlite):
    for days, value in ((4, "0.006"), (3, "0.008"), (2, "0.010"), (1, "0.011")):
        metric("odr", value, NOW - dt.timedelta(days=days), channel="afn")
    metric("odr", "0.5", NOW - dt.timedelta(days=2), channel="mfn")  # another subject
    with Session(get_engine()) as s:
        got = history(s, "odr", "ATVPDKIKX0DER/afn", before=NOW - dt.timedelta(days=1), limit=2)
        assert got == [(NOW - dt.timedelta(days=3), Decimal("0.008")), (NOW - dt.timedelta(days=2), Decimal("0.010"))]
        assert history(s, "inventory_accuracy", "A1", NOW, 5) == []


def test_history_of_ip_complaints_is_each_reports_increase(sqlite):
    for days, value in ((3, "1"), (2, "4"), (1, "4")):
        metric("ip_complaints", value, NOW - dt.timedelta(days=days))
    with Session(get_engine()) as s:
        assert [v for _, v in history(s, "ip_complaints", "ATVPDKIKX0DER", NOW, 10)] == [0, 3, 0]


# ---- inventory accuracy -------------------------------------------------------------------------------

def test_inventory_accuracy_sums_the_counts_of_the_window(sqlite):
    # NOW is 2026-11-28 12:00: the window [11-21 12:00, 11-28 12:00) holds the midnights of 11-22 … 11-28
    add(CycleCount, count_date=D(2026, 11, 22), location="A1", sku="S1", counted_quantity=98, system_quantity=100,
        line_no=2)
    add(CycleCount, count_date=D(2026, 11, 28), location="A1", sku="S2", counted_quantity=52, system_quantity=50,
        line_no=3)
    add(CycleCount, count_date=D(2026, 11, 21), location="A1", sku="S3", counted_quantity=0, system_quantity=50,
        line_no=4)  # midnight of 11-21 is before the window's start
    add(CycleCount, count_date=D(2026, 11, 25), location="B2", sku="S1", counted_quantity=10, system_quantity=10,
        line_no=5)
    m = run()
    # A1: 1 − (|98−100| + |52−50|) / (100 + 50) = 1 − 4/150
    assert m["inventory_accuracy", "A1"].value == Decimal(1) - Decimal(4) / Decimal(150)
    assert m["inventory_accuracy", "A1"].detail == {"counts": 2, "abs_difference": 4, "system_quantity": 150,
                                                     "days": 7}
    assert m["inventory_accuracy", "B2"].value == Decimal(1)
    assert m["inventory_accuracy", "A1"].at == NOW


def test_inventory_accuracy_window_start_included_end_excluded(sqlite):
    midnight = dt.datetime(2026, 11, 28, tzinfo=UTC)
    add(CycleCount, count_date=D(2026, 11, 21), location="A1", sku="S1", counted_quantity=90, system_quantity=100,
        line_no=2)
    add(CycleCount, count_date=D(2026, 11, 28), location="A1", sku="S2", counted_quantity=0, system_quantity=100,
        line_no=3)
    # now = 11-28 00:00: 11-21 00:00 is the start (included), 11-28 00:00 is the end (excluded)
    m = run(now=midnight)["inventory_accuracy", "A1"]
    assert m.value == Decimal("0.9") and m.detail["counts"] == 1


# ---- supplier lead time -------------------------------------------------------------------------------

def po(number, supplier, expected, actual, sku="S1", ordered=D(2026, 9, 1)):
    add(PurchaseOrderLine, po_number=number, supplier=supplier, sku=sku, quantity=10, order_date=ordered,
        expected_arrival_date=expected, actual_arrival_date=actual, line_no=2)


def test_lead_time_is_the_mean_over_the_last_ten_arrived_pos(sqlite):
    for i in range(12):  # PO-00 … PO-11 arrive on consecutive days, PO-i late by i days
        expected = D(2026, 10, 1) + dt.timedelta(days=i)
        po(f"PO-{i:02}", "Acme", expected, expected + dt.timedelta(days=i))
    po("PO-99", "Acme", D(2026, 11, 1), None)  # not arrived: not counted
    m = run()["supplier_lead_time", "Acme"]
    # the last ten arrivals are PO-02 … PO-11: (2 + … + 11) / 10 = 65 / 10
    assert m.value == Decimal("6.5")
    assert m.detail["pos_counted"] == 10 and "PO-00" not in m.detail["po_numbers"]


def test_lead_time_counts_a_po_once_and_early_arrivals_negative(sqlite):
    po("PO-1", "Bolt", D(2026, 11, 10), D(2026, 11, 6), sku="S1")
    po("PO-1", "Bolt", D(2026, 11, 10), D(2026, 11, 7), sku="S2")  # the PO is in when its last line is: −3
    po("PO-2", "Bolt", D(2026, 11, 10), D(2026, 11, 12))  # +2
    m = run()["supplier_lead_time", "Bolt"]
    assert m.value == Decimal("-0.5") and m.detail["pos_counted"] == 2  # (−3 + 2) / 2, PO-1 counted once


def test_lead_time_with_fewer_pos_uses_all_and_ignores_future_arrivals(sqlite):
    po("PO-1", "Cask", D(2026, 11, 1), D(2026, 11, 4))
    po("PO-2", "Cask", D(2026, 11, 1), D(2026, 11, 29))  # arrives after the watch's clock
    po("PO-3", "Cask", D(2026, 11, 20), D(2026, 11, 20), sku="S1")
    po("PO-3", "Cask", D(2026, 11, 20), None, sku="S2")  # a line still out: the PO has not arrived
    m = run()["supplier_lead_time", "Cask"]
    assert m.value == Decimal(3) and m.detail["po_numbers"] == ["PO-1"]


# ---- inventory turnover -------------------------------------------------------------------------------

def order(order_id, sku, quantity, purchased, status="Shipped"):
    add(OrderLine, marketplace="Amazon.com", amazon_order_id=order_id, sku=sku, purchase_date=purchased,
        order_status="Shipped", item_status=status, quantity=quantity, line_no=2)


def inventory(sku, report_file_id=None, **q):
    kw = {"report_file_id": report_file_id} if report_file_id else {}
    add(FbaInventory, marketplace="Amazon.com", sku=sku, line_no=2, **kw, **q)


def test_days_of_cover_from_the_latest_inventory_and_shipped_lines_of_the_window(sqlite):
    inventory("S1", afn_warehouse_quantity=999)  # an older file
    inventory("S1", afn_warehouse_quantity=60, afn_fulfillable_quantity=1)
    start = NOW - dt.timedelta(days=30)
    order("o1", "S1", 30, start)  # the window's start: included
    order("o2", "S1", 10, NOW - dt.timedelta(days=1))
    order("o3", "S1", 500, NOW)  # the window's end: excluded
    order("o4", "S1", 500, start - dt.timedelta(seconds=1))  # before the window
    order("o5", "S1", 500, NOW - dt.timedelta(days=2), status="Cancelled")
    order("o6", "S1", 500, NOW - dt.timedelta(days=2), status="Unshipped")
    m = run()
    # 60 on hand ÷ (40 shipped ÷ 30 days) = 45 days; only the latest file counts (its S1 row)
    assert m["inventory_turnover", "S1"].value == Decimal(45)
    assert m["inventory_turnover", "S1"].detail["units_shipped"] == 40


def test_on_hand_falls_back_to_fulfillable_unsellable_reserved(sqlite):
    with get_engine().begin() as c:
        fid = c.execute(ReportFile.__table__.insert().values(account="default", path="/in/myi", sha256="y",
                                                             status="loaded", seen_at=NOW)).inserted_primary_key[0]
    inventory("S2", report_file_id=fid, afn_fulfillable_quantity=20, afn_unsellable_quantity=3,
              afn_reserved_quantity=7)
    inventory("S3", report_file_id=fid, afn_fulfillable_quantity=5)
    order("o1", "S2", 45, NOW - dt.timedelta(days=3))
    m = run()
    assert m["inventory_turnover", "S2"].value == Decimal(20)  # (20 + 3 + 7) × 30 / 45
    assert m["inventory_turnover", "S2"].detail["on_hand"] == 30
    # stock on hand and nothing shipped in 30 days: infinite cover
    assert m["inventory_turnover", "S3"].value == INFINITY


# ---- ad conversion ------------------------------------------------------------------------------------

def search(day, targeting, clicks, orders, campaign="C1", group="G1", match="EXACT", term="t"):
    add(AdSearchTerm, marketplace="Amazon.com", date=day, campaign_name=campaign, ad_group_name=group,
        targeting=targeting, match_type=match, customer_search_term=term, clicks=clicks, orders=orders, line_no=2)


def test_ad_conversion_sums_a_targeting_over_campaigns_groups_and_match_types(sqlite):
    # window [11-14 12:00, 11-28 12:00): the midnights of 11-15 … 11-28
    search(D(2026, 11, 15), "blue mug", 60, 5, campaign="C1")
    search(D(2026, 11, 28), "blue mug", 40, 3, campaign="C2", match="PHRASE", term="mug blue")
    search(D(2026, 11, 14), "blue mug", 1000, 0)  # before the window
    search(D(2026, 11, 20), "red mug", 99, 0)  # fewer than 100 clicks: not measured
    m = run()
    assert m["ad_conversion", "blue mug"].value == Decimal("0.08")  # 8 orders ÷ 100 clicks
    assert m["ad_conversion", "blue mug"].detail == {"clicks": 100, "orders": 8, "days": 14}
    assert ("ad_conversion", "red mug") not in m


def test_windows_are_settings(sqlite):
    search(D(2026, 11, 20), "red mug", 50, 1)
    assert run(windows=Windows(ad_min_clicks=50))["ad_conversion", "red mug"].value == Decimal("0.02")


def test_measure_refuses_a_naive_clock(sqlite):
    with Session(get_engine()) as s, pytest.raises(ValueError, match="timezone-aware"):
        measure(s, NOW.replace(tzinfo=None))


def test_every_signal_on_both_databases(db_url):
    metric("odr", "0.011", NOW - dt.timedelta(days=1), channel="afn")
    add(CycleCount, count_date=D(2026, 11, 27), location="A1", sku="S1", counted_quantity=97, system_quantity=100,
        line_no=2)
    po("PO-1", "Acme", D(2026, 11, 1), D(2026, 11, 5))
    inventory("S1", afn_warehouse_quantity=10)
    search(D(2026, 11, 27), "mug", 100, 7)
    m = run()
    assert {k: v.value for k, v in m.items()} == {
        ("odr", "ATVPDKIKX0DER/afn"): Decimal("0.011"), ("inventory_accuracy", "A1"): Decimal("0.97"),
        ("supplier_lead_time", "Acme"): Decimal(4), ("inventory_turnover", "S1"): INFINITY,
        ("ad_conversion", "mug"): Decimal("0.07")}
    assert m["odr", "ATVPDKIKX0DER/afn"].at == NOW - dt.timedelta(days=1)
    import json

    json.dumps([x.detail for x in m.values()])  # JSON-safe


def test_ad_window_at_midnight_excludes_todays_date_and_includes_the_first(sqlite):
    midnight = dt.datetime(2026, 11, 28, tzinfo=UTC)
    search(D(2026, 11, 14), "mug", 100, 10)  # 11-14 00:00 = now − 14 days: the start, included
    search(D(2026, 11, 28), "mug", 900, 0)  # 11-28 00:00 = now: the end, excluded
    m = run(now=midnight)["ad_conversion", "mug"]
    assert (m.value, m.detail["clicks"]) == (Decimal("0.1"), 100)


def test_nothing_loaded_measures_nothing(sqlite):
    assert run() == {}
