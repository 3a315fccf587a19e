"""Thin Prefect tasks over the Amazon source, paced by Prefect global rate limits.

Each SP-API operation has a global rate limit named `spapi:<operation>` (slots = Amazon's burst,
decay = its steady rate), so every worker and every concurrent pull shares Amazon's pace. A limit
missing on the server is created once with Amazon's documented plan (an operator's own settings are
never overwritten); when the server cannot hold limits at all, the pace falls back to an in-process
token bucket — quietly, once, not a warning per request. Retries sit on the network steps; a report
Amazon has decided about (FATAL, or still queued past the limit) is not retried here.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from sellerops.amazon.source import FetchedReport, ReportFailed, ReportTimedOut, SettlementRef
from sellerops.amazon.pacing import LocalPacer, limit_name, rate_for

log = logging.getLogger("sellerops.tasks.spapi")

_lock = threading.Lock()
_limit_ready: dict[str, bool] = {}


def ensure_rate_limit(operation: str) -> bool:
    """Make sure the global rate limit of `operation` exists (create it when missing). False if impossible."""
    name = limit_name(operation)
    with _lock:
        if name in _limit_ready:
            return _limit_ready[name]
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    plan = rate_for(operation)
    try:
        with get_client(sync_client=True) as client:
            try:
                client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                try:
                    client.create_global_concurrency_limit(
                        GlobalConcurrencyLimitCreate(name=name, limit=plan.burst, slot_decay_per_second=plan.per_second)
                    )
                except ObjectAlreadyExists:  # another worker created it meanwhile
                    pass
        ready = True
    except Exception as exc:  # no server, no permission: pace locally instead
        log.debug("global rate limit %s unavailable (%s); pacing in-process", name, exc)
        ready = False
    with _lock:
        _limit_ready[name] = ready
    return ready


ENV_RATE_LIMITS = "SELLEROPS_SPAPI_RATE_LIMITS"


class PrefectPacer:
    """Before each SP-API request, take a slot of the operation's global rate limit (or a local token).

    `SELLEROPS_SPAPI_RATE_LIMITS=local` keeps the pace in-process (one worker, or a Prefect server
    whose database is too busy to answer quickly); the default `global` shares it across workers.
    """

    def __init__(self, timeout_seconds: float | None = None, mode: str | None = None) -> None:
        self._local = LocalPacer()
        self._timeout = timeout_seconds
        self.mode = (mode or os.environ.get(ENV_RATE_LIMITS) or "global").strip().lower()
        if self.mode not in ("global", "local"):
            raise ValueError(f"{ENV_RATE_LIMITS}: expected 'global' or 'local', found {self.mode!r}")

    def __call__(self, operation: str) -> None:
        if self.mode == "local" or not ensure_rate_limit(operation):
            self._local(operation)
            return
        from prefect.concurrency.sync import rate_limit

        try:
            # strict: a limit deleted under us raises instead of logging a warning per request.
            rate_limit(limit_name(operation), timeout_seconds=self._timeout, strict=True)
        except TimeoutError:
            raise
        except Exception as exc:
            log.debug("global rate limit %s failed (%s); pacing in-process from now on", limit_name(operation), exc)
            with _lock:
                _limit_ready[limit_name(operation)] = False
            self._local(operation)


def _retry_unless_amazon_decided(task: Any, task_run: Any, state: Any) -> bool:
    """Retry network faults, not a report Amazon failed or has not started (a retry changes nothing)."""
    try:
        exc = state.result(raise_on_failure=False)
    except Exception:  # pragma: no cover - unreadable state: let the retry policy decide
        return True
    return not isinstance(exc, (ReportFailed, ReportTimedOut, ValueError))


@task(name="list-settlements", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def list_settlements(source, since: dt.datetime) -> list[SettlementRef]:
    """List the settlement reports Amazon generated since `since` (never requested)."""
    return source.list_settlements(since)


@task(name="fetch-settlement", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE)
def fetch_settlement(source, ref: SettlementRef) -> FetchedReport:
    """Download one listed settlement document."""
    return source.fetch_settlement(ref)


@task(name="request-report", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE,
      retry_condition_fn=_retry_unless_amazon_decided)  # fmt: skip
def request_report(source, report_type: str, start: dt.datetime | None, end: dt.datetime | None) -> str:
    """createReport for one window; returns the report id."""
    return source.request_report(report_type, start, end)


@task(name="await-report", retries=2, retry_delay_seconds=[2, 10], cache_policy=NO_CACHE,
      retry_condition_fn=_retry_unless_amazon_decided)  # fmt: skip
def await_report(source, report_type: str, report_id: str, start: dt.datetime | None, end: dt.datetime | None) -> FetchedReport:
    """Poll a report to its end and download its document (CANCELLED = no data)."""
    return source.await_report(report_type, report_id, start, end)


@task(name="save-document", cache_policy=NO_CACHE)
def save_document(report: FetchedReport, folder: Path, name: str) -> Path:
    """Write a document's raw bytes to `folder/name` atomically; an existing file is kept as is."""
    target = folder / name
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.partial"
    partial.write_bytes(report.read_bytes())
    os.replace(partial, target)
    return target


@task(name="hand-to-ingestion", retries=1, retry_delay_seconds=5, cache_policy=NO_CACHE)
def hand_to_ingestion(paths: list[Path], default_marketplace: str | None, account: str) -> list[Any]:
    """Give the saved documents to ingestion (which decodes, validates and loads them)."""
    from sellerops import ingest

    # Each exact file goes through ingestion's per-file pipeline, into the pulled account.
    return [ingest.ingest_file(Path(p), default_marketplace, account) for p in paths]
