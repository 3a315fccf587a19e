"""Ingestion steps as Prefect tasks: thin wrappers over `sellerops.ingest`.

Reading the file and writing the database are I/O and retry (the database only on operational
errors such as a locked SQLite file); validation is pure and does not. Inputs carry a whole report
frame, so no task hashes its inputs for caching and none persists its result.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE

from sellerops import ingest
from sellerops.ingest import Detected, Outcome


def _transient_db_error(task, task_run, state) -> bool:
    import sqlalchemy.exc

    try:
        state.result()
    except sqlalchemy.exc.OperationalError:
        return True
    except Exception:
        return False
    return False


@task(name="detect-report", retries=2, retry_delay_seconds=[1, 5], cache_policy=NONE, persist_result=False)
def detect_report(path: Path, default_marketplace: str) -> Detected:
    """Read a file and name its report type from the header."""
    return ingest.read_and_detect(path, default_marketplace)


@task(name="validate-report", cache_policy=NONE, persist_result=False)
def validate_report(detected: Detected) -> list[str]:
    """Run the report type's Great Expectations checkpoint; the problems found, with their places."""
    return ingest.validate(detected)


@task(name="load-report", retries=3, retry_delay_seconds=[1, 5, 15], retry_condition_fn=_transient_db_error,
      cache_policy=NONE, persist_result=False)
def load_report(detected: Detected, account: str | None = None) -> Outcome:
    """Store a validated report in one transaction."""
    return ingest.load(detected, ingest.settings_for(account))


@task(name="quarantine-report", cache_policy=NONE, persist_result=False)
def quarantine_report(detected: Detected, problems: list[str], account: str | None = None) -> Outcome:
    """Copy a failed file into quarantine/ with its reason."""
    return ingest.quarantine(detected, problems, ingest.settings_for(account))
