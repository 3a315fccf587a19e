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


def test_new_paths_are_hashed_once_and_a_night_with_nothing_new_starts_no_worker(tmp_path, sellerops_home,
                                                                                monkeypatch):
    """The flow hashes only files under paths seen before (their outcome may be known); a new path's
    bytes are hashed once, where they are read, and the recorded digest is theirs. Content changed
    under a seen path is prepared again, with the flow's digest. A night with no new file starts no
    worker process even when SELLEROPS_INGEST_WORKER=process."""
    import hashlib

    import flows.ingest
    from flows.ingest import ingest_reports
    from sellerops.ingest import preparer

    monkeypatch.setenv("SELLEROPS_INGEST_WORKER", "process")
    hashed, started = [], []
    real_fingerprint, real_start = flows.ingest.stamped_fingerprint, preparer.Preparer._start
    monkeypatch.setattr(flows.ingest, "stamped_fingerprint", lambda p: hashed.append(p.name) or real_fingerprint(p))
    monkeypatch.setattr(preparer.Preparer, "_start", lambda self: started.append(1) or real_start(self))
    for n in ("settlement_ok.txt", "orders_latin1.txt"):
        shutil.copy(DATA / n, tmp_path / n)
    rows = ingest_reports(paths=[str(tmp_path)])
    assert hashed == [] and started == [1]
    assert {r["sha256"] for r in rows} == {hashlib.sha256((tmp_path / n).read_bytes()).hexdigest()
                                           for n in ("settlement_ok.txt", "orders_latin1.txt")}
    again = ingest_reports(paths=[str(tmp_path)])
    assert all(r["known"] for r in again)
    assert sorted(hashed) == ["orders_latin1.txt", "settlement_ok.txt"] and started == [1]
    # a new download under the same name: hashed by the flow, prepared again, recorded with its digest
    shutil.copy(DATA / "orders_cp932.txt", tmp_path / "orders_latin1.txt")
    third = {Path(r["path"]).name: r for r in ingest_reports(paths=[str(tmp_path)])}
    assert third["orders_latin1.txt"]["known"] is False
    new_bytes = (tmp_path / "orders_latin1.txt").read_bytes()
    assert third["orders_latin1.txt"]["sha256"] == hashlib.sha256(new_bytes).hexdigest()
    assert third["settlement_ok.txt"]["known"] is True and started == [1, 1]
