"""The ingest-reports flow once under the Prefect test harness: tasks per step, a summary artifact."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "sellerops" / "reports" / "data"
pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_ingest_flow_loads_good_files_quarantines_bad_ones(tmp_path, sellerops_home):
    from flows.ingest import ingest_reports

    for n in ("settlement_ok.txt", "orders_latin1.txt", "settlement_truncated.txt"):
        shutil.copy(DATA / n, tmp_path / n)
    rows = ingest_reports(paths=[str(tmp_path)])
    assert {Path(r["path"]).name: (r["status"], r["rows"]) for r in rows} == {
        "orders_latin1.txt": ("loaded", 1), "settlement_ok.txt": ("loaded", 4),
        "settlement_truncated.txt": ("quarantined", 0)}
    assert (sellerops_home / "quarantine" / "settlement_truncated.txt.reason.json").exists()
    again = ingest_reports(paths=[str(tmp_path)])
    assert all(r["known"] for r in again)


@pytest.mark.parametrize("mode", ["inline", "process"])
def test_a_worker_process_prepares_files_with_the_same_outcomes(tmp_path, sellerops_home, monkeypatch, mode):
    """SELLEROPS_INGEST_WORKER=process: files are read, checked and converted in a worker process
    (what a big night does by itself); every outcome, the rows stored, the quarantine reasons and the
    order of decisions (a copy under another name is the duplicate) are the same as inline, and the
    worker writes the night's Data Docs."""
    import sqlalchemy as sa

    from flows.ingest import ingest_reports
    from sellerops.storage.engine import get_engine
    from sellerops.reports.validate import docs_dir
    from tests.sellerops.storage.lines import line_count

    monkeypatch.setenv("SELLEROPS_INGEST_WORKER", mode)
    names = ("settlement_ok.txt", "orders_latin1.txt", "settlement_truncated.txt", "settlement_non_numeric_amount.txt")
    for n in names:
        shutil.copy(DATA / n, tmp_path / n)
    shutil.copy(DATA / "settlement_ok.txt", tmp_path / "z_copy_of_ok.txt")
    rows = ingest_reports(paths=[str(tmp_path)])
    got = {Path(r["path"]).name: (r["status"], r["rows"]) for r in rows}
    assert got == {"orders_latin1.txt": ("loaded", 1), "settlement_ok.txt": ("loaded", 4),
                   "settlement_truncated.txt": ("quarantined", 0),
                   "settlement_non_numeric_amount.txt": ("quarantined", 0),
                   "z_copy_of_ok.txt": ("duplicate", 0)}
    reasons = {Path(r["path"]).name: r["reason"] for r in rows if r["reason"]}
    assert ":6:10: adjustment-id: truncated" in reasons["settlement_truncated.txt"]
    assert "amount" in reasons["settlement_non_numeric_amount.txt"]
    assert line_count() == 4
    with get_engine().connect() as c:
        assert c.execute(sa.text("select count(*) from order_line")).scalar_one() == 1
    if mode == "process":  # inline, the nightly flow's publish step builds them in this process
        assert (docs_dir() / "index.html").exists()
