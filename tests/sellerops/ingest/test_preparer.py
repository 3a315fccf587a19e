"""The ingestion worker (sellerops.ingest.preparer): its start does not run the user's script again, and
the default decides by the night's size."""

from __future__ import annotations

import os
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
