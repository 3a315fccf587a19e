"""Reconciliation steps as Prefect tasks: thin wrappers over `sellerops.reconciliation.runs` and the
findings store. The steps that read or write the database retry on operational errors only (a
locked SQLite file, a dropped connection): a rule's own error would fail the same way again."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NONE

from sellerops.findings import list_findings
from sellerops.reconciliation.runs import ReconcileOutcome, run_reconcile
from tasks.ingest import _transient_db_error


@task(name="reconcile-settlements", retries=1, retry_delay_seconds=10, retry_condition_fn=_transient_db_error,
      cache_policy=NONE, persist_result=False)
def reconcile_settlements(as_of: dt.date | None = None, policy=None, force: bool = False) -> ReconcileOutcome:
    """Apply the reconciliation rules to what can have changed (all of it when `force`) and store the findings."""
    return run_reconcile(as_of=as_of, policy=policy, force=force)


@task(name="read-findings", retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=_transient_db_error,
      cache_policy=NONE, persist_result=False)
def read_findings(status: str | list[str] | None = None, today: dt.date | None = None) -> list[dict]:
    """The stored findings of one status or several, the soonest claim deadline first; `today` judges which have expired."""
    return list_findings(status=status, today=today)


@task(name="reconcile-piece", cache_policy=NONE, persist_result=False)
def reconcile_piece(part, as_of: dt.date | None, policy) -> list:
    """The findings of one settlement or one bucket of orders (`sellerops.reconciliation.partition`)."""
    from sellerops.reconciliation.partition import run_partition

    return run_partition(part, as_of, policy)
