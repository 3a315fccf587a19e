"""`sellerops ingest` as an operator runs it against hostile files (issue 17): every file gets a JSON
line, loaded ones too; bad ones are quarantined with short reasons; exit code 2; no traceback, no
Prefect complaint about oversized events. And a home that cannot hold the database fails every
command with one line naming the path."""

from __future__ import annotations

import codecs
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sellerops.ingest.outcome import REASON_CHARS
from tests.sellerops.ingest.test_ingest import DATA

BIN = Path(sys.executable).parent / "sellerops"


def run(*args, timeout=600):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=dict(os.environ), timeout=timeout)


def test_hostile_files_each_get_a_json_line_and_exit_code_2(sellerops_home, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a_huge_line.txt").write_bytes(b"x" * 10_000_000 + b"\n")
    (drop / "b_truncated_utf16.txt").write_bytes((codecs.BOM_UTF16_LE + "a\tb\n".encode("utf-16-le"))[:-1])
    (drop / "c_loop.txt").symlink_to(drop / "c_loop.txt")
    shutil.copy(DATA / "settlement_ok.txt", drop / "d_good.txt")
    p = run("ingest", str(drop), "--format", "json")
    assert p.returncode == 2, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    got = {Path(r["path"]).name: r for r in lines}
    assert {n: r["status"] for n, r in got.items()} == {
        "a_huge_line.txt": "quarantined", "b_truncated_utf16.txt": "quarantined", "c_loop.txt": "quarantined",
        "d_good.txt": "loaded"}
    assert all(len(r["reason"] or "") <= REASON_CHARS for r in lines)
    assert max(len(x) for x in p.stdout.splitlines()) < 2_000
    assert "Traceback" not in p.stderr and "Refusing to publish" not in p.stderr, p.stderr[-2000:]


@pytest.mark.parametrize("command", [["reports"], ["findings"], ["ingest", "."]])
def test_a_home_that_cannot_hold_the_database_is_one_line_naming_it(tmp_path, monkeypatch, command):
    """The tests run as root, for whom no folder is read-only: a file stands where the home should be."""
    home = tmp_path / "home"
    home.write_text("not a folder")
    monkeypatch.setenv("SELLEROPS_HOME", str(home))
    p = run(*command)
    assert p.returncode == 1
    [line] = p.stderr.strip().splitlines()
    assert line.startswith("sellerops: error:") and str(home) in line, line
    assert p.stdout == ""
