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
