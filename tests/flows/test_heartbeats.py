"""Flow runs' heartbeats (flows/heartbeats.py). A run ends without joining its heartbeat thread,
which still stops by itself; subflows run on their parent's heartbeat: the nightly's ingestion
starts no heartbeat thread of its own, while the top-level run keeps its heartbeats. Prefect's own
`_send_heartbeats` is wrapped to record, run by run, the interval each flow run engine started with
(None: no thread); the engine itself runs unchanged."""

from __future__ import annotations

import threading

import pytest
from prefect import flow

import flows  # noqa: F401  (importing the package ends flow runs without the join, as in use)

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
    from flows.heartbeats import on_parents_heartbeat

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
    from flows.heartbeats import on_parents_heartbeat

    with on_parents_heartbeat():
        assert child() == 1
    assert heartbeats == [("child-flow", heartbeats[0][1])] and heartbeats[0][1]


def test_the_nightly_ingestion_runs_on_the_nightlys_heartbeat(heartbeats, tmp_path):
    from flows.nightly import nightly_reconciliation

    (tmp_path / "inbox").mkdir()
    nightly_reconciliation(inbox=str(tmp_path / "inbox"))
    runs = dict(heartbeats)
    assert runs["nightly-reconciliation"] and runs["ingest-reports"] is None, heartbeats


def _heartbeat_threads() -> list[threading.Thread]:
    # Prefect starts the loop through a copied context: Thread(target=ctx.run, args=(heartbeat_loop,))
    return [t for t in threading.enumerate() if getattr(t, "_args", None)
            and getattr(t._args[0], "__name__", "") == "heartbeat_loop"]


def test_a_flow_run_ends_without_waiting_for_its_heartbeat_thread_which_stops_by_itself():
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    before = set(_heartbeat_threads())
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 30}):
        assert child() == 1
    left = [t for t in _heartbeat_threads() if t not in before]
    # Prefect's own end joins the thread: none would be left running when the run returns
    assert len(left) == 1 and left[0].is_alive() and left[0].daemon, left
    left[0].join(timeout=5)
    assert not left[0].is_alive()  # the stop was signalled: it wakes within a second and exits
