"""Whatever a file does, it is quarantined with a short reason and the night goes on (issue 17):
undecodable text, I/O failures, a file that vanishes, the database refusing a value, a quarantine
folder that cannot be written, a 10 MB line. Every case runs on SQLite and PostgreSQL (`db_url`).
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import shutil
from pathlib import Path

import pytest

from sellerops.ingest import (LOADED, QUARANTINED, Steps, decide, direct_steps, ingest_paths, prepare,
                              settings_for, store)
from sellerops.ingest.outcome import REASON_CHARS
from sellerops.ingest.quarantine import REASON_JSON_BYTES
from tests.sellerops.ingest.test_ingest import DATA, rows
from tests.sellerops.storage.lines import line_count

GOOD = "settlement_ok.txt"


def _utf16(text: str) -> bytes:
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def _orders_text() -> str:
    from tests.sellerops.reports.make_data import orders

    return "\n".join(orders([dict()])) + "\n"


@pytest.mark.parametrize("name, data, expected", [
    # the last character is cut in half: UTF-16 needs two bytes a unit
    ("a_truncated_utf16.txt", lambda: _utf16(_orders_text())[:-1], "cannot be decoded as utf-16-le"),
    # a high surrogate followed by a letter, not by its low half
    ("a_lone_surrogate.txt", lambda: _utf16(_orders_text())[:40] + b"\x00\xd8A\x00" + _utf16(_orders_text())[40:],
     "cannot be decoded as utf-16-le"),
    # a NUL in UTF-16 text is caught on the decoded text, as in any other encoding (line 2, column 1)
    ("a_nul_in_utf16.txt", lambda: _utf16(_orders_text().replace("\n", "\n\x00", 1)), ":2:1: NUL character"),
])
def test_undecodable_files_are_quarantined_and_the_files_after_them_load(db_url, tmp_path, name, data, expected):
    (tmp_path / name).write_bytes(data())
    shutil.copy(DATA / GOOD, tmp_path / "z_good.txt")  # sorted after the bad file
    got = {Path(o.path).name: o for o in ingest_paths([tmp_path])}
    assert got["z_good.txt"].status == LOADED
    bad = got[name]
    assert bad.status == QUARANTINED and expected in bad.reason, bad.reason
    assert bad.reason.startswith(str(tmp_path / name))
    assert rows("select count(*) n from order_line")[0]["n"] == 0  # nothing of the bad file stored


def test_a_symlink_loop_is_quarantined(db_url, tmp_path):
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    shutil.copy(DATA / GOOD, tmp_path / "z_good.txt")
    got = {Path(o.path).name: o for o in ingest_paths([tmp_path])}
    assert got["z_good.txt"].status == LOADED
    assert got["loop.txt"].status == QUARANTINED
    assert "Too many levels of symbolic links" in got["loop.txt"].reason
    # a rerun keeps the first outcome: the loop is known, not read again
    again = {Path(o.path).name: o for o in ingest_paths([tmp_path])}
    assert again["loop.txt"].known and again["loop.txt"].status == QUARANTINED


def test_a_file_deleted_mid_run_is_quarantined(db_url, tmp_path):
    """The file is found, then removed before it is read (as a user's cleanup might): a real
    deletion between the two steps, no mock."""
    victim = tmp_path / "gone.txt"
    shutil.copy(DATA / GOOD, victim)
    s = settings_for()
    plain = direct_steps(s, s.marketplace)

    def delete_then_prepare(path):
        path.unlink()
        return plain.prepare(path)

    steps = Steps(prepare=delete_then_prepare, store=plain.store, quarantine=plain.quarantine)
    o = decide(victim, s, steps)
    assert o.status == QUARANTINED and "FileNotFoundError" in o.reason
    [r] = rows("select status, reason from report_file")
    assert r["status"] == QUARANTINED and r["reason"] == o.reason


def test_a_value_the_database_refuses_quarantines_the_file(db_url, tmp_path):
    """A NUL in a value: PostgreSQL refuses it (DataError). The content check stops such files
    first, so the refusal is made here by handing the store a converted file with a NUL put into
    its rows after the check: on PostgreSQL the file is quarantined, on SQLite it loads."""
    path = tmp_path / "orders.txt"
    path.write_text(_orders_text())
    s = settings_for()
    d = prepare(path, s.marketplace)
    d.typed["product_name"] = d.typed["product_name"].astype(object).map(lambda v: "bad\x00name")
    plain = direct_steps(s, s.marketplace)
    o = decide(path, s, Steps(prepare=lambda p: d, store=plain.store, quarantine=plain.quarantine))
    if db_url.startswith("postgresql"):
        assert o.status == QUARANTINED and "the database refused it: DataError" in o.reason, o.reason
        assert "INSERT" not in o.reason and len(o.reason) <= REASON_CHARS
        assert rows("select count(*) n from order_line")[0]["n"] == 0
    else:
        assert o.status == LOADED


def test_store_returns_a_refusal_instead_of_raising(db_url, tmp_path):
    from sellerops.ingest import Refused

    path = tmp_path / "orders.txt"
    path.write_text(_orders_text())
    s = settings_for()
    d = prepare(path, s.marketplace)
    d.typed["sku"] = None  # part of the natural key, NOT NULL: every database refuses the row
    got = store(d, s)
    assert isinstance(got, Refused) and got.reason.startswith(f"{path}: the database refused it: ")
    assert "sku" in got.reason and "INSERT" not in got.reason  # the cause, not the statement
    assert rows("select count(*) n from report_file")[0]["n"] == 0  # the whole transaction rolled back


def test_an_unwritable_quarantine_folder_is_reported_once_and_recorded(db_url, sellerops_home, tmp_path, caplog):
    """The tests run as root, so a read-only folder would still be writable: the quarantine path is
    a regular file instead, which no user can write a folder into either."""
    from sellerops.ingest.quarantine import _reported

    _reported.clear()  # reported once per process: this test starts afresh
    sellerops_home.mkdir(parents=True, exist_ok=True)
    (sellerops_home / "quarantine").write_text("not a folder")
    for n in ("empty.txt", "binary.bin"):
        shutil.copy(DATA / n, tmp_path / n)
    shutil.copy(DATA / GOOD, tmp_path / "z_good.txt")
    with caplog.at_level(logging.WARNING, logger="sellerops.ingest.quarantine"):
        got = {Path(o.path).name: o.status for o in ingest_paths([tmp_path])}
    assert got == {"empty.txt": QUARANTINED, "binary.bin": QUARANTINED, "z_good.txt": LOADED}
    warnings = [r for r in caplog.records if "cannot be written" in r.getMessage()]
    assert len(warnings) == 1 and str(sellerops_home / "quarantine") in warnings[0].getMessage()
    assert {r["status"] for r in rows("select status from report_file")} == {QUARANTINED, LOADED}
    assert rows("select count(*) n from report_file where status = 'quarantined'")[0]["n"] == 2


def test_a_10_mb_line_gives_a_short_reason_everywhere(db_url, sellerops_home, tmp_path):
    (tmp_path / "huge.txt").write_bytes(b"x" * 10_000_000 + b"\n")
    [o] = ingest_paths([tmp_path / "huge.txt"])
    assert o.status == QUARANTINED and len(o.reason) <= REASON_CHARS, len(o.reason)
    assert o.reason.startswith(str(tmp_path / "huge.txt"))
    assert "unknown report type" in o.reason
    [r] = rows("select reason from report_file")
    assert r["reason"] == o.reason
    assert len(json.dumps(o.as_json())) < 2_000
    info = sellerops_home / "quarantine" / "huge.txt.reason.json"
    assert info.stat().st_size <= REASON_JSON_BYTES
    assert json.loads(info.read_text())["reason"] == o.reason


def test_many_long_problems_keep_reason_json_bounded(db_url, sellerops_home, tmp_path):
    from sellerops.ingest import quarantine

    path = tmp_path / "bad.txt"
    path.write_text("x")
    d = prepare(path, "Amazon.com")
    o = quarantine(d, [f"{path}:{i}:1: {'y' * 5_000}" for i in range(1_000)], settings_for())
    info = sellerops_home / "quarantine" / "bad.txt.reason.json"
    assert info.stat().st_size <= REASON_JSON_BYTES
    assert json.loads(info.read_text())["problems"][-1].startswith("(and ")
    assert len(o.reason) <= REASON_CHARS + 40 and o.reason.endswith("(and 999 more)")


def test_a_lost_race_on_the_same_file_is_its_known_outcome(db_url, tmp_path):
    """Another run records the same (path, sha256) between this run's check and its load (played
    here by recording it from inside the store step): the loser reports the winner's outcome."""
    path = tmp_path / "s.txt"
    shutil.copy(DATA / GOOD, path)
    s = settings_for()
    plain = direct_steps(s, s.marketplace)

    def other_run_wins_then_store(d):
        from sellerops.ingest.load import load

        load(prepare(path, s.marketplace), s)  # the other run: loads and records it first
        return plain.store(d)

    o = decide(path, s, Steps(prepare=plain.prepare, store=other_run_wins_then_store, quarantine=plain.quarantine))
    assert o.known and o.status == LOADED
    assert line_count() == 4
    assert rows("select count(*) n from report_file")[0]["n"] == 1
