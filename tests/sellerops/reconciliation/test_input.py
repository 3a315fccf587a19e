"""The reconciliation's input read from storage: each table of the account as the rules' frames,
each row naming its source file, the same whether the frame cache holds copies or not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from sellerops.ingest import ingest_paths
from sellerops.reconciliation.input import live_copies, load_input
from sellerops.storage import framecache

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
