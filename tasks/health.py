"""Account-health steps as Prefect tasks: thin wrappers over `sellerops.health`.

The database steps retry on an operational database error only (tasks.ingest's condition); the
events go through Prefect's own client, which retries by itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from prefect import task
from prefect.cache_policies import NONE
from prefect.events import emit_event

from sellerops.health import procedures
from sellerops.health.levels import Thresholds
from sellerops.storage.engine import session
from tasks.ingest import _transient_db_error

DB = dict(retries=3, retry_delay_seconds=[1, 5, 15], retry_condition_fn=_transient_db_error, cache_policy=NONE,
          persist_result=False, tags=["io:database"])


@task(name="evaluate-account-health", **DB)
def evaluate_account_health(now: dt.datetime, thresholds: Thresholds, windows=None) -> dict:
    """Measure and judge every signal at `now`; record warnings and level changes; read back the board's data."""
    from sellerops.health import service

    with session() as s:
        run = service.run_watch(s, now, thresholds, windows)
        trends = service.trends(s, [(j.signal, j.subject) for j in run.judged])
        return {"run": run, "trends": trends, "warnings": service.warnings(s, thresholds=thresholds),
                "frozen": procedures.frozen_locations(s)}


@task(name="emit-health-events", tags=["io:network", "retries:client"], cache_policy=NONE, persist_result=False)
def emit_health_events(events: list[dict]) -> int:
    """Emit one Prefect event per level change."""
    return sum(emit_event(**e) is not None for e in events)


@task(name="answer-health-warning", **DB)
def answer_health_warning(procedure: str, signal: str, subject: str, now: dt.datetime,
                          settings: procedures.Settings, thresholds: Thresholds,
                          notify_block: Optional[str] = None) -> dict:
    """Run one answering procedure for one warning: record what it proposes or does, ask who must decide."""
    from blocks.escalation import EscalationPolicy

    notify = EscalationPolicy(notify_block=notify_block).notifier() if notify_block else None
    with session() as s:
        return procedures.start(procedure, s, signal, subject, now, settings, notify, thresholds)
