"""One run at a time per database: a cross-process lock for ingestion and reconciliation.

Two nightly runs, or a run and an operator's `sellerops ingest`, would otherwise write the same
database at once (the data stays exact, but the loser of a unique-key race died with a traceback).
`with run_lock("sellerops"):` waits for the holder, up to a timeout, then fails with one line naming
it (pid, host, command, since). On SQLite the lock is a file under SELLEROPS_HOME/locks (flock: the
kernel releases it when the holder dies, even by kill -9); on PostgreSQL it is a session advisory
lock, so runs on other machines sharing the database wait too, and the holder is named through its
connection's application_name. Re-entrant within a thread, so a flow that holds it can call a
step that takes it again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from sellerops.core.config import Settings, settings

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT_S = 900.0  # a month's first load takes about a minute; a night's runs far less
_held: dict[tuple, int] = {}
_guard = threading.Lock()


class LockTimeout(Exception):
    """Another run held the lock for longer than the timeout; the message names it."""


class LockUnavailable(Exception):
    """The lock itself cannot be taken (its folder cannot be written); the message names the path."""


def default_timeout() -> float:
    try:
        return float(os.environ.get("SELLEROPS_LOCK_TIMEOUT", DEFAULT_TIMEOUT_S))
    except ValueError:
        return DEFAULT_TIMEOUT_S


def holder() -> dict:
    """Who takes the lock: this process."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv)[:200],
            "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def describe(h: dict | None) -> str:
    if not h:
        return "another process"
    return f"pid {h.get('pid')} on {h.get('host')} ({h.get('command') or '?'}), since {h.get('since')}"


@contextlib.contextmanager
def run_lock(name: str = "sellerops", timeout: float | None = None, s: Settings | None = None,
             poll_s: float = 0.2) -> Iterator[None]:
    """Hold the run lock `name` of the configured database while the block runs."""
    s = s or settings()
    timeout = default_timeout() if timeout is None else timeout
    key = (s.database_url, name, threading.get_ident())
    with _guard:
        nested = key in _held
        _held[key] = _held.get(key, 0) + 1
    try:
        if nested:
            yield
            return
        url = s.database_url
        take = _pg_lock if url.startswith("postgresql") else _file_lock
        with take(name, s, timeout, poll_s):
            yield
    finally:
        with _guard:
            _held[key] -= 1
            if not _held[key]:
                del _held[key]


def _digest(name: str, s: Settings) -> str:
    url = sa.engine.make_url(s.database_url).render_as_string(hide_password=True)
    return hashlib.sha1(f"{url}|{name}".encode()).hexdigest()


def lock_path(name: str, s: Settings) -> Path:
    return s.home / "locks" / f"{name}-{_digest(name, s)[:10]}.lock"


def _timed_out(name: str, waited: float, who: str) -> LockTimeout:
    return LockTimeout(f"run lock {name!r} is held by {who}; waited {waited:.0f} s "
                       "(SELLEROPS_LOCK_TIMEOUT). Try again once that run ends.")


def check(name: str = "sellerops", s: Settings | None = None) -> None:
    """Raise LockUnavailable (naming the path) now if the lock could not be taken later."""
    s = s or settings()
    if not s.database_url.startswith("postgresql"):
        _open(lock_path(name, s)).close()


def _open(path: Path):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "a+")
    except OSError as exc:
        raise LockUnavailable(f"{path}: cannot create the run lock: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _file_lock(name: str, s: Settings, timeout: float, poll_s: float) -> Iterator[None]:
    path = lock_path(name, s)
    f = _open(path)
    start, waited = time.monotonic(), False
    try:
        while True:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    waited = True
                    log.warning("waiting up to %.0f s for the run lock %r, held by %s", timeout, name,
                                describe(_read_holder(path)))
                if time.monotonic() - start >= timeout:
                    raise _timed_out(name, time.monotonic() - start, describe(_read_holder(path))) from None
                time.sleep(poll_s)
        f.seek(0)
        f.truncate()
        f.write(json.dumps(holder()) + "\n")
        f.flush()
        try:
            yield
        finally:
            f.seek(0)
            f.truncate()
            f.flush()
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    finally:
        f.close()


def _read_holder(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text() or "null")
    except (OSError, ValueError):
        return None


_PG_CLASS = 0x5E11  # the first key of sellerops' advisory locks; the second names lock and database


@contextlib.contextmanager
def _pg_lock(name: str, s: Settings, timeout: float, poll_s: float) -> Iterator[None]:
    from sellerops.storage.engine import get_engine

    key = int(_digest(name, s)[:7], 16)  # < 2**31: pg_locks shows it as an oid
    h = holder()
    label = f"sellerops {h['pid']}@{h['host']}: {h['command']}"[:63]
    start = time.monotonic()
    with get_engine(s.database_url).connect() as conn:
        conn.execute(sa.text("SELECT set_config('application_name', :v, false)"), {"v": label})
        conn.commit()
        waited = False
        while not conn.execute(sa.text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": _PG_CLASS, "b": key}).scalar():
            conn.commit()
            if not waited:
                waited = True
                log.warning("waiting up to %.0f s for the run lock %r, held by %s", timeout, name,
                            _pg_holder(conn, key))
            if time.monotonic() - start >= timeout:
                raise _timed_out(name, time.monotonic() - start, _pg_holder(conn, key))
            time.sleep(poll_s)
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:a, :b)"), {"a": _PG_CLASS, "b": key})
            conn.execute(sa.text("SELECT set_config('application_name', '', false)"))
            conn.commit()


def _pg_holder(conn, key: int) -> str:
    row = conn.execute(sa.text(
        "SELECT a.application_name, a.client_addr, a.backend_start FROM pg_locks l "
        "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
        "AND l.classid = :a AND l.objid = :b"), {"a": _PG_CLASS, "b": key}).first()
    conn.commit()
    if row is None:
        return "another process"
    return f"{row.application_name or 'a session'} (client {row.client_addr or 'local'}), since {row.backend_start}"
