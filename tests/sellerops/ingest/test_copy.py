"""Loads on PostgreSQL go through COPY (sellerops.storage.bulk.copy_insert) with the guarantees
the per-row INSERT had: a file PostgreSQL refuses in the middle of its COPY is rolled back whole
and quarantined with the database's reason, the good files beside it load, and a rerun stores
nothing twice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sellerops.ingest import LOADED, QUARANTINED, Steps, decide, direct_steps, ingest_paths, prepare, settings_for
from tests.sellerops.ingest.test_ingest import DATA, rows
from tests.sellerops.storage.lines import line_count, stored_lines


@pytest.fixture
def pg(pg_url, monkeypatch):
    monkeypatch.setenv("SELLEROPS_DATABASE_URL", pg_url)
    return pg_url


def _counts() -> dict:
    counts = {t: rows(f"select count(*) n from {t}")[0]["n"] for t in ("settlement", "order_line")}
    return {**counts, "settlement_line": line_count()}


def test_a_file_refused_mid_copy_is_rolled_back_and_quarantined(pg, tmp_path):
    path = tmp_path / "settlement.txt"
    shutil.copy(DATA / "settlement_ok.txt", path)
    s = settings_for()
    d = prepare(path, s.marketplace)
    lines = d.typed.index[d.typed["total_amount_cents"].isna()]
    assert len(lines) >= 3
    # the last line claims the line number of the one before it: PostgreSQL's unique key refuses
    # it while the COPY runs, after the settlement and the lines before it were written
    d.typed.loc[lines[-1], "line_no"] = d.typed.loc[lines[-2], "line_no"]
    plain = direct_steps(s, s.marketplace)
    o = decide(path, s, Steps(prepare=lambda p: d, store=plain.store, quarantine=plain.quarantine))
    assert o.status == QUARANTINED and "the database refused it: UniqueViolation" in o.reason, o.reason
    assert "COPY" not in o.reason
    assert _counts() == {"settlement": 0, "settlement_line": 0, "order_line": 0}
    [r] = rows("select status, reason from report_file")
    assert (r["status"], r["reason"]) == (QUARANTINED, o.reason)
    assert Path(o.copy).exists()  # its copy kept in the quarantine folder


def test_good_files_load_through_copy_and_a_rerun_stores_nothing_twice(pg, tmp_path):
    for name in ("settlement_ok.txt", "orders_latin1.txt", "settlement_non_numeric_amount.txt"):
        shutil.copy(DATA / name, tmp_path / name)
    first = {Path(o.path).name: o for o in ingest_paths([tmp_path])}
    assert first["settlement_ok.txt"].status == first["orders_latin1.txt"].status == LOADED
    assert first["settlement_non_numeric_amount.txt"].status == QUARANTINED
    counts = _counts()
    assert counts["settlement"] == 1 and counts["settlement_line"] == first["settlement_ok.txt"].rows > 0
    assert counts["order_line"] > 0  # upserted through COPY into a temporary table
    stored = stored_lines()
    again = {Path(o.path).name: o for o in ingest_paths([tmp_path])}
    assert all(o.known for o in again.values()) and _counts() == counts
    assert stored_lines() == stored
