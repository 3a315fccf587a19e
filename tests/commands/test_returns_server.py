"""`sellerops returns run` with a Prefect server in use (the session's test harness, reached through
PREFECT_API_URL as `make up`'s server is): each request waiting for a person gets a `return-decision`
run whose form waits on the board, as the hourly deployment's do. No worker runs here, so the form
runs stay scheduled; that they suspend on their form once a worker picks them up is the flow's test
(tests/flows/test_returns.py) and the real server's."""

from __future__ import annotations

import os
import subprocess
from uuid import UUID

import pytest

from tests.commands.test_returns import BIN
from tests.sellerops.returns.files import RMA_HEADER, rma_line, write

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _run(*args):
    from prefect.settings import get_current_settings

    env = {**os.environ, "PREFECT_API_URL": get_current_settings().api.url}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=600)


def _decision_runs() -> dict[str, dict]:
    """The return-decision runs on the server, by their RMA and SKU."""
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["return-decision"])))
    return {f"{r.parameters['rma_id']} {r.parameters['sku']}": {"id": str(r.id), "tags": r.tags} for r in runs}


def test_run_on_a_server_starts_a_form_run_per_request_waiting(tmp_path, sellerops_home):
    from flows.returns import return_decision
    from sellerops.returns import service

    write(tmp_path / "rma.txt", RMA_HEADER + [""], [
        rma_line("111-0000001-0000001", "SAUTO", "MUG-BLUE"),  # in policy, small: authorised, no form
        rma_line("111-0000002-0000002", "SBIG", "LAMP", amount="180.00"),  # over the value limit: a person
        rma_line("111-0000003-0000003", "SOUT", "MUG-BLUE", in_policy="N")])  # out of policy: a person
    assert _run("ingest", str(tmp_path / "rma.txt")).returncode == 0

    # a server without the return-decision deployment: said once, the decisions stay owed, no traceback
    p = _run("returns", "run", "--now", "2025-07-12T08:00:00Z")
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr and p.stderr.count("no return-decision/return-decision deployment") == 1
    assert service.without_form() == [("SBIG", "LAMP"), ("SOUT", "MUG-BLUE")]

    return_decision.to_deployment(name="return-decision").apply()
    p = _run("returns", "run", "--now", "2025-07-12T09:00:00Z")
    assert p.returncode == 0, p.stderr
    assert "2 decision forms waiting on the board" in p.stdout
    runs = _decision_runs()
    assert sorted(runs) == ["SBIG LAMP", "SOUT MUG-BLUE"]  # the auto-authorised one has none
    assert "SBIG" in runs["SBIG LAMP"]["tags"]  # the board filters a request's runs by its RMA
    assert service.form_runs("SBIG") == [runs["SBIG LAMP"]["id"]]  # linked: `returns decide` wakes it
    assert service.without_form() == []

    # a rerun starts no second form for a request that has one
    p = _run("returns", "run", "--now", "2025-07-12T10:00:00Z")
    assert p.returncode == 0 and "decision forms" not in p.stdout
    assert len(_decision_runs()) == 2

    # answered on the command line: recorded; its form run (not paused, no worker here) is left to read it
    p = _run("returns", "decide", "SOUT", "--reject", "--note", "worn", "--by", "kim")
    assert p.returncode == 0, p.stderr
    assert "SOUT MUG-BLUE: rejected by kim" in p.stdout and "warning" not in p.stderr
    assert UUID(service.form_runs("SOUT")[0])
