"""The board `make up` starts: authentication on, the deployments from prefect.yaml runnable through
the worker to completion, and no secret leaking into logs, artifacts or database rows."""

from __future__ import annotations

import datetime as dt
import stat
from decimal import Decimal

import pytest

from tests.ops.conftest import KNOWN_SECRETS, expected_findings, open_findings, table_rows

pytestmark = pytest.mark.slow


def test_a_request_without_the_auth_string_is_refused(board):
    from sellerops.ops import api_request

    # The health probe stays open (so `up` and load balancers can wait for it); the API does not.
    assert api_request(board.api_url, "/health", None) == 200
    assert api_request(board.api_url, "/flows/filter", None, "POST", {}) == 401
    assert api_request(board.api_url, "/flows/filter", board.secret + "x", "POST", {}) == 401
    assert api_request(board.api_url, "/flows/filter", board.secret, "POST", {}) == 200


def test_the_secret_lives_outside_the_repo_readable_only_by_its_owner(board):
    from sellerops.ops import PROJECT_DIR

    path = board.cfg.secrets_dir / "prefect-auth"
    assert path.read_text().strip() == board.secret and len(board.secret) > 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PROJECT_DIR not in path.resolve().parents


def test_up_twice_reuses_the_server_and_worker(board):
    import dataclasses

    from sellerops.ops import alive, healthy, read_state, up

    before = read_state(board.cfg)
    after = up(dataclasses.replace(board.cfg, deploy=False), quiet=True)
    assert (after["server"]["pid"], after["worker"]["pid"]) == (before["server"]["pid"], before["worker"]["pid"])
    assert alive(after["server"]["pid"]) and alive(after["worker"]["pid"]) and healthy(board.api_url)


def test_make_up_defaults_to_sqlite_and_make_down_stops_exactly_what_it_started(tmp_path):
    from sellerops.ops import alive, down, healthy, read_state
    from tests.ops.conftest import start_board

    # The session board may be on PostgreSQL; `make up`'s default keeps the server's database in SQLite.
    b = start_board(tmp_path, database_url=None, deploy=False)
    try:
        state = read_state(b.cfg)
        assert healthy(b.api_url) and alive(state["server"]["pid"]) and alive(state["worker"]["pid"])
        assert (tmp_path / "prefect-home" / "prefect.db").exists()
        from sellerops.ops import api_request

        assert api_request(b.api_url, "/work_pools/sellerops", None) == 401
        assert api_request(b.api_url, "/work_pools/sellerops", b.secret) == 200
    finally:
        stopped = down(b.cfg, quiet=True)
    assert sorted(stopped) == sorted([f"worker (pid {state['worker']['pid']})", f"server (pid {state['server']['pid']})"])
    assert not alive(state["server"]["pid"]) and not alive(state["worker"]["pid"]) and not healthy(b.api_url)
    assert not b.cfg.pids_file.exists()


def test_make_up_deployed_everything_in_prefect_yaml(board):
    import yaml
    from prefect.client.orchestration import get_client

    from sellerops.ops import PROJECT_DIR

    names = {d["name"] for d in yaml.safe_load((PROJECT_DIR / "prefect.yaml").read_text())["deployments"]}
    with board.client_settings(), get_client(sync_client=True) as client:
        deployed = {d.name: d for d in client.read_deployments()}
        assert client.read_work_pool("sellerops").type == "process"
        assert client.read_block_document_by_name("default", "reconciliation-policy")
    assert names <= set(deployed)
    assert all(deployed[n].work_pool_name == "sellerops" for n in names)


def test_nightly_deployment_runs_through_the_worker_to_completion(nightly_run):
    fr = nightly_run.flow_run
    assert fr.state.is_completed(), fr.state
    expected = expected_findings(nightly_run.demo)
    found = open_findings(nightly_run.db_url)
    assert found == sorted((e["kind"], int(Decimal(e["amount"]) * 100)) for e in expected)


def test_the_runs_board_artifacts_are_published(board, nightly_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with board.client_settings(), get_client(sync_client=True) as client:
        arts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[nightly_run.flow_run.id])))
    by_key = {a.key: a for a in arts}
    assert {"reconciliation-summary", "open-findings", "validation-results"} <= set(by_key)
    table = by_key["open-findings"].data  # a markdown table: deadline first, amounts right-aligned
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| deadline")
            and not line.startswith("| **Total**")]
    # the demo's dates are fixed: a finding whose claim window has since closed is lost, not open
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    still_open = {e["kind"] for e in expected_findings(nightly_run.demo)
                  if not e.get("claim_window_closes") or e["claim_window_closes"] >= today}
    assert {r.split(" | ")[3] for r in rows} == still_open
    assert "| deadline | days left | amount |" in table and "| **Total** |" in table


def _everything_the_run_wrote(board, nightly_run) -> dict[str, str]:
    """Every log line of the run, every artifact, every row of sellerops' and Prefect's databases."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, LogFilter, LogFilterFlowRunId

    fr_id = nightly_run.flow_run.id
    out: dict[str, str] = {}
    with board.client_settings(), get_client(sync_client=True) as client:
        logs, offset = [], 0
        while batch := client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[fr_id])), offset=offset):
            logs += batch
            offset += len(batch)
        arts = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[fr_id])))
    assert logs, "the run logged nothing: the log check would prove nothing"
    out["logs"] = "\n".join(f"{x.level} {x.name} {x.message}" for x in logs)
    out["artifacts"] = "\n".join(f"{a.key} {a.description} {a.data}" for a in arts)
    for name, url in (("sellerops db", nightly_run.db_url), ("prefect db", board.prefect_db_url)):
        out[name] = "\n".join(f"{table} {row}" for table, rows in table_rows(url).items() for row in rows)
    for log in (board.cfg.run_dir).glob("*.log"):
        out[log.name] = log.read_text(errors="replace")
    return out


def test_no_secret_appears_in_logs_artifacts_or_database_rows(board, nightly_run, webhook):
    _, received = webhook
    # The run did use the webhook secret (the notification carried it), so its absence below means something.
    assert any(KNOWN_SECRETS["webhook_token"].encode() in r for r in received)
    written = _everything_the_run_wrote(board, nightly_run)
    # Rows of the tables where a leak would land, so that finding no secret there means something.
    assert "\nblock_document " in "\n" + written["prefect db"] and "\nfinding " in "\n" + written["sellerops db"]
    leaks = [(where, name) for where, text in written.items() for name, secret in KNOWN_SECRETS.items()
             if secret in text]
    leaks += [(where, "auth string") for where, text in written.items() if board.secret in text]
    assert leaks == []
