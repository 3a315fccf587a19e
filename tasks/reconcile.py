"""Reconciliation steps as Prefect tasks: thin wrappers over `sellerops.findings`."""

from __future__ import annotations

import datetime as dt

from prefect import task
from prefect.cache_policies import NONE

from sellerops import findings
from sellerops.findings import ReconcileOutcome


@task(name="reconcile-settlements", cache_policy=NONE, persist_result=False)
def reconcile_settlements(as_of: dt.date | None = None, policy=None, force: bool = False) -> ReconcileOutcome:
    """Apply every reconciliation rule to what is loaded and store the findings."""
    return findings.run_reconcile(as_of=as_of, policy=policy, force=force)


@task(name="read-findings", cache_policy=NONE, persist_result=False)
def read_findings(status: str | None = None) -> list[dict]:
    """The stored findings, largest first within each kind."""
    return findings.list_findings(status=status)


@task(name="reconcile-piece", cache_policy=NONE, persist_result=False)
def reconcile_piece(part, as_of: dt.date | None, policy) -> list:
    """The findings of one settlement or one bucket of orders (`sellerops.reconciliation.partition`)."""
    from sellerops.reconciliation.partition import run_partition

    return run_partition(part, as_of, policy)
