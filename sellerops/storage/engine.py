"""The database: one engine per URL, the schema upgraded by Alembic on first use.

SQLite (the default, under SELLEROPS_HOME) and PostgreSQL are supported. On SQLite we turn on WAL
and a busy timeout so a reader never blocks the nightly load; synchronous=NORMAL (in WAL mode a
process crash loses nothing committed, a power loss at most the last transactions, never the
database's integrity), foreign keys enforced, temporary storage in memory, and WAL checkpoints
run by a thread beside the work (sellerops.storage.checkpoints).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session

from sellerops.core.config import settings
from sellerops.storage import checkpoints

_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()
MIGRATIONS = Path(__file__).parent / "migrations"


def sqlite_file(url: str | sa.engine.URL) -> str | None:
    """The file of a SQLite database URL, as written in it; None for an in-memory one or another database."""
    made = sa.engine.make_url(url)
    if made.get_backend_name() != "sqlite" or made.database in (None, "", ":memory:"):
        return None
    return made.database


def _make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        path = sqlite_file(url)
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            # statement journals (and temporary tables) in memory, not in a temporary file: an upsert
            # into a table with a foreign key opens one per row, and on a file it cost more than the row
            cur.execute("PRAGMA temp_store=MEMORY")
            if path is not None:  # the checkpoints run beside the work, not inside a commit
                cur.execute("PRAGMA wal_autocheckpoint=0")
            cur.close()

        if path is not None:
            database = str(Path(path).absolute())  # the file this engine opens, whatever the cwd later

            @event.listens_for(engine, "commit")
            def _written(conn):  # pragma: no cover - trivial
                conn.info["wal_written"] = True  # the pooled connection's: kept until its checkin

            @event.listens_for(engine, "checkin")
            def _checkpoint(dbapi_conn, record):  # pragma: no cover - trivial
                if record.info.pop("wal_written", False):  # a connection that only read adds nothing to the WAL
                    checkpoints.ask(database)

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return sa.create_engine(url, pool_pre_ping=True)


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is already there). One process
    at a time: two first runs on a new database would both create its tables."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with _migrating(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # held until this transaction ends
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(24081, 1)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def _migrating(engine: sa.Engine) -> Iterator[None]:
    """On a SQLite file: an exclusive lock on `<database>.migrate.lock` beside it while migrating."""
    path = sqlite_file(engine.url)
    if path is None:
        yield
        return
    import fcntl

    with open(f"{path}.migrate.lock", "a") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


class DatabaseUnavailable(Exception):
    """The database cannot be opened or reached: a failure of the run, not of a file. The message
    is one line naming the database (its file, or its URL without the password)."""


def get_engine(url: str | None = None) -> sa.Engine:
    """The engine for `url` (default: the configured database), its schema upgraded once."""
    url = url or settings().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            try:
                engine = _make_engine(url)
                upgrade(engine)
            except (OSError, sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
                raise DatabaseUnavailable(unavailable(url, exc)) from None
            _engines[url] = engine
        return engine


def not_created(url: str | None = None) -> bool:
    """Whether the database at `url` (default: the configured one) is a SQLite file not created yet,
    so nothing can be recorded in it: known without opening it, hence without migrating it first.
    A server database is never known to be new this way."""
    url = url or settings().database_url
    with _lock:
        if url in _engines:
            return False
    path = sqlite_file(url)
    return path is not None and not Path(path).exists()


def unavailable(url: str, exc: BaseException) -> str:
    """Why the database at `url` cannot be used, in one line that names it."""
    cause = getattr(exc, "orig", None) or exc
    why = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    if isinstance(cause, OSError) and cause.strerror:
        why = f"{cause.strerror}: {cause.filename}" if cause.filename else cause.strerror
    path = sqlite_file(url)
    if path is not None:
        hint = (f"; its folder {Path(path).parent} must exist and be writable (SQLite writes its journal beside it)"
                if isinstance(cause, OSError) or "open" in why or "readonly" in why else "")
        return f"database {path}: cannot be used ({why}){hint}"
    return f"database {sa.engine.make_url(url).render_as_string(hide_password=True)}: cannot be reached ({why})"


def dispose_all() -> None:
    checkpoints.wait_idle()  # none still copying into a database whose folder goes next (tests)
    with _lock:
        for e in _engines.values():
            e.dispose()
        _engines.clear()


@contextmanager
def session(url: str | None = None) -> Iterator[Session]:
    with Session(get_engine(url), expire_on_commit=False) as s:
        yield s
