"""Thin Prefect tasks of the pull: the Amazon source's questions, the cursor, the saved documents.

Each SP-API operation has a global rate limit named `spapi:<operation>` (slots = Amazon's burst,
decay = its steady rate), so every worker and every concurrent pull shares Amazon's pace. A limit
missing on the server is created once with Amazon's documented plan (an operator's own settings are
never overwritten); when the server cannot hold limits at all, the pace falls back to an in-process
token bucket — quietly, once, not a warning per request.

Each task declares its I/O in a tag: `io:network` (Amazon), `io:database` (the cursor), `io:file`
(the inbox). The Amazon tasks carry no retries of their own: the SP-API client already retries
throttling, 5xx and dropped connections (`retries:client`), and a task retry on top would multiply
its attempts. The cursor's database writes retry on operational errors only.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from sellerops.amazon.cursor import CursorState, CursorStore
from sellerops.amazon.pacing import LocalPacer, limit_name, rate_for
from sellerops.amazon.redact import install_redaction
from sellerops.amazon.source import AmazonSource, FetchedReport, SettlementRef

if TYPE_CHECKING:
    from blocks.seller_account import SellerAccount

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


def connect(seller: "SellerAccount") -> AmazonSource:
    """The account's source, paced by Prefect's global rate limits, with the log redaction installed for
    its secrets before the first request can log anything."""
    source = seller.source(pacer=PrefectPacer())
    secrets = getattr(source, "secrets", None)
    install_redaction(secrets() if secrets else ())
    return source


NETWORK = ["io:network", "retries:client"]


@task(name="list-settlements", tags=NETWORK, cache_policy=NO_CACHE)
def list_settlements(source: AmazonSource, since: dt.datetime) -> list[SettlementRef]:
    """List the settlement reports Amazon generated since `since` (never requested)."""
    return source.list_settlements(since)


@task(name="fetch-settlement", tags=NETWORK, cache_policy=NO_CACHE)
def fetch_settlement(source: AmazonSource, ref: SettlementRef) -> FetchedReport:
    """Download one listed settlement document."""
    return source.fetch_settlement(ref)


@task(name="request-report", tags=NETWORK, cache_policy=NO_CACHE)
def request_report(source: AmazonSource, report_type: str, start: dt.datetime | None, end: dt.datetime | None) -> str:
    """Request one report for one window; returns its report id."""
    return source.request_report(report_type, start, end)


@task(name="await-report", tags=NETWORK, cache_policy=NO_CACHE)
def await_report(source: AmazonSource, report_type: str, report_id: str, start: dt.datetime | None,
                 end: dt.datetime | None) -> FetchedReport:  # fmt: skip
    """Poll a report to its end and download its document (CANCELLED = no data)."""
    return source.await_report(report_type, report_id, start, end)


@task(name="save-inbound-responses", tags=NETWORK, cache_policy=NO_CACHE)
def save_inbound_responses(source: AmazonSource, folder: Path, now: dt.datetime) -> list[Path]:
    """Poll the source's FBA inbound calls once and save each response where ingestion reads it."""
    from sellerops.inbound.pull import save_inbound_responses as save

    return save(source, folder, now=now)


@task(name="save-document", tags=["io:file"], cache_policy=NO_CACHE)
def save_document(report: FetchedReport, folder: Path, name: str, observed_at: dt.datetime,
                  japanese: bool = False) -> Path:  # fmt: skip
    """Write a document to `folder/name` atomically, buyers' e-mails scrubbed; an existing file is kept."""
    from sellerops.amazon.pull import document_bytes

    target = folder / name
    if target.exists():
        return target
    data = document_bytes(report, observed_at, japanese)  # before any byte reaches the disk
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.partial"
    partial.write_bytes(data)
    os.replace(partial, target)
    return target


def _database_was_busy(task: Any, task_run: Any, state: Any) -> bool:
    """Retry a cursor write only when the database was briefly unavailable (locked, connection lost)."""
    from sqlalchemy.exc import OperationalError

    return isinstance(state.result(raise_on_failure=False), OperationalError)


def _cursors() -> CursorStore:
    from sellerops.storage.engine import get_engine

    return CursorStore(get_engine())


DATABASE = dict(tags=["io:database"], retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_database_was_busy,
                cache_policy=NO_CACHE)  # fmt: skip


@task(name="read-cursor", **DATABASE)
def read_cursor(account: str, report_type: str) -> CursorState:
    """Read how far the account's pull of one report type has got."""
    return _cursors().get(account, report_type)


@task(name="mark-pending", **DATABASE)
def mark_pending(account: str, report_type: str, report_id: str, start: dt.datetime, end: dt.datetime) -> None:
    """Record a requested report before it is polled, so a crash resumes it."""
    _cursors().mark_pending(account, report_type, report_id, start, end)


@task(name="advance-cursor", **DATABASE)
def advance_cursor(account: str, report_type: str, last_end: dt.datetime, report_id: str | None) -> None:
    """Move the cursor past a window whose document is safely in the inbox."""
    _cursors().advance(account, report_type, last_end, report_id)


@task(name="clear-pending", **DATABASE)
def clear_pending(account: str, report_type: str) -> None:
    """Forget a pending report (a FATAL one is requested afresh next time)."""
    _cursors().clear_pending(account, report_type)


@task(name="publish-pull-summary", tags=["io:network", "retries:client"], cache_policy=NO_CACHE)  # Prefect's client retries
def publish_pull_summary(summary: dict[str, Any]) -> None:
    """Publish the pull's summary as the account's markdown artifact."""
    from prefect.artifacts import create_markdown_artifact

    from sellerops.amazon.pull import artifact_key, summary_markdown

    try:
        create_markdown_artifact(markdown=summary_markdown(summary), key=artifact_key(summary["account"]),
                                 description="What the last pull fetched")  # fmt: skip
    except Exception as exc:  # an artifact is a courtesy: never fail a pull over it
        log.debug("no pull artifact: %s", exc)
