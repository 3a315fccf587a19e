"""The reconciliation on a Dask cluster, chosen by configuration; the nightly flow calls it when set.

`SELLEROPS_DASK_ADDRESS=tcp://scheduler:8786` runs on an existing cluster (production);
`SELLEROPS_DASK=local` starts a LocalCluster for the run, in threads (`SELLEROPS_DASK_WORKERS`
workers, default 2, of `SELLEROPS_DASK_THREADS` threads each, default 1). The work is split by `sellerops.reconciliation.partition` — a task per settlement for the
settlement-local rules, a task per bucket of order ids (`SELLEROPS_DASK_ORDER_BUCKETS`, default 8) for
the order rules — and merged before storing, so the findings are the in-process run's. The run
itself is `run_reconcile`'s: a bounded night hands the pieces only the rows its scope is judged from
(`sellerops.reconciliation.bounded`), a full run (`force`, first run, policy change) the whole input
— unless the history outgrows the reconciliation's memory budget, when the full run is judged in
bounded pieces in this process instead (`sellerops.reconciliation.pieces`).
"""

from __future__ import annotations

import datetime as dt
import os
import warnings

from prefect import flow, unmapped

from flows.heartbeats import on_parents_heartbeat
from sellerops.reconciliation.policy import Policy
from sellerops.reconciliation.runs import ReconcileOutcome, run_reconcile
from tasks.reconcile import reconcile_piece


def dask_task_runner():
    """prefect-dask's DaskTaskRunner as configured, or None (reconcile in process)."""
    address = os.environ.get("SELLEROPS_DASK_ADDRESS")
    local = os.environ.get("SELLEROPS_DASK", "").strip().lower() == "local"
    if not (address or local):
        return None
    from prefect_dask import DaskTaskRunner

    # Each piece carries its own rows, so a night's graph is tens of MB by design; distributed's
    # warning about it would be printed for every submission of every night.
    warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning, module="distributed")

    if address:
        return DaskTaskRunner(address=address)
    workers = int(os.environ.get("SELLEROPS_DASK_WORKERS", "2"))
    threads = int(os.environ.get("SELLEROPS_DASK_THREADS", "1"))
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": threads, "processes": False,
                                          "dashboard_address": None})


@flow(name="reconcile-on-dask", persist_result=False)
def reconcile_on_dask(as_of: dt.date | None = None, policy: Policy | None = None, force: bool = False) -> ReconcileOutcome:
    """Reconcile what can have changed (all of it when `force`) with the rules' partitions as Dask tasks, then store."""
    from sellerops.reconciliation.partition import merge, partitions

    buckets = int(os.environ.get("SELLEROPS_DASK_ORDER_BUCKETS", "8"))

    def find(inp, as_of, policy):
        futures = reconcile_piece.map(partitions(inp, buckets), unmapped(as_of), unmapped(policy))
        return merge(futures.result())

    return run_reconcile(as_of=as_of, policy=policy, force=force, find=find)


def reconcile(as_of: dt.date | None, policy, force: bool) -> ReconcileOutcome | None:
    """Run `reconcile_on_dask` on the configured cluster; None when no cluster is configured."""
    runner = dask_task_runner()
    if runner is None:
        return None
    with on_parents_heartbeat():  # a subflow of the nightly (or of the caller's flow)
        return reconcile_on_dask.with_options(task_runner=runner)(as_of=as_of, policy=policy, force=force)
