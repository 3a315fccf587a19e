"""The command line as a user runs it: JSON-only stdout, exit codes, one clear error line, and
read-only commands that never start (or even import) Prefect."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "reports" / "data"
BIN = Path(sys.executable).parent / "sellerops"


def run(*args, env=None, timeout=600):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=e, timeout=timeout)


def test_read_only_commands_do_not_import_prefect(sellerops_home):
    code = ("import sys\nfrom sellerops.cli import app\n"
            "for argv in (['reports', '--format', 'json'], ['findings', '--format', 'json']):\n"
            "    try:\n        app(argv, standalone_mode=False)\n    except SystemExit:\n        pass\n"
            "print('prefect' in sys.modules, 'great_expectations' in sys.modules, file=sys.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=dict(os.environ, SELLEROPS_HOME=str(sellerops_home)))
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip().splitlines()[-1] == "False False"


def test_bad_path_is_one_clear_error(sellerops_home):
    p = run("ingest", "/no/such/folder")
    assert p.returncode == 1
    assert p.stderr.strip() == "sellerops: error: /no/such/folder: no such file or folder"
    assert p.stdout == ""


def test_bad_option_value_is_one_clear_error(sellerops_home):
    p = run("reconcile", "--as-of", "yesterday")
    assert p.returncode == 1 and "expected a date as YYYY-MM-DD" in p.stderr
    assert "Traceback" not in p.stderr


def test_ingest_json_is_only_json_and_exit_2_on_quarantine(sellerops_home, tmp_path):
    for n in ("settlement_ok.txt", "settlement_non_numeric_amount.txt"):
        shutil.copy(DATA / n, tmp_path / n)
    p = run("ingest", str(tmp_path), "--format", "json")
    assert p.returncode == 2, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert {(Path(x["path"]).name, x["status"], x["rows"]) for x in lines} == {
        ("settlement_ok.txt", "loaded", 4), ("settlement_non_numeric_amount.txt", "quarantined", 0)}
    assert set(lines[0]) == {"path", "sha256", "report_type", "status", "rows", "reason"}
    # a normal run prints no traceback and no warning spam
    for bad in ("Traceback", "Warning", "WARNING", "CancelledError", "database is locked", "Calculating Metrics"):
        assert bad not in p.stderr, p.stderr

    r = run("reports", "--format", "json")
    assert r.returncode == 0
    seen = [json.loads(x) for x in r.stdout.splitlines()]
    assert [Path(x["path"]).name for x in seen] == ["settlement_non_numeric_amount.txt", "settlement_ok.txt"]
    assert seen[0]["reason"].startswith(str(tmp_path / "settlement_non_numeric_amount.txt") + ":4:15: amount:")
