"""Returned units as a user sees them: every recorded line (`list_units`, what `sellerops returns
units` prints) and the board's table of the week and the one before by SKU, disposition and action."""

from __future__ import annotations

import datetime as dt

import pytest

from sellerops.returns import units
from tests.sellerops.returns.files import FBA_RETURNS_HEADER, fba_return_line, ingest, write

NOW = dt.datetime(2025, 7, 9, 12, 0, tzinfo=dt.timezone.utc)  # Wednesday; its ISO week starts Monday 7 July


@pytest.mark.parametrize("now, monday", [
    (NOW, dt.datetime(2025, 7, 7, tzinfo=dt.timezone.utc)),  # mid-week: back to Monday
    (dt.datetime(2025, 7, 7, 0, 0, tzinfo=dt.timezone.utc), dt.datetime(2025, 7, 7, tzinfo=dt.timezone.utc)),  # Monday 00:00 is its own week
    (dt.datetime(2025, 7, 6, 23, 59, tzinfo=dt.timezone.utc), dt.datetime(2025, 6, 30, tzinfo=dt.timezone.utc)),  # Sunday night: the week before
    # 01:00 in Berlin on Monday is still Sunday in UTC, the clock the weeks are counted on
    (dt.datetime(2025, 7, 7, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))), dt.datetime(2025, 6, 30, tzinfo=dt.timezone.utc)),
])
def test_the_week_starts_monday_utc(now, monday):
    assert units.week_start(now) == monday


@pytest.fixture
def recorded(db_url, tmp_path):
    ingest(write(tmp_path / "fba.txt", FBA_RETURNS_HEADER, [
        fba_return_line("111-0000001-0000001", "MUG", "2025-07-08T10:00:00+00:00", 2),  # this week, SELLABLE
        fba_return_line("111-0000002-0000001", "MUG", "2025-07-09T09:00:00+00:00", 1),  # this week, SELLABLE
        fba_return_line("111-0000003-0000001", "MUG", "2025-07-08T11:00:00+00:00", 1, disposition="DEFECTIVE"),
        fba_return_line("111-0000004-0000001", "LAMP", "2025-07-07T00:00:00+00:00", 3, disposition="CARRIER_DAMAGED"),
        fba_return_line("111-0000005-0000001", "LAMP", "2025-07-01T10:00:00+00:00", 1, disposition="CUSTOMER_DAMAGED"),
        fba_return_line("111-0000006-0000001", "LAMP", "2025-06-20T10:00:00+00:00", 5),  # two weeks back: not shown
        fba_return_line("111-0000007-0000001", "MUG", "2025-07-08T12:00:00+00:00", 1, disposition="EXPIRED"),
    ]))
    assert units.record_unit_actions("default", NOW) == 7


def test_every_line_is_listed_with_its_action_newest_first(recorded):
    got = units.list_units()
    assert [r["order_id"] for r in got][:2] == ["111-0000002-0000001", "111-0000007-0000001"]
    assert len(got) == 7
    by = {r["order_id"]: r for r in got}
    assert (by["111-0000003-0000001"]["disposition"], by["111-0000003-0000001"]["action"]) == ("DEFECTIVE",
                                                                                             "supplier_or_grading")
    assert by["111-0000007-0000001"]["action"] == "none"  # a disposition that calls for nothing
    assert by["111-0000001-0000001"] == {
        "order_id": "111-0000001-0000001", "sku": "MUG", "marketplace": "Amazon.com",
        "returned_at": "2025-07-08T10:00:00+00:00", "license_plate_number": "LPN0000001", "quantity": 2,
        "disposition": "SELLABLE", "action": "restock", "recorded_at": "2025-07-09T12:00:00+00:00"}
    assert [r["order_id"] for r in units.list_units(action="restock", sku="LAMP")] == ["111-0000006-0000001"]
    assert units.list_units(account="someone-else") == []


def test_the_board_counts_units_of_the_week_and_the_one_before(recorded):
    got = units.week_table(NOW)
    assert got == [
        # this week first, most units first: LAMP's 3 carrier-damaged (Monday 00:00 counts), MUG's 3 sellable in 2 lines
        {"week": "this week (from 2025-07-07)", "sku": "LAMP", "disposition": "CARRIER_DAMAGED",
         "action": "supplier_or_grading", "units": 3, "lines": 1},
        {"week": "this week (from 2025-07-07)", "sku": "MUG", "disposition": "SELLABLE", "action": "restock",
         "units": 3, "lines": 2},
        {"week": "this week (from 2025-07-07)", "sku": "MUG", "disposition": "DEFECTIVE",
         "action": "supplier_or_grading", "units": 1, "lines": 1},
        {"week": "this week (from 2025-07-07)", "sku": "MUG", "disposition": "EXPIRED", "action": "none",
         "units": 1, "lines": 1},
        {"week": "last week (from 2025-06-30)", "sku": "LAMP", "disposition": "CUSTOMER_DAMAGED",
         "action": "supplier_or_grading", "units": 1, "lines": 1},
    ]  # the 20 June line is older than last week: not on the board
    assert units.week_table(dt.datetime(2025, 8, 4, tzinfo=dt.timezone.utc)) == []

