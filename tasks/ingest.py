"""Ingestion steps as Prefect tasks: thin wrappers over `sellerops.ingest`.

Preparing a file (reading it, checking it, converting it) and writing the database retry (the
database only on operational errors such as a locked SQLite file). Inputs carry a whole report
frame, so no task hashes its inputs for caching and none persists its result.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from sellerops import ingest
from sellerops.ingest import Detected, Outcome
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


@task(name="prepare-report", retries=2, retry_delay_seconds=[1, 5], cache_policy=NONE, persist_result=False)
def prepare_report(path: Path, preparer: Preparer) -> Detected:
    """Read a file, name its report type, run its Great Expectations checkpoint and convert its rows
    (in a worker process on big nights: sellerops.ingest.preparer). Retried: reading a file can fail."""
    return preparer.result(path)


@task(name="load-report", retries=3, retry_delay_seconds=[1, 5, 15], retry_condition_fn=_transient_db_error,
      cache_policy=NONE, persist_result=False)
def load_report(detected: Detected, account: str | None = None) -> Outcome:
    """Store a validated report in one transaction."""
    return ingest.load(detected, ingest.settings_for(account))


@task(name="quarantine-report", cache_policy=NONE, persist_result=False)
def quarantine_report(detected: Detected, problems: list[str], account: str | None = None) -> Outcome:
    """Copy a failed file into quarantine/ with its reason."""
    return ingest.quarantine(detected, problems, ingest.settings_for(account))
