"""Night after night on Dask (SELLEROPS_DASK=local): the bounded night's equivalence sequence (late
settlements, re-downloads, a clock that moves without files, a policy change, a gap night) reconciled
by `flows.reconcile_dask` in one home and in process in another; both stores must hold exactly the
same findings, evidence included. A bounded night on Dask partitions the bounded plan's input (the
rows tonight's scope is judged from), never the whole history; a full one (the first run, a policy
change) still loads everything and splits it, as before."""

from __future__ import annotations

import pytest

from sellerops.ingest import ingest_paths
from sellerops.reconciliation.runs import run_reconcile
from tests.sellerops.reconciliation.test_bounded import _findings, demo  # noqa: F401 - `demo` is a fixture

pytestmark = [pytest.mark.usefixtures("prefect_harness"), pytest.mark.slow]


def _spy(monkeypatch, module, name: str, seen: list) -> None:
    """Record each call's first argument and result; the real function still runs (not a mock)."""
    real = getattr(module, name)

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        seen.append((args[0] if args else None, out))
        return out

    monkeypatch.setattr(module, name, spy)


def _home(monkeypatch, home, dask: bool, files) -> None:
    monkeypatch.setenv("SELLEROPS_HOME", str(home))
    if dask:
        monkeypatch.setenv("SELLEROPS_DASK", "local")
    else:
        monkeypatch.delenv("SELLEROPS_DASK", raising=False)
    if files:
        ingest_paths(list(files))


def test_nights_on_dask_store_exactly_the_in_process_nights_findings(demo, tmp_path, monkeypatch):  # noqa: F811
    from flows import reconcile_dask
    from sellerops.reconciliation import bounded, partition, runs

    monkeypatch.delenv("SELLEROPS_DASK_ADDRESS", raising=False)
    monkeypatch.delenv("SELLEROPS_DATABASE_URL", raising=False)
    # the cheapest LocalCluster that still runs pieces side by side: one worker, two threads
    monkeypatch.setenv("SELLEROPS_DASK_WORKERS", "1")
    monkeypatch.setenv("SELLEROPS_DASK_THREADS", "2")
    monkeypatch.setenv("SELLEROPS_DASK_ORDER_BUCKETS", "3")
    scoped, split, whole = [], [], []
    _spy(monkeypatch, bounded, "load_scoped", scoped)
    _spy(monkeypatch, partition, "partitions", split)
    _spy(monkeypatch, runs, "load_input", whole)
    bounded_nights = 0
    for n, (files, as_of, policy, expect_bounded) in enumerate(demo["nights"], 1):
        _home(monkeypatch, tmp_path / "on-dask", True, files)
        scoped.clear(), split.clear(), whole.clear()
        d = reconcile_dask.reconcile(as_of, policy, False)
        assert d is not None, "SELLEROPS_DASK=local must run the reconciliation on Dask"
        on_dask = _findings()
        assert len(split) == 1, n  # the night's input was split into Dask pieces once
        if expect_bounded:
            # the pieces were cut from exactly the bounded plan's input, and the history was not loaded
            assert len(scoped) == 1 and split[0][0] is scoped[0][1] and not whole, n
            bounded_nights += 1
        else:
            assert not scoped and len(whole) == 1 and split[0][0] is whole[0][1], n
        _home(monkeypatch, tmp_path / "in-process", False, files)
        p = run_reconcile(as_of=as_of, policy=policy)
        in_process = _findings()
        assert (d.full, p.full) == (not expect_bounded, not expect_bounded), (n, d.why_full, p.why_full)
        assert on_dask == in_process, f"night {n}: the Dask store differs from the in-process one"
        assert (d.open, sorted(d.new), sorted(d.resolved), d.judged_orders) == \
            (p.open, sorted(p.new), sorted(p.resolved), p.judged_orders), n
    assert bounded_nights == 6
    # the sequence exercised what it claims: findings opened and resolved, of every family
    assert {v["status"] for v in on_dask.values()} == {"open", "resolved"}
    assert {"unsettled_order", "refund_without_return", "duplicate_charge", "fee_outlier"} <= {
        v["kind"] for v in on_dask.values()}


def test_the_large_graph_warning_is_not_printed_every_night(monkeypatch):
    import warnings

    from flows.reconcile_dask import dask_task_runner

    monkeypatch.setenv("SELLEROPS_DASK", "local")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        dask_task_runner()
        # as distributed's client raises it when a night's pieces are submitted (tens of MB by design)
        warnings.warn_explicit("Sending large graph of size 124.51 MiB.", UserWarning, "client.py", 3429,
                               module="distributed.client")
        warnings.warn_explicit("another warning", UserWarning, "client.py", 1, module="distributed.client")
    assert [str(w.message) for w in seen] == ["another warning"]
