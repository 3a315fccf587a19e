"""The ingestion worker (sellerops.ingest.preparer): its start does not run the user's script again, and
the default decides by the night's size."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from sellerops.ingest import preparer

DATA = Path(__file__).resolve().parents[1] / "reports" / "data"


def test_a_script_without_a_main_guard_is_not_run_again_in_the_worker(tmp_path):
    """A user's script that prepares files in the worker at its top level, with no
    `if __name__ == "__main__":` guard: "spawn" would import it again in the worker and run it
    there (twice the side effects, or a crash as the worker tries to start its own worker). The
    script must run once and get the prepared report from the worker process."""
    marks = tmp_path / "marks.txt"
    script = tmp_path / "nightly_script.py"
    script.write_text(textwrap.dedent(f"""
        import os
        from pathlib import Path
        from sellerops.ingest.preparer import Preparer

        with open({str(marks)!r}, "a") as f:
            f.write(f"top level ran in {{os.getpid()}}\\n")
        path = Path({str(DATA / "settlement_ok.txt")!r})
        with Preparer("Amazon.com", processes=True, order=[path]) as prep:
            d = prep.result(path)
        print(d.fmt.report_type, d.rows, d.problems, len(d.typed))
    """))
    env = dict(os.environ, SELLEROPS_HOME=str(tmp_path / "home"), GX_ANALYTICS_ENABLED="false")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", "5", "[]", "5"]
    assert marks.read_text().count("top level ran") == 1, marks.read_text()


def test_the_worker_is_used_by_default_only_for_a_big_night(tmp_path, monkeypatch):
    monkeypatch.delenv("SELLEROPS_INGEST_WORKER", raising=False)
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 1024)
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(preparer.AUTO_MIN_BYTES)  # sparse: the size is what counts
    cores = os.cpu_count() or 1
    assert preparer.wanted([small]) is False
    assert preparer.wanted([small, big]) is (cores >= 2)
    monkeypatch.setenv("SELLEROPS_INGEST_WORKER", "inline")
    assert preparer.wanted([small, big]) is False
    monkeypatch.setenv("SELLEROPS_INGEST_WORKER", "process")
    assert preparer.wanted([small]) is True


def test_a_digest_taken_before_is_used_only_while_the_file_is_unchanged(tmp_path):
    """The flow hashes a file seen before (to find its outcome known) and hands the digest to the
    reader with the file's stamp; the reader takes it instead of hashing the bytes again only when
    the file still has that stamp. A planted digest shows which was used."""
    import hashlib

    from sellerops.ingest.prepare import read_and_detect, stamp, stamped_fingerprint

    path = tmp_path / "settlement.txt"
    shutil.copy(DATA / "settlement_ok.txt", path)
    digest, stamped = stamped_fingerprint(path)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest() and stamped == stamp(path)
    planted = "f" * 64
    assert read_and_detect(path, "Amazon.com", fingerprinted=(planted, stamped)).sha256 == planted
    # rewritten since the digest was taken: its own bytes are hashed
    path.write_bytes(path.read_bytes() + b"\n")
    got = read_and_detect(path, "Amazon.com", fingerprinted=(planted, stamped))
    assert got.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # the same for a stamp the flow could not take (the file vanished under it, then came back)
    assert read_and_detect(path, "Amazon.com", fingerprinted=(planted, None)).sha256 == got.sha256


def test_the_worker_imports_great_expectations_while_the_first_file_is_read(tmp_path):
    """The worker's start-up imports Great Expectations and builds its context in a thread, before
    any file is checked: a file that is no report (no checkpoint runs for it) still finds GX
    imported in the worker."""
    from tests.sellerops.ingest.helpers_worker import gx_in_worker

    path = DATA / "not_a_report.csv"
    with preparer.Preparer("Amazon.com", processes=True, order=[path]) as prep:
        d = prep.result(path)
        assert d.fmt is None and "unknown report type" in d.error
        assert prep.pool.submit(gx_in_worker).result(timeout=300) is True


def test_files_added_once_hashed_keep_the_order_of_the_decisions(tmp_path):
    """`extend` adds files seen before whose content changed (known only once hashed), in the order
    of the decisions, and starts the worker when the night now calls for it."""
    a, b, c = (tmp_path / n for n in ("a.txt", "b.txt", "c.txt"))
    for p in (a, b, c):
        shutil.copy(DATA / "settlement_ok.txt", p)
    prep = preparer.Preparer("Amazon.com", processes=False, order=[c])
    try:
        prep.extend([b, a], [a, b, c], processes=False)
        assert prep.order == [a, b, c] and prep.pool is None and not prep.pending
        prep.extend([], [a, b, c], processes=True)  # nothing added: nothing started
        assert prep.pool is None
        prep.extend([b], [a, b, c], processes=True)
        assert prep.pool is not None and prep.order == [a, b, c]
        assert prep.result(a).rows == 5
        assert set(prep.pending) | set(prep.read_here) == {b, c}  # sent to the worker, or read here meanwhile
    finally:
        prep.close()


def test_the_warm_up_builds_the_first_files_checkpoint_from_its_head(tmp_path, monkeypatch):
    """The worker's warm-up reads the first file's head (whole lines only) and builds the checkpoint
    that file will need, so its check finds it built; a file that is no report builds nothing and
    raises nothing. Run here in this process, with the checkpoint cache emptied for the test."""
    from sellerops.reports import validate

    monkeypatch.setattr(validate, "_checkpoints", {})
    preparer._warm(DATA / "not_a_report.csv", "Amazon.com")
    preparer._warm(tmp_path / "vanished.txt", "Amazon.com")
    assert validate._checkpoints == {}
    monkeypatch.setattr(preparer, "HEAD_BYTES", 600)  # a head that ends mid-line
    preparer._warm(DATA / "settlement_ok.txt", "Amazon.com")
    header = (DATA / "settlement_ok.txt").read_text().splitlines()[0].split("\t")
    built = [(k[0], k[3]) for k in validate._checkpoints]
    assert built == [("GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", len(header))]


def test_the_worker_checks_and_the_caller_converts_to_the_same_rows_as_inline(tmp_path):
    """The worker hands a checked file over with its raw frame and the caller converts it: the typed
    rows, problems and errors are those of preparing the file in one process, and no raw rows are
    kept once converted. A file the conversion refuses (a non-numeric amount) and one the checkpoint
    refuses come back the same way."""
    import pandas as pd

    from sellerops.ingest.prepare import prepare

    names = ["settlement_ok.txt", "orders_cancelled_blank_price.txt", "settlement_non_numeric_amount.txt",
             "settlement_missing_amount_column.txt", "not_a_report.csv"]
    paths = [DATA / n for n in names]
    with preparer.Preparer("Amazon.com", processes=True, order=paths) as prep:
        for path in paths:
            worker, inline = prep.result(path), prepare(path, "Amazon.com")
            assert (worker.error, worker.problems, worker.rows) == (inline.error, inline.problems, inline.rows)
            assert (worker.typed is None) == (inline.typed is None)
            if inline.typed is not None:
                pd.testing.assert_frame_equal(worker.typed, inline.typed)
            assert worker.raw is None or worker.raw.rows == 0
    assert any(prepare(p, "Amazon.com").problems for p in paths)


def _validation_pages(docs: Path) -> int:
    return sum(1 for _ in (docs / "validations").rglob("*.html")) if (docs / "validations").exists() else 0


def test_the_worker_writes_the_data_docs_once_the_last_file_is_asked_for_and_they_cover_every_file(tmp_path):
    """The worker writes the night's Data Docs as soon as the last file is asked of it (while the
    caller still stores that file), not when the night closes: they must still show every file's
    checks (two checkpoints a file), and a file asked for again after them (a task's retry) has the
    docs written again when the night closes. (The first file asked for is read by the caller and
    only checked in the worker; the others are sent to it then.)"""
    from sellerops.reports.validate import docs_dir

    paths = [DATA / "settlement_ok.txt", DATA / "orders_cancelled_blank_price.txt"]
    prep = preparer.Preparer("Amazon.com", processes=True, order=paths)
    try:
        prep.extend([], paths, processes=True)
        assert prep._docs is None  # nothing asked of the worker before the first file is
        assert prep.result(paths[0]).problems == []
        asked = prep._docs
        assert asked is not None  # both files asked for by then, the docs right after them
        assert prep.result(paths[1]).problems == []
        asked.result(timeout=300)
        assert _validation_pages(docs_dir()) == 2 * len(paths)
        prep.result(paths[0])  # asked again: checked again after the docs were written
        assert prep._docs is not asked
    finally:
        prep.close()
    assert prep.docs and prep.docs.endswith("index.html")
    assert _validation_pages(docs_dir()) == 2 * (len(paths) + 1)


def test_while_the_worker_starts_the_caller_reads_the_last_files_and_the_worker_only_checks_them(tmp_path, monkeypatch):
    """Until the worker hands its first file back, the caller reads the night's files itself (the
    first one asked for, then from the last backwards) and sends each to the worker to be checked;
    it converts them itself. Whoever
    read a file, it comes back as preparing it in one process gives it: typed rows, problems, errors
    (a file the checkpoint refuses, one the conversion refuses, one that is no report). The Data Docs
    still show every checked file. The worker is given one file ahead only, so the others are left
    to read (a spawned worker takes far longer to start than reading these small files)."""
    import pandas as pd

    from sellerops.ingest.prepare import prepare
    from sellerops.reports.validate import docs_dir

    monkeypatch.setattr(preparer, "AHEAD_BYTES", 0)
    monkeypatch.setattr(preparer, "READ_HERE_BYTES", 1 << 40)
    names = ["settlement_ok.txt", "orders_cancelled_blank_price.txt", "settlement_missing_amount_column.txt",
             "settlement_non_numeric_amount.txt", "not_a_report.csv"]
    paths = [DATA / n for n in names]
    prep = preparer.Preparer("Amazon.com", processes=True, order=paths)
    try:
        prep.extend([], paths, processes=True)
        first = prep.result(paths[0])
        assert set(prep.read_here) == set(paths[1:])  # read here, the worker busy starting
        assert not prep.pending
        got = [first] + [prep.result(p) for p in paths[1:]]
    finally:
        prep.close()
    for path, worker in zip(paths, got):
        inline = prepare(path, "Amazon.com")
        assert (worker.error, worker.problems, worker.rows) == (inline.error, inline.problems, inline.rows), path
        assert (worker.typed is None) == (inline.typed is None)
        if inline.typed is not None:
            pd.testing.assert_frame_equal(worker.typed, inline.typed)
        assert worker.raw is None or worker.raw.rows == 0
    assert [bool(d.problems) for d in got] == [False, False, True, True, False] and got[-1].error
    assert _validation_pages(docs_dir()) == 2 * 4  # every file but the one that is no report


def test_while_the_first_file_is_read_here_nothing_else_is_sent_to_the_worker(tmp_path):
    """A file the worker has queued can no longer be taken back, so while the worker starts the
    caller keeps the files after the first to itself: it reads them (the budget allows all here)
    and the worker only checks them; the outcomes are those of one process."""
    from sellerops.ingest.prepare import prepare

    paths = [DATA / n for n in ("settlement_ok.txt", "orders_cancelled_blank_price.txt", "settlement_truncated.txt")]
    prep = preparer.Preparer("Amazon.com", processes=True, order=paths)
    try:
        prep.extend([], paths, processes=True)
        prep.result(paths[0])
        assert set(prep.read_here) == set(paths[1:]) and not prep.pending
        got = [prep.result(p) for p in paths[1:]]
    finally:
        prep.close()
    assert [(d.problems, d.rows) for d in got] == [(prepare(p, "Amazon.com").problems, prepare(p, "Amazon.com").rows)
                                                   for p in paths[1:]]
    assert got[-1].problems


def test_while_the_worker_starts_a_file_over_the_budget_is_left_to_it_and_a_smaller_one_after_it_read_here(
        tmp_path, monkeypatch):
    """The caller reads ahead only up to READ_HERE_BYTES: a file larger than what is left goes to
    the worker to be read there, while a smaller file after it that still fits is read here. The
    outcomes are those of one process, in the order asked for."""
    from sellerops.ingest.prepare import prepare

    paths = [DATA / n for n in ("settlement_ok.txt", "settlement_two_identical_rows.txt",
                                "orders_cancelled_blank_price.txt")]
    big, small = (os.path.getsize(p) for p in paths[1:])
    assert big > small
    monkeypatch.setattr(preparer, "READ_HERE_BYTES", small)
    prep = preparer.Preparer("Amazon.com", processes=True, order=paths)
    try:
        prep.extend([], paths, processes=True)
        prep.result(paths[0])
        assert set(prep.read_here) == {paths[2]} and set(prep.pending) == {paths[1]}
        got = [prep.result(p) for p in paths[1:]]
    finally:
        prep.close()
    assert [(d.problems, d.rows) for d in got] == [(prepare(p, "Amazon.com").problems, prepare(p, "Amazon.com").rows)
                                                   for p in paths[1:]]


def test_a_file_sent_to_the_worker_but_not_started_is_taken_back_and_read_here(tmp_path):
    """The first file is no report (nothing for the worker to check), so the next ones are sent to
    the worker at once; while it still starts, the caller waiting for the first of them takes back
    those it has not started and reads them here in their order (the last one surely: the worker
    takes them in order). Their outcomes are the same as preparing them in one process."""
    from sellerops.ingest.prepare import prepare

    paths = [DATA / n for n in ("not_a_report.csv", "settlement_ok.txt", "orders_cancelled_blank_price.txt",
                                "settlement_truncated.txt")]
    prep = preparer.Preparer("Amazon.com", processes=True, order=paths)
    try:
        prep.extend([], paths, processes=True)
        assert prep.result(paths[0]).error
        assert set(paths[1:]) <= set(prep.pending)  # sent: nothing was read here to be checked
        second = prep.result(paths[1])
        assert paths[-1] in prep.read_here and paths[-1] not in prep.pending
        got = [second] + [prep.result(p) for p in paths[2:]]
    finally:
        prep.close()
    assert [(d.problems, d.rows) for d in got] == [(prepare(p, "Amazon.com").problems, prepare(p, "Amazon.com").rows)
                                                   for p in paths[1:]]
    assert got[-1].problems


def test_starting_the_worker_keeps_what_this_process_holds_out_of_the_collectors_passes(tmp_path):
    """A big night (one with a worker) first freezes what the process imported and set up
    (`gc.freeze`), so the collector's full passes during the night walk only the night's own objects;
    the collector itself stays on. Run in a fresh interpreter, where nothing was frozen before."""
    script = tmp_path / "freeze.py"
    script.write_text(textwrap.dedent(f"""
        import gc
        from pathlib import Path
        from sellerops.ingest.preparer import Preparer

        before = gc.get_freeze_count()
        path = Path({str(DATA / "settlement_ok.txt")!r})
        with Preparer("Amazon.com", processes=True, order=[path]) as prep:
            frozen = gc.get_freeze_count()
            d = prep.result(path)
        print(before, frozen > 10_000, gc.isenabled(), d.problems)
    """))
    env = dict(os.environ, SELLEROPS_HOME=str(tmp_path / "home"), GX_ANALYTICS_ENABLED="false")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["0", "True", "True", "[]"]
