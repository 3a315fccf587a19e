"""SQLite's WAL checkpoints run in a thread beside the work (sellerops.storage.checkpoints): a
commit on a sellerops connection never copies the WAL into the database itself, the thread does
once the connection is back in the pool (a connection that only read asks for nothing), and the
database's content is the same either way."""

from __future__ import annotations

import sqlite3

from sellerops.storage import checkpoints
from sellerops.storage.engine import _make_engine

ROWS = 2_000  # ~4 MB of pages: past SQLite's own autocheckpoint (1,000 pages)


def _write(engine) -> None:
    with engine.begin() as c:
        c.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
        c.exec_driver_sql("INSERT INTO t (v) VALUES (?)", [(bytes(2_000),) for _ in range(ROWS)])


def test_commits_leave_the_wal_to_the_thread_which_copies_it_once_the_connection_is_back(tmp_path):
    path = tmp_path / "db.sqlite"
    engine = _make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        _write(engine)
        assert checkpoints.wait_idle()
        # the pages are in the database file itself, not only in its WAL: a checkpoint copied them,
        # and not the commit's (autocheckpoint is off)
        assert path.stat().st_size >= ROWS * 2_000
        with sqlite3.connect(path) as raw:
            busy, logged, copied = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            assert (busy, logged) == (0, copied)
            assert raw.execute("SELECT count(*), sum(length(v)) FROM t").fetchone() == (ROWS, ROWS * 2_000)
    finally:
        engine.dispose()


def test_without_the_thread_the_pages_would_wait_in_the_wal(tmp_path, monkeypatch):
    """The control: the same commit with no checkpoint asked for leaves the database file short."""
    monkeypatch.setattr(checkpoints, "ask", lambda path: None)
    path = tmp_path / "db.sqlite"
    engine = _make_engine(f"sqlite:///{path}")
    try:
        _write(engine)
        assert path.stat().st_size < ROWS * 2_000
        assert (tmp_path / "db.sqlite-wal").stat().st_size >= ROWS * 2_000
    finally:
        engine.dispose()


def test_only_a_connection_that_committed_asks_for_a_checkpoint(tmp_path, monkeypatch):
    asked = []
    engine = _make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        _write(engine)
        monkeypatch.setattr(checkpoints, "ask", asked.append)
        with engine.connect() as c:
            assert c.exec_driver_sql("SELECT count(*) FROM t").scalar() == ROWS
        assert asked == []
        with engine.begin() as c:
            c.exec_driver_sql("DELETE FROM t WHERE id = 1")
        assert asked == [str((tmp_path / "db.sqlite").absolute())]
    finally:
        engine.dispose()


def test_a_database_removed_before_its_checkpoint_is_not_created_again(tmp_path):
    gone = tmp_path.absolute() / "gone.sqlite"
    checkpoints.ask(str(gone))
    assert checkpoints.wait_idle()
    assert not gone.exists()


def test_a_forked_child_runs_its_own_checkpoints(tmp_path):
    """A child forked while the parent's thread exists gets no thread and a fresh lock: its own
    checkpoints run (in a fresh interpreter, so this test's process never forks)."""
    import subprocess
    import sys
    from pathlib import Path

    script = f"""
import os, signal, sys, threading, time
from sellerops.storage import checkpoints
checkpoints.ask({str(tmp_path / 'parent.db')!r}); checkpoints.wait_idle()
held = threading.Event()

def hold():  # another thread holds the lock when the process forks
    with checkpoints._lock:
        held.set()
        time.sleep(1)

threading.Thread(target=hold, daemon=True).start()
held.wait()
pid = os.fork()
if pid == 0:
    signal.alarm(10)  # a child stuck on an inherited lock is killed
    checkpoints.ask({str(tmp_path / 'child.db')!r})
    os._exit(0 if checkpoints.wait_idle(5) else 3)
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
