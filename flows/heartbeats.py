"""Flow runs' heartbeats, which the Prefect server's zombie detection watches.

Prefect (3.9) gives every flow run a heartbeat thread (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, 180 s by
default). The thread sleeps in whole seconds, and the synchronous engine joins it when the run ends,
so each run's end waits up to a second for it (docs/benchmarks.md has the nightly's figures). Two
changes, neither of which loses a heartbeat the server would see:

- `end_without_join`: a run ends without joining its thread, as Prefect's asynchronous engine already
  does. The stop is signalled all the same; the thread sees it within a second, sends nothing more
  and exits. It is a daemon thread, so it never holds the process open.
- `on_parents_heartbeat`: a subflow runs in its parent's process, whose own heartbeats already tell
  the server that the process is alive, so a subflow called inside starts no thread of its own.
  Should the process die, the parent run is the one zombie detection marks Crashed. A flow called
  outside any flow run is a run of its own and keeps its heartbeats.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import prefect.flow_engine as _engine
from prefect.context import FlowRunContext
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

_prefects_send_heartbeats = _engine._send_heartbeats


def _send_heartbeats_unjoined(engine: Any, join_on_exit: bool = True):
    return _prefects_send_heartbeats(engine, join_on_exit=False)


def end_without_join() -> None:
    """Flow runs of this process end without waiting for their heartbeat thread to wake."""
    _engine._send_heartbeats = _send_heartbeats_unjoined


@contextmanager
def on_parents_heartbeat() -> Iterator[None]:
    """Flows called inside, when this is a flow run, run without a heartbeat thread of their own."""
    if FlowRunContext.get() is None:
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
