"""One Prefect server for the ops tests, started the way `make up` starts it (sellerops.ops), on a
free loopback port with its own PREFECT_HOME, run folder and secrets folder; and one nightly
reconciliation run through the worker on the demo data, shared by the tests that look at it.

When PostgreSQL is reachable (always under CI) that one board has the shape of a grown-up install:
the Prefect server's database and sellerops' own database (the worker's SELLEROPS_DATABASE_URL) are
two fresh PostgreSQL databases, dropped at the end. Otherwise both are SQLite; `make up`'s SQLite
default has its own small test either way. One server and one nightly run serve every test, because
starting a server and running the night cost most of a minute each on a loaded machine.

The nightly run is configured with known secrets (a webhook notification block whose token is a
SecretDict value, and a SellerAccount block with a refresh token) so that the secrets test can look
for them everywhere the run wrote.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

KNOWN_SECRETS = {
    "webhook_token": "whk-7Q2xS3cr3tT0ken-do-not-log",
    "refresh_token": "Atzr|IwEB-known-refresh-token-9f8e7d",
    "client_secret": "amzn1.oa2-cs.v1.known-client-secret-41c2",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Board:
    cfg: object
    secret: str
    tmp: Path
    # sellerops' database for the worker's runs (None: SQLite under each run's SELLEROPS_HOME)
    sellerops_db_url: str | None = None

    @property
    def prefect_db_url(self) -> str:
        """The server's database, as a synchronous SQLAlchemy URL this process can read."""
        if self.cfg.database_url:
            return self.cfg.database_url.replace("postgresql+asyncpg://", "postgresql+psycopg://", 1)
        return f"sqlite:///{self.tmp / 'prefect-home' / 'prefect.db'}"

    @property
    def api_url(self) -> str:
        return self.cfg.api_url

    @property
    def ui_url(self) -> str:
        return self.cfg.api_url.removesuffix("/api")

    @contextlib.contextmanager
    def client_settings(self):
        """This process talks to the board (the CLI/worker equivalent of the exports `make up` prints)."""
        from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

        with temporary_settings({PREFECT_API_URL: self.api_url, PREFECT_API_AUTH_STRING: self.secret}):
            yield


def start_board(tmp: Path, sellerops_db_url: str | None = None, **cfg_kwargs) -> Board:
    from sellerops.ops import OpsConfig, auth_secret, down, up

    # The worker polls every second and claims runs due within 1s, so a test's run starts at once.
    env = {"PREFECT_HOME": str(tmp / "prefect-home"), "SELLEROPS_HOME": str(tmp / "worker-home"),
           "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "1",
           "PREFECT_LOGGING_LEVEL": "INFO"}
    if sellerops_db_url:
        env["SELLEROPS_DATABASE_URL"] = sellerops_db_url
    env.update(cfg_kwargs.pop("env", {}))
    cfg = OpsConfig(run_dir=tmp / "run", secrets_dir=tmp / "secrets", port=free_port(), env=env, **cfg_kwargs)
    try:
        up(cfg, quiet=True)
    except BaseException:
        down(cfg, quiet=True)
        raise
    return Board(cfg, auth_secret(cfg), tmp, sellerops_db_url)


