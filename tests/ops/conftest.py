"""One Prefect server for the ops tests, started the way `make up` starts it (sellerops.ops), on a
free loopback port with its own PREFECT_HOME, run folder and secrets folder; and one nightly
reconciliation run through the worker on the demo data, shared by the tests that look at it.

The nightly run is configured with known secrets (a webhook notification block whose token is a
SecretDict value, and a SellerAccount block with a refresh token) so that the secrets test can look
for them everywhere the run wrote.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
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


def start_board(tmp: Path, **cfg_kwargs) -> Board:
    from sellerops.ops import OpsConfig, auth_secret, down, up

    env = {"PREFECT_HOME": str(tmp / "prefect-home"), "SELLEROPS_HOME": str(tmp / "worker-home"),
           "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_LOGGING_LEVEL": "INFO"}
    env.update(cfg_kwargs.pop("env", {}))
    cfg = OpsConfig(run_dir=tmp / "run", secrets_dir=tmp / "secrets", port=free_port(), env=env, **cfg_kwargs)
    try:
        up(cfg, quiet=True)
    except BaseException:
        down(cfg, quiet=True)
        raise
    return Board(cfg, auth_secret(cfg), tmp)


@pytest.fixture(scope="session")
def board(tmp_path_factory):
    from sellerops.ops import down

    b = start_board(tmp_path_factory.mktemp("board"))
    yield b
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
    return NightlyRun(fr, demo, home)


def expected_findings(demo) -> list[dict]:
    return [json.loads(line) for line in demo.expected_findings.read_text().splitlines()]
