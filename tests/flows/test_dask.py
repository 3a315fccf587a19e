"""The nightly reconciliation on Dask (SELLEROPS_DASK=local: a LocalCluster through prefect-dask's
DaskTaskRunner) stores exactly the findings of the in-process run, evidence and all."""

from __future__ import annotations

import pytest

from sellerops.demo import write_demo_data

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


def _findings(home, monkeypatch) -> list[dict]:
    from sellerops.findings import list_findings

    monkeypatch.setenv("SELLEROPS_HOME", str(home))
    return [{k: v for k, v in f.items() if k not in ("first_seen", "last_seen")} for f in list_findings()]


def test_dask_run_stores_the_in_process_findings(tmp_path, monkeypatch):
    import tasks.reconcile
    from flows.nightly import nightly_reconciliation
    from sellerops.reconciliation import partition

    demo = write_demo_data(tmp_path / "demo", orders_per_day=20, days=60, seed=11)
    inbox = str(demo.out / "reports")

    monkeypatch.delenv("SELLEROPS_DASK", raising=False)
    monkeypatch.delenv("SELLEROPS_DASK_ADDRESS", raising=False)
    monkeypatch.setenv("SELLEROPS_HOME", str(tmp_path / "in-process"))
    nightly_reconciliation(inbox=inbox)

    pieces = []
    real = partition.run_partition

    def spy(part, as_of, policy):
        pieces.append(part.name)
        return real(part, as_of, policy)

    monkeypatch.setattr(partition, "run_partition", spy)
    monkeypatch.setenv("SELLEROPS_DASK", "local")
    # The cheapest LocalCluster that still runs pieces side by side: one worker, two threads.
    monkeypatch.setenv("SELLEROPS_DASK_WORKERS", "1")
    monkeypatch.setenv("SELLEROPS_DASK_THREADS", "2")
    from flows.reconcile_dask import dask_task_runner

    kwargs = dask_task_runner().cluster_kwargs
    assert (kwargs["n_workers"], kwargs["threads_per_worker"], kwargs["processes"]) == (1, 2, False)
    monkeypatch.setenv("SELLEROPS_DASK_ORDER_BUCKETS", "3")
    monkeypatch.setenv("SELLEROPS_HOME", str(tmp_path / "on-dask"))
    summary = nightly_reconciliation(inbox=inbox)

    # Every settlement (5 in the demo) and every order bucket ran as its own Dask task.
    assert sorted(pieces) == sorted([f"settlement {s}" for s in _settlement_ids(demo)] +
                                    [f"orders {b}/3" for b in (1, 2, 3)])
    assert tasks.reconcile.reconcile_piece.name == "reconcile-piece"
    on_dask = _findings(tmp_path / "on-dask", monkeypatch)
    in_process = _findings(tmp_path / "in-process", monkeypatch)
    # the demo's dates are fixed: findings whose claim window has since closed are lost, not open
    assert len([f for f in in_process if f["status"] != "expired"]) == summary["open"] >= 7
    assert on_dask == in_process


def _settlement_ids(demo) -> list[str]:
    return [p.stem.split("_")[-1] for p in demo.reports if p.name.startswith("settlement_")]
