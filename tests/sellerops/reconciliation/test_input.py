"""The reconciliation's input read from storage: each table of the account as the rules' frames,
each row naming its source file, the same whether the frame cache holds copies or not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from sellerops.ingest import ingest_paths
from sellerops.reconciliation.input import _current_order_lines, live_copies, load_input
from sellerops.storage import framecache, tables
from sellerops.storage.engine import get_engine
from tests.sellerops.reports.make_data import orders

DATA = Path(__file__).parents[1] / "reports" / "data"


def test_the_input_names_each_rows_file_and_reads_the_same_without_the_cache(sellerops_home):
    ok, twice = DATA / "settlement_ok.txt", DATA / "settlement_two_identical_rows.txt"
    ingest_paths([ok, twice])
    inp = load_input()
    lines = inp.settlement_lines
    assert set(lines["file"].astype(object)) == {str(ok.resolve()), str(twice.resolve())}
    assert len(inp.settlements) == 2 and inp.orders.empty
    shutil.rmtree(framecache.root())
    again = load_input()  # from the database alone
    pd.testing.assert_frame_equal(lines.astype(object), again.settlement_lines.astype(object))


def test_another_accounts_rows_are_not_read(sellerops_home):
    ingest_paths([DATA / "settlement_ok.txt"])
    assert len(load_input().settlements) == 1
    assert load_input(account="someone-else").settlements.empty


def test_live_copies_name_one_copy_per_loaded_settlement(sellerops_home):
    ingest_paths([DATA / "settlement_ok.txt", DATA / "settlement_non_numeric_amount.txt"])  # one quarantined
    copies = live_copies()
    assert set(copies) == set(framecache.CACHED)
    assert len(copies["settlement_lines"]) == 1
    assert copies["settlement_lines"][0].exists()


def _every_row(conn) -> list[tuple[int, int]]:
    t = tables.OrderLine.__table__
    return [tuple(r) for r in conn.execute(sa.select(t.c.report_file_id, t.c.line_no).order_by(t.c.id))]


@pytest.mark.parametrize("taken_over", [False, True])
def test_current_order_lines_are_every_rows_file_and_line_in_id_order(sellerops_home, tmp_path, taken_over):
    # two files loaded one after the other: each one run of ids (one aggregate row per file);
    # a later file taking over a line of the first breaks the run: every row is read instead
    first, second = tmp_path / "1.txt", tmp_path / "2.txt"
    first.write_text("\n".join(orders([dict(amazon_order_id=f"111-0000001-000000{i}") for i in range(1, 5)])) + "\n")
    later = [dict(amazon_order_id=f"111-0000002-000000{i}") for i in range(1, 4)]
    if taken_over:
        later.insert(1, dict(amazon_order_id="111-0000001-0000002", last_updated_date="2026-06-09T10:00:00+00:00"))
    second.write_text("\n".join(orders(later)) + "\n")
    ingest_paths([first])
    ingest_paths([second])
    t = tables.OrderLine.__table__
    with get_engine().connect() as c:
        got = _current_order_lines(c, t.c.account == "default")
        want = _every_row(c)
    assert list(zip(got["report_file_id"], got["line_no"])) == want
    assert len(want) == 7  # a taken-over line stays one row (the second file's now)
