"""Calling a flow from another flow, in the caller's process.

Prefect (3.9) gives every flow run a heartbeat thread (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, 180 s by
default), which the server's zombie detection watches, and joins it when the run ends. The thread
sleeps in whole seconds, so each run's end waits up to a second for it (docs/benchmarks.md has the
nightly's figures). A subflow runs in its parent's process, whose own heartbeats already
tell the server that the process is alive, so a subflow called here starts no thread of its own.
Should the process die, the parent run is the one zombie detection marks Crashed. A flow called
outside any flow run is a run of its own and keeps its heartbeats.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from prefect.context import FlowRunContext
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings


@contextmanager
def on_parents_heartbeat() -> Iterator[None]:
    """Flows called inside, when this is a flow run, run without a heartbeat thread of their own."""
    if FlowRunContext.get() is None:
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
