"""Ingestion steps as Prefect tasks: thin wrappers over `sellerops.ingest`.

Preparing a file (reading, checking, converting) is CPU-bound and returns whatever a file causes
as data, so it has no retries; writing the database retries on operational errors only (a locked
SQLite file, a dropped connection). Inputs carry a whole report frame, so no task hashes its
inputs for caching and none persists its result.

These per-file steps carry no `io:` tag (tests/test_deployments.py lists what they talk to): Prefect
asks the server for a tag's concurrency slot before every tagged task run, and a server on SQLite
answers some of those requests "database is locked" while a night's events are written, each
costing the flow a 2 s client back-off, several a night. A tag limit would buy little here:
files are decided one at a time under the run lock.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from sellerops.core.config import Settings
from sellerops.ingest import Detected, Outcome, Refused, quarantine, store
from sellerops.ingest.preparer import Preparer


def _transient_db_error(task, task_run, state) -> bool:
    import sqlalchemy.exc

    try:
        state.result()
    except sqlalchemy.exc.OperationalError:
        return True
    except Exception:
        return False
    return False


@task(name="prepare-report", cache_policy=NONE, persist_result=False)
def prepare_report(path: Path, preparer: Preparer) -> Detected:
    """Read, detect, check and convert a report file (in the worker process on big nights)."""
    return preparer.result(path)


@task(name="load-report", retries=3, retry_delay_seconds=[1, 5, 15], retry_condition_fn=_transient_db_error,
      cache_policy=NONE, persist_result=False)
def load_report(detected: Detected, s: Settings) -> Outcome | Refused:
    """Store a checked report in one transaction (a refusal by the database is returned, not raised)."""
    return store(detected, s)


@task(name="quarantine-report", retries=3, retry_delay_seconds=[1, 5, 15],
      retry_condition_fn=_transient_db_error, cache_policy=NONE, persist_result=False)
def quarantine_report(detected: Detected, problems: list[str], s: Settings) -> Outcome:
    """Copy a failed file into quarantine/ with its reason and record it."""
    return quarantine(detected, problems, s)
