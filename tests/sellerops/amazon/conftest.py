"""Fixtures for the Amazon sources: a local SP-API server (started once) and a source pointed at it."""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

# tests/spapi_server.py is shared test infrastructure, loaded by path so it works whether or not
# `tests` is a package.
_spec = importlib.util.spec_from_file_location("spapi_server", Path(__file__).parents[2] / "spapi_server.py")
spapi_server = importlib.util.module_from_spec(_spec)
sys.modules["spapi_server"] = spapi_server
_spec.loader.exec_module(spapi_server)


@pytest.fixture(scope="session")
def spapi_http():
    """The fake SP-API served by uvicorn on a free loopback port, in a thread, for the whole session."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = spapi_server.create_app()
    app.state.fake.base_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake SP-API server did not start within 10 s")
        time.sleep(0.01)
    yield app.state.fake
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
def fake(spapi_http):
    """The server's state, reset for this test."""
    spapi_http.reset()
    yield spapi_http
    spapi_http.reset()


@pytest.fixture
def fast_policy():
    from sellerops.amazon.pacing import PacingPolicy

    # Tiny waits: a test never sleeps more than a few hundredths of a second at a time.
    return PacingPolicy(max_attempts=4, backoff_base=0.005, backoff_cap=0.02, poll_interval=0.01, poll_timeout=0.3)


@pytest.fixture
def make_source(fake, fast_policy):
    """Build an SpApiSource aimed at the fake server (endpoint + LWA endpoint hooks only), with the log
    redaction installed as the edges that start a pull install it."""
    from sellerops.amazon.redact import install_redaction
    from sellerops.amazon.spapi import SpApiCredentials, SpApiSource

    made = []

    def _make(**overrides):
        kwargs = dict(
            account="acme-us",
            credentials=SpApiCredentials(
                refresh_token=spapi_server.REFRESH_TOKEN,
                lwa_app_id=spapi_server.LWA_APP_ID,
                lwa_client_secret=spapi_server.LWA_CLIENT_SECRET,
            ),
            marketplaces=["US"],
            endpoint=fake.base_url,
            lwa_endpoint=f"{fake.base_url}/auth/o2/token",
            seller_id="A1SELLER",
            policy=fast_policy,
            pacer=lambda operation: None,
        )
        kwargs.update(overrides)
        source = SpApiSource(**kwargs)
        install_redaction(source.secrets())
        made.append(source)
        return source

    yield _make
    for source in made:
        source.close()
