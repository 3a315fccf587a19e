"""The checkpoint's problems on files made here: first lines, rows counted, places among many values.

The checkpoint checks each column's distinct values once (each value at the line where it first
occurs), so these pin what that must not change: the first bad line is named, and "… and N more rows
like these" still counts rows of the file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sellerops.ingest import read_and_detect, validate
from tests.sellerops.reports.make_data import ORDER_COLS, SETTLEMENT_COLS, orders, settlement

AMOUNT = SETTLEMENT_COLS.index("amount") + 1  # 15
POSTED = SETTLEMENT_COLS.index("posted-date-time") + 1  # 18
AMOUNT_TYPE = SETTLEMENT_COLS.index("amount-type") + 1  # 13


def problems(path: Path, lines: list[str]) -> list[str]:
    path.write_text("\n".join(lines) + "\n")
    d = read_and_detect(path, "Amazon.com")
    assert d.fmt is not None, d.error
    return validate(d)


def fee(i: int, **kw) -> dict:
    """Transaction row i (file line i + 3): a distinct amount and posting time on every row."""
    return dict(amount_type="ItemFees", amount_description="Commission", amount=f"-{i // 100}.{i % 100:02d}",
                posted_date_time=f"2026-06-02 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d} UTC", **kw)


def test_a_good_file_has_no_problems(tmp_path):
    assert problems(tmp_path / "s.txt", settlement(lines=[fee(i) for i in range(500)])) == []


def test_a_repeated_bad_value_is_named_at_its_first_line_and_its_rows_counted(tmp_path):
    rows = [fee(i) for i in range(40)]
    for i in (7, 12, 13, 30):  # file lines 10, 15, 16, 33
        rows[i] = {**rows[i], "amount": "12,34"}
    p = tmp_path / "s.txt"
    got = problems(p, settlement(lines=rows))
    assert got == [
        f"{p}: amount: … and 3 more rows like these",
        f"{p}:10:{AMOUNT}: amount: '12,34' is not money in Amazon.com format (e.g. -1,234.56)",
    ]


def test_two_bad_values_each_at_their_first_line(tmp_path):
    rows = [fee(i) for i in range(40)]
    rows[20] = {**rows[20], "amount": "abc"}  # line 23
    rows[5] = {**rows[5], "amount": "1.234,56"}  # line 8
    rows[33] = {**rows[33], "amount": "abc"}  # line 36
    p = tmp_path / "s.txt"
    got = problems(p, settlement(lines=rows))
    assert got == [
        f"{p}: amount: … and 1 more rows like these",
        f"{p}:8:{AMOUNT}: amount: '1.234,56' is not money in Amazon.com format (e.g. -1,234.56)",
        f"{p}:23:{AMOUNT}: amount: 'abc' is not money in Amazon.com format (e.g. -1,234.56)",
    ]


def test_one_bad_value_among_many_good_distinct_values(tmp_path):
    rows = [fee(i) for i in range(3000)]
    rows[2345] = {**rows[2345], "posted_date_time": "06-02-2026 10:00"}  # line 2348
    p = tmp_path / "s.txt"
    got = problems(p, settlement(lines=rows))
    assert got == [f"{p}:2348:{POSTED}: posted-date-time: '06-02-2026 10:00' is not a date in "
                   "Amazon.com format (ISO 8601, or MDY order)"]


def test_more_bad_values_than_listed_still_count_every_row(tmp_path):
    # 25 different bad amounts, each on two rows: 20 are named, the other 30 rows are counted
    rows = [fee(i) for i in range(100)]
    for k in range(25):
        rows[2 * k] = {**rows[2 * k], "amount": f"x{k}"}
        rows[99 - k] = {**rows[99 - k], "amount": f"x{k}"}
    p = tmp_path / "s.txt"
    got = problems(p, settlement(lines=rows))
    named = [g for g in got if "is not money" in g]
    assert len(named) == 20
    assert named[0] == f"{p}:3:{AMOUNT}: amount: 'x0' is not money in Amazon.com format (e.g. -1,234.56)"
    assert named[-1].startswith(f"{p}:41:{AMOUNT}: amount: 'x19'")  # rows[38], file order
    assert got[0] == f"{p}: amount: … and 30 more rows like these"
    assert len(got) == 21


def test_blank_keys_still_name_every_row_up_to_twenty(tmp_path):
    rows = [fee(i) for i in range(60)]
    for i in range(10, 35):  # 25 rows, lines 13..37
        rows[i] = {**rows[i], "amount_type": ""}
    p = tmp_path / "s.txt"
    got = problems(p, settlement(lines=rows))
    assert got[0] == f"{p}: amount-type: … and 5 more rows like these"
    assert got[1:] == [f"{p}:{line}:{AMOUNT_TYPE}: amount-type: is blank on a transaction row; a value is required"
                       for line in range(13, 33)]


def test_a_missing_required_column_is_reported_once(tmp_path):
    cols = [c for c in SETTLEMENT_COLS if c != "amount"]
    p = tmp_path / "s.txt"
    got = problems(p, settlement(lines=[fee(i) for i in range(10)], cols=cols))
    assert got == [f"{p}:1: missing required column 'amount' (the header has {len(cols)} columns)"]


@pytest.mark.parametrize("value, ok", [("true", True), ("maybe", False)])
def test_order_flags_and_dates_among_many_orders(tmp_path, value, ok):
    rows = [dict(amazon_order_id=f"111-{i:07d}-0000001",
                 purchase_date=f"2026-06-01T{i // 60 % 24:02d}:{i % 60:02d}:00+00:00") for i in range(400)]
    rows[250] = {**rows[250], "is_business_order": value}  # line 252
    p = tmp_path / "o.txt"
    got = problems(p, orders(rows))
    col = ORDER_COLS.index("is-business-order") + 1
    assert got == ([] if ok else [f"{p}:252:{col}: is-business-order: 'maybe' is not one of the allowed values"])