def _pg_admin():
    """An AUTOCOMMIT engine on the test PostgreSQL server, or None when it is not reachable."""
    import sqlalchemy as sa

    from tests.conftest import PG_URL

    engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.execute(sa.text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure to connect means "use SQLite"
        engine.dispose()
        return None
    return engine


@contextlib.contextmanager
def fresh_pg_databases(*purposes: str):
    """One fresh database per purpose on the test server, as plain URLs (None when unreachable); dropped after."""
    import sqlalchemy as sa

    from tests.conftest import PG_URL

    admin = _pg_admin()
    if admin is None:
        yield None
        return
    names = [f"sellerops_t_{p}_{uuid.uuid4().hex[:8]}" for p in purposes]
    base = sa.engine.make_url(PG_URL)
    try:
        for name in names:
            with admin.connect() as c:
                c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield [base.set(database=n).render_as_string(hide_password=False) for n in names]
    finally:
        from sellerops.storage.engine import dispose_all

        dispose_all()
        for name in names:
            with admin.connect() as c:  # FORCE: a crashed run may still hold a connection
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def board(tmp_path_factory):
    from sellerops.ops import down

    with fresh_pg_databases("prefect", "data") as urls:
        kwargs = {}
        if urls:
            prefect_url, data_url = urls
            kwargs = {"database_url": prefect_url.replace("postgresql://", "postgresql+asyncpg://", 1),
                      "sellerops_db_url": data_url}
        b = start_board(tmp_path_factory.mktemp("board"), **kwargs)
        try:
            yield b
        finally:
            down(b.cfg, quiet=True)


class _Hook(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        _Hook.received.append(self.path.encode() + b" " + body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture(scope="session")
def webhook():
    """A local receiver for the notification block: proves the flow really used the secret."""
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Hook.received
    server.shutdown()
    server.server_close()


@dataclass
class NightlyRun:
    flow_run: object
    demo: object
    home: Path
    db_url: str  # where the run stored its findings


def run_nightly(board: Board, demo_dir: Path, home: Path, env: dict | None = None):
    """The deployment from prefect.yaml, run through the board's worker, waited for to its end."""
    from prefect.deployments import run_deployment

    with board.client_settings():
        return run_deployment("nightly-reconciliation/nightly-reconciliation",
                              parameters={"inbox": str(demo_dir / "reports")},
                              job_variables={"env": {"SELLEROPS_HOME": str(home), **(env or {})}},
                              timeout=900, poll_interval=1)


@pytest.fixture(scope="session")
def nightly_run(board, webhook, tmp_path_factory) -> NightlyRun:
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    from blocks.reconciliation import ReconciliationPolicy
    from blocks.seller_account import SellerAccount
    from sellerops.demo import write_demo_data

    tmp = tmp_path_factory.mktemp("nightly")
    demo = write_demo_data(tmp / "demo", orders_per_day=20, days=60, seed=11)
    url, _ = webhook
    with board.client_settings():
        CustomWebhookNotificationBlock(
            name="sellerops", url=url, json_data={"text": "{{body}}", "token": "{{token}}"},
            secrets={"token": KNOWN_SECRETS["webhook_token"]},
        ).save("board-alerts", overwrite=True)
        ReconciliationPolicy(notify_block="custom-webhook/board-alerts", notify_threshold=0).save(
            "with-alerts", overwrite=True)
        SellerAccount(name="default", refresh_token=KNOWN_SECRETS["refresh_token"], lwa_app_id="amzn1.app.test",
                      lwa_client_secret=KNOWN_SECRETS["client_secret"]).save("default", overwrite=True)
    home = tmp / "home"
    fr = run_nightly(board, demo.out, home, env={"SELLEROPS_POLICY_BLOCK": "with-alerts"})
    return NightlyRun(fr, demo, home, board.sellerops_db_url or f"sqlite:///{home / 'sellerops.db'}")


@pytest.fixture(scope="session")
def quarantined_run(board, tmp_path_factory):
    """A night whose only new file is a truncated settlement: it is quarantined, and the run says so."""
    import shutil

    tmp = tmp_path_factory.mktemp("quarantined")
    (tmp / "reports").mkdir()
    data = Path(__file__).resolve().parents[1] / "sellerops" / "reports" / "data"
    shutil.copy(data / "settlement_truncated.txt", tmp / "reports" / "settlement_truncated.txt")
    return run_nightly(board, tmp, tmp / "home")


def table_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of a database (SQLite or PostgreSQL), by table name."""
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as c:
            return {t: [tuple(r) for r in c.execute(sa.text(f'SELECT * FROM "{t}"'))]
                    for t in sa.inspect(c).get_table_names()}
    finally:
        engine.dispose()


def open_findings(url: str) -> list[tuple[str, int]]:
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as c:
            return sorted(tuple(r) for r in c.execute(sa.text(
                "SELECT kind, amount_cents FROM finding WHERE status = 'open'")))
    finally:
        engine.dispose()


def expected_findings(demo) -> list[dict]:
    return [json.loads(line) for line in demo.expected_findings.read_text().splitlines()]
