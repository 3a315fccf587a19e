"""A takedown on the board `make up` starts: each tier waits suspended in a run of its own (no worker
held), survives a worker restart, and is answered the UI's way (the API its form posts to) or on
the command line's side; the incident then completes."""

from __future__ import annotations

import dataclasses
import signal
import uuid
from uuid import UUID

import pytest

from tests.flows.test_takedown import until

pytestmark = pytest.mark.slow
WAIT = 600  # seconds a step may take on a loaded machine before the test gives up (not an assertion)


def _until(what, check):
    return until(what, check, wait=WAIT, every=1)


def _states(client, run_ids):
    return {n: client.read_flow_run(UUID(r)).state for n, r in run_ids.items()}


def test_a_waiting_tier_survives_a_worker_restart_and_is_answered_through_the_api(board, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    from sellerops import incidents
    from sellerops.incidents import service
    from sellerops.ops import alive, api_request, read_state, up
    from sellerops.storage.engine import session
    from tasks.incidents import wake_tier_run

    # the worker's runs use the board's sellerops database; so does this test
    monkeypatch.setenv("SELLEROPS_DATABASE_URL",
                       board.sellerops_db_url or f"sqlite:///{board.tmp / 'worker-home' / 'sellerops.db'}")
    sku = f"SKU-{uuid.uuid4().hex[:6]}"
    with board.client_settings():
        fr = run_deployment("listing-takedown/listing-takedown", timeout=WAIT, poll_interval=1,
                            parameters={"request": {"sku": sku, "asin": "B0BOARD", "reason": "IP complaint"}})
    assert fr.state.is_completed(), fr.state  # the takedown starts its tiers and ends: it never waits for them

    def tier_runs():
        with session() as s:
            inc = [i for i in incidents.list_incidents(s, "open") if i.sku == sku][0]
            return incidents.incident_id(inc.id), {n: incidents.tier_of(s, inc, n)[0].run_id for n in (1, 2, 3)}

    incident, runs = tier_runs()
    with board.client_settings(), get_client(sync_client=True) as client:
        _until("three suspended tier runs", lambda: all(s and s.is_paused() for s in _states(client, runs).values()))
        assert {s.name for s in _states(client, runs).values()} == {"Suspended"}

    # the worker stops while the tiers wait, and starts again
    worker = read_state(board.cfg)["worker"]
    import os

    # as `make down` stops it: SIGTERM, then SIGKILL when its graceful shutdown lingers (the waiting tiers
    # hold no process, so either way nothing of theirs dies with it)
    os.killpg(worker["pgid"], signal.SIGTERM)
    import time

    deadline = time.monotonic() + 20
    while alive(worker["pid"]) and time.monotonic() < deadline:
        time.sleep(0.5)
    if alive(worker["pid"]):
        os.killpg(worker["pgid"], signal.SIGKILL)
    _until("the worker to stop", lambda: not alive(worker["pid"]))
    restarted = up(dataclasses.replace(board.cfg, deploy=False), quiet=True)["worker"]
    assert restarted["pid"] != worker["pid"] and alive(restarted["pid"])

    # tier 1 and tier 3 answered as the UI's form does it; tier 2 on the command line's side
    for tier, form in ((1, {"approve": True, "poa_markdown": "# POA", "by": "cs"}),
                       (3, {"confirm": True, "backup_sku": f"{sku}-B", "by": "ops"})):
        status = api_request(board.api_url, f"/flow_runs/{runs[tier]}/resume", board.secret, "POST",
                             {"run_input": form})
        assert status in (200, 201), status
    with session() as s:
        incidents.answer_tier(s, incidents.get(s, incident), 2, decision="appeal", by="lee")
        s.commit()
    with board.client_settings():
        assert wake_tier_run(runs[2])

    with board.client_settings(), get_client(sync_client=True) as client:
        _until("the tier runs to complete", lambda: all(s.is_completed() for s in _states(client, runs).values()))
    j = service.incident_summary(incident)
    assert [(t["state"], t["answered_by"]) for t in j["tiers"]] == [("done", "cs"), ("done", "lee"), ("done", "ops")]
    assert j["appeal"]["allowed"]


def test_the_cli_starts_the_deployment_and_its_answer_wakes_the_waiting_tier(board, tmp_path):
    """`sellerops incident takedown` with a server in use returns at once with the run's URL; an
    `incident answer` on the command line completes the tier's suspended run."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from prefect.client.orchestration import get_client

    from sellerops.ops import client_env

    db_url = board.sellerops_db_url or f"sqlite:///{board.tmp / 'worker-home' / 'sellerops.db'}"
    env = {**client_env(board.cfg, board.secret), "SELLEROPS_DATABASE_URL": db_url,
           "SELLEROPS_HOME": str(tmp_path / "home")}
    sellerops = str(Path(sys.executable).parent / "sellerops")
    sku = f"SKU-{uuid.uuid4().hex[:6]}"

    def cli(*args):
        return subprocess.run([sellerops, *args], capture_output=True, text=True, env=env, timeout=WAIT)

    p = cli("incident", "takedown", "--sku", sku, "--asin", "B0CLI", "--marketplace", "Amazon.com",
            "--reason", "Authenticity claim", "--format", "json")
    assert p.returncode == 0, p.stderr
    started = json.loads(p.stdout)
    assert started["created"] and started["run_url"].startswith(board.ui_url + "/runs/flow-run/")
    again = json.loads(cli("incident", "takedown", "--sku", sku, "--asin", "B0CLI", "--marketplace", "Amazon.com",
                           "--reason", "Authenticity claim", "--format", "json").stdout)
    assert (again["incident"], again["created"]) == (started["incident"], False)

    def tier_run(n):
        j = json.loads(cli("incident", "show", started["incident"], "--format", "json").stdout)
        return j["tiers"][n - 1]["state"] == "waiting_input" and _tier_run_id(db_url, started["incident"], n)

    run_id = _until("tier 3 waiting in its run", lambda: tier_run(3))
    with board.client_settings(), get_client(sync_client=True) as client:
        _until("tier 3 suspended", lambda: client.read_flow_run(UUID(run_id)).state.is_paused())
        p = cli("incident", "answer", started["incident"], "--tier", "3", "--confirm", "--backup-sku", f"{sku}-B",
                "--by", "ops")
        assert p.returncode == 0, p.stderr
        _until("tier 3's run to complete", lambda: client.read_flow_run(UUID(run_id)).state.is_completed())
    j = json.loads(cli("incident", "show", started["incident"], "--format", "json").stdout)
    assert (j["tiers"][2]["state"], j["tiers"][2]["answered_by"]) == ("done", "ops")
    # closing wakes the runs still waiting for tiers 1 and 2: they read that it is closed and end
    others = [_tier_run_id(db_url, started["incident"], n) for n in (1, 2)]
    with board.client_settings(), get_client(sync_client=True) as client:
        _until("tiers 1 and 2 suspended", lambda: all(client.read_flow_run(UUID(r)).state.is_paused() for r in others))
        p = cli("incident", "close", started["incident"], "--outcome", "removal_accepted")
        assert p.returncode == 0, p.stderr
        _until("the closed incident's tier runs to end",
               lambda: all(client.read_flow_run(UUID(r)).state.is_completed() for r in others))


def _tier_run_id(db_url: str, incident: str, tier: int) -> str | None:
    import sqlalchemy as sa

    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as c:
            return c.execute(sa.text("SELECT run_id FROM incident_tier WHERE incident_id = :i AND tier = :t"),
                             {"i": int(incident.removeprefix("INC-")), "t": tier}).scalar()
    finally:
        engine.dispose()
