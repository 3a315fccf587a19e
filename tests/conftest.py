"""Shared fixtures: an isolated SELLEROPS_HOME per test, the databases, one Prefect harness.

Services: PostgreSQL is found at SELLEROPS_TEST_PG_URL (default a local `sellerops` role and
database, as `.ci/run` creates them). When it is not reachable a PostgreSQL test skips with a message
saying how to get it, except under CI=true, where nothing may skip.
"""

from __future__ import annotations

import os
import uuid

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("TQDM_DISABLE", "1")

PG_URL = os.environ.get("SELLEROPS_TEST_PG_URL", "postgresql://sellerops:sellerops@127.0.0.1:5432/sellerops")
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_service(what: str, how: str) -> None:
    """Skip with a message saying how to get `what`; fail under CI=true, where nothing may skip."""
    msg = f"{what} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI=true and {msg}")
    pytest.skip(msg)


@pytest.fixture(autouse=True)
def sellerops_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("SELLEROPS_HOME", str(home))
    monkeypatch.delenv("SELLEROPS_DATABASE_URL", raising=False)
    return home


@pytest.fixture(scope="session")
def pg_admin_engine():
    import sqlalchemy as sa

    url = PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "not available"
        engine.dispose()
        need_service(f"PostgreSQL at {PG_URL} ({type(exc).__name__})",
                     "install Debian's postgresql and create the role as .ci/run does, "
                     "or point SELLEROPS_TEST_PG_URL at a server")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin_engine, monkeypatch):
    """A fresh, empty PostgreSQL schema for one test, as a database URL."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with pg_admin_engine.connect() as c:
        c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    from sellerops.storage.engine import dispose_all

    dispose_all()
    with pg_admin_engine.connect() as c:
        c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, monkeypatch, sellerops_home):
    """Each storage test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{sellerops_home / 'test.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("SELLEROPS_DATABASE_URL", url)
    return url


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the whole session (starting one costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield
