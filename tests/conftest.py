"""Shared fixtures: an isolated SELLEROPS_HOME per test, the databases, one Prefect harness.

Parallel runs (`make test` runs pytest-xdist workers): every worker process is a session of its own,
with its own Prefect harness, its own PREFECT_HOME and uuid-named PostgreSQL schemas and databases, so
workers share nothing but the servers. The few fixtures that are expensive to build more than once keep
their tests on one worker (see `pytest_collection_modifyitems`; `--dist loadgroup`).

Services: PostgreSQL is found at SELLEROPS_TEST_PG_URL (default a local `sellerops` role and
database, as `.ci/run` creates them). When it is not reachable a PostgreSQL test skips with a message
saying how to get it, except under CI=true, where nothing may skip.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import uuid

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("TQDM_DISABLE", "1")

# Prefect's own files (an ephemeral server's SQLite database, result storage, the memo store) go in a
# folder of this process's, set before anything imports Prefect: two workers, or two checkouts on one
# machine, must never share one SQLite file under ~/.prefect.
_PREFECT_HOME = tempfile.mkdtemp(prefix=f"sellerops-tests-prefect-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
atexit.register(shutil.rmtree, _PREFECT_HOME, True)

PG_URL = os.environ.get("SELLEROPS_TEST_PG_URL", "postgresql://sellerops:sellerops@127.0.0.1:5432/sellerops")
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_service(what: str, how: str) -> None:
    """Skip with a message saying how to get `what`; fail under CI=true, where nothing may skip."""
    msg = f"{what} is not available: {how}"
    if IN_CI:
        pytest.fail(f"CI=true and {msg}")
    pytest.skip(msg)


# Fixtures that cost most of a minute to build: every test that uses one runs on the same worker, so
# it is built once per run, not once per worker.
ONE_WORKER_FIXTURES = {"board": "prefect-board"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the xdist_group marks
def pytest_collection_modifyitems(config, items):
    """Keep the tests of an expensive shared fixture on one worker: the session's `board`, and a test
    module's own module-scoped fixtures (a module's tests then run together, as without workers)."""
    for item in items:
        group = next((g for f, g in ONE_WORKER_FIXTURES.items() if f in item.fixturenames), None)
        if group is None and _uses_module_fixture(item):
            group = item.nodeid.split("::")[0]
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
        if getattr(config.option, "loadgroup", False):  # an xdist worker under --dist loadgroup
            _send_group(item)


def _send_group(item) -> None:
    """xdist's scheduler reads a test's group from a `@group` suffix of its id, which xdist 3.8 writes
    in a field pytest 9.2 no longer reads (ids are structured now): write it where pytest reads it."""
    groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                     for m in item.iter_markers("xdist_group")})
    suffix = "@" + "_".join(groups)
    if not groups or item.nodeid.endswith(suffix):
        return
    from _pytest.nodeid import NodeId

    item._id = NodeId.parse(item.nodeid + suffix)


def _uses_module_fixture(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(defs and defs[-1].scope in ("module", "class", "package")
               for name, defs in info.name2fixturedefs.items() if name in item.fixturenames)


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


@contextlib.contextmanager
def pg_schemas(admin, *prefixes: str):
    """Fresh, empty PostgreSQL schemas (one per prefix, a random suffix each) as database URLs,
    dropped afterwards with every engine that used them."""
    import sqlalchemy as sa

    schemas = [f"{p}_{uuid.uuid4().hex[:8]}" for p in prefixes]
    with admin.connect() as c:
        for schema in schemas:
            c.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield [f"{PG_URL}?options=-csearch_path%3D{schema}" for schema in schemas]
    finally:
        from sellerops.storage.engine import dispose_all

        dispose_all()
        with admin.connect() as c:
            for schema in schemas:
                c.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture
def pg_url(pg_admin_engine, monkeypatch):
    """A fresh, empty PostgreSQL schema for one test, as a database URL."""
    with pg_schemas(pg_admin_engine, "t") as (url,):
        yield url


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
