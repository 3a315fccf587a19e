"""SQLite's WAL checkpoints, run by a thread beside the work instead of inside a commit.

In WAL mode a commit appends its pages to the `-wal` file; a checkpoint copies them into the
database file. By default the commit that takes the WAL past 1,000 pages runs the checkpoint
itself, so a month's load paid about 0.3 s of copying inside its commits (docs/benchmarks.md).
sellerops' connections turn that off (`PRAGMA wal_autocheckpoint=0`, `engine._pragmas`), and when a
connection that committed goes back to the pool this thread is asked for a PASSIVE checkpoint of its
database: it
copies what no reader still needs, never waits for a lock and never makes anyone wait. SQLite
releases the GIL while it copies, so the copying runs on another core while the process goes on
(the next file's conversion, the reconciliation). Durability and crash safety are SQLite's own,
unchanged: a checkpoint interrupted by a crash is redone from the WAL when the database opens.
"""

from __future__ import annotations

import atexit
import logging
import os
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_pending: set[str] = set()
_lock = threading.Lock()
_wake = threading.Condition(_lock)
_busy = False
_thread: threading.Thread | None = None
_stopping = False


def ask(path: str) -> None:
    """Ask for a checkpoint of the SQLite database file at the absolute `path` (soon, in the
    checkpoint thread)."""
    global _thread
    with _lock:
        if _stopping:
            return
        _pending.add(path)
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="sellerops-wal-checkpoint", daemon=True)
            _thread.start()
        _wake.notify_all()  # the thread, whoever else waits (`wait_idle`)


def wait_idle(timeout: float = 30.0) -> bool:
    """Wait until every checkpoint asked for so far has run; whether it came to that in time."""
    with _lock:
        return _wake.wait_for(lambda: not _pending and not _busy, timeout)


def _run() -> None:
    global _busy
    while True:
        with _lock:
            _wake.wait_for(lambda: _pending or _stopping)
            if not _pending:
                return
            paths = sorted(_pending)
            _pending.clear()
            _busy = True
        try:
            for path in paths:
                checkpoint(path)
        finally:
            with _lock:
                _busy = False
                _wake.notify_all()


def checkpoint(path: str) -> None:
    """One PASSIVE checkpoint of `path`. A failure only leaves the pages in the WAL for the next one."""
    try:
        # read-write, never create: a database removed meanwhile (a test's) stays removed
        conn = sqlite3.connect(f"{Path(path).as_uri()}?mode=rw", uri=True, timeout=0)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        finally:
            conn.close()
    except (sqlite3.Error, ValueError) as exc:  # removed meanwhile, locked for a migration, not a file path …
        log.debug("WAL checkpoint of %s: %s", path, exc)


def _after_fork() -> None:
    """A forked child starts with no checkpoint thread and a fresh lock (the parent's may be held)."""
    global _lock, _wake, _busy, _thread, _stopping
    _lock = threading.Lock()
    _wake = threading.Condition(_lock)
    _pending.clear()
    _busy, _thread, _stopping = False, None, False


os.register_at_fork(after_in_child=_after_fork)


@atexit.register
def _finish() -> None:
    """At exit, the checkpoints already asked for run to their end (they are short: pages are
    copied as they are committed), so the process leaves a WAL no longer than it has to."""
    global _stopping
    with _lock:
        _stopping = True
        _wake.notify_all()
        thread = _thread
    if thread is not None:
        thread.join(timeout=30)
