"""The run lock (sellerops.storage.lock): a second run waits for the first, and when it gives up
it names the holder; a holder killed with SIGKILL leaves nothing to clean up. On SQLite (a file
lock under SELLEROPS_HOME) and PostgreSQL (an advisory lock)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sellerops.storage.lock import LockTimeout, LockUnavailable, run_lock

ROOT = Path(__file__).resolve().parents[3]
HOLD = ("import sys, time\nfrom sellerops.storage.lock import run_lock\n"
        "with run_lock('sellerops'):\n    print('held', flush=True)\n    time.sleep(600)\n")


def _holder() -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT)
    assert p.stdout.readline().strip() == "held", p.stderr.read()
    return p


def test_a_second_run_gives_up_naming_the_holder_and_gets_it_once_the_holder_dies(db_url, caplog):
    import logging

    holder = _holder()
    try:
        with caplog.at_level(logging.WARNING, logger="sellerops.storage.lock"), pytest.raises(LockTimeout) as exc:
            with run_lock("sellerops", timeout=0.5):
                pass
        text = str(exc.value)
        assert str(holder.pid) in text and "SELLEROPS_LOCK_TIMEOUT" in text
        assert "\n" not in text
        [waiting] = [r.getMessage() for r in caplog.records if "waiting" in r.getMessage()]  # said once
        assert str(holder.pid) in waiting
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=60)
    with run_lock("sellerops", timeout=60):  # the kernel (or the server) released the dead holder's lock
        pass


def test_the_lock_is_reentrant_in_one_thread(db_url):
    with run_lock("sellerops", timeout=1):
        with run_lock("sellerops", timeout=1):
            entered = True
    assert entered


def test_other_databases_do_not_share_a_lock(sellerops_home, tmp_path, monkeypatch):
    holder = _holder()  # the default database under SELLEROPS_HOME
    try:
        monkeypatch.setenv("SELLEROPS_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
        with run_lock("sellerops", timeout=0.5):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate(timeout=60)


def test_a_lock_folder_that_cannot_be_made_names_its_path(tmp_path, monkeypatch):
    (tmp_path / "home").write_text("a file where the home folder should be")
    monkeypatch.setenv("SELLEROPS_HOME", str(tmp_path / "home"))
    with pytest.raises(LockUnavailable, match=str(tmp_path / "home" / "locks")):
        with run_lock("sellerops", timeout=1):
            pass
