"""Subflows run on their parent's heartbeat (flows/subflows.py): the nightly's ingestion starts no
heartbeat thread of its own, whose join cost its end up to a second, while the top-level run keeps
its heartbeats. Prefect's own `_send_heartbeats` is wrapped to record, run by run, the interval each
flow run engine started with (None: no thread); the engine itself runs unchanged."""

from __future__ import annotations

import pytest
from prefect import flow

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def heartbeats(monkeypatch):
    import prefect.flow_engine as engine

    started: list[tuple[str, int | None]] = []
    real = engine._send_heartbeats

    def recording(run_engine, *args, **kwargs):
        started.append((run_engine.flow.name, run_engine.heartbeat_seconds))
        return real(run_engine, *args, **kwargs)

    monkeypatch.setattr(engine, "_send_heartbeats", recording)
    return started


@flow(name="child-flow", persist_result=False)
def child() -> int:
    return 1


@flow(name="parent-flow", persist_result=False)
def parent() -> int:
    from flows.subflows import on_parents_heartbeat

    plain = child()
    with on_parents_heartbeat():
        return plain + child()


def test_a_subflow_called_on_its_parents_heartbeat_starts_no_thread_and_the_parent_keeps_its_own(heartbeats):
    from prefect.settings import get_current_settings

    interval = get_current_settings().flows.heartbeat_frequency
    assert interval  # Prefect's default: heartbeats on
    assert parent() == 2
    assert heartbeats == [("parent-flow", interval), ("child-flow", interval), ("child-flow", None)]


def test_outside_a_flow_run_a_flow_keeps_its_heartbeats(heartbeats):
    from flows.subflows import on_parents_heartbeat

    with on_parents_heartbeat():
        assert child() == 1
    assert heartbeats == [("child-flow", heartbeats[0][1])] and heartbeats[0][1]


def test_the_nightly_ingestion_runs_on_the_nightlys_heartbeat(heartbeats, tmp_path):
    from flows.nightly import nightly_reconciliation

    (tmp_path / "inbox").mkdir()
    nightly_reconciliation(inbox=str(tmp_path / "inbox"))
    runs = dict(heartbeats)
    assert runs["nightly-reconciliation"] and runs["ingest-reports"] is None, heartbeats
