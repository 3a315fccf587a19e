"""A full run inside a night that kept the ingestion's worker process (sellerops.core.helper): the
settlement-local rules are judged in that process, over the settlements and lines it loads itself,
while this one judges the order rules. On the demo seller loaded into SQLite and into PostgreSQL:
exactly the findings of one process, evidence included; a worker that fails or is gone leaves the
rules to this process, with a one-line warning."""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from sellerops.core import helper
from sellerops.demo import write_demo_data
from sellerops.ingest import ingest_paths
from sellerops.reconciliation import Policy, reconcile, runs
from sellerops.reconciliation.input import load_input
from sellerops.reconciliation.partition import merge
from tests.sellerops.reconciliation.databases import module_database, use


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request):
    yield from module_database(request, "nightworker")


@pytest.fixture(scope="module")
def home(tmp_path_factory, database):
    out = tmp_path_factory.mktemp("night-worker")
    write_demo_data(out, orders_per_day=15, days=60, seed=5)
    with pytest.MonkeyPatch.context() as mp:
        use(mp, out / "home", database)
        ingest_paths(sorted((out / "reports").iterdir()))
    return out / "home"


@pytest.fixture
def loaded(home, database, monkeypatch):
    use(monkeypatch, home, database)
    return home


@pytest.fixture
def stored(monkeypatch):
    """The records each run hands to the findings store (the store itself runs as always)."""
    got: list[list] = []
    real = runs.store
    monkeypatch.setattr(runs, "store", lambda records, **kw: got.append(list(records)) or real(records, **kw))
    return got


def _full(findings):
    return [(f.kind, f.key, f, f.evidence) for f in findings]


def test_the_worker_judges_the_settlement_rules_and_the_run_finds_exactly_what_one_process_finds(
        loaded, stored, monkeypatch):
    split = []
    real = runs._with_settlement_rules
    monkeypatch.setattr(runs, "_with_settlement_rules", lambda *a: split.append(a[3]) or real(*a))
    one_process = merge([reconcile(load_input(), None, Policy())])
    # the demo seller has findings of both kinds of rule
    assert {f.kind for f in one_process} >= {"duplicate_charge", "fee_outlier", "unsettled_order", "refund_without_return"}

    worker = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    with helper.night(warm=runs.warm_up) as night:
        assert helper.keep(worker)
        helper.before_idle(worker)
        out = runs.run_reconcile(force=True)
    assert night.pool is None  # stopped with the night
    assert len(split) == 1 and split[0].done() and not split[0].exception()  # the worker's share, judged there
    assert _full(stored[-1]) == _full(one_process) and out.full and not out.skipped
    assert {f.kind for f in split[0].result()} <= {"settlement_total_mismatch", "duplicate_charge", "fee_outlier"}

    runs.run_reconcile(force=True)  # outside a night: one process, as before
    assert len(split) == 1 and _full(merge([stored[-1]])) == _full(one_process)


def test_a_failed_worker_leaves_the_settlement_rules_to_this_process(loaded, stored, monkeypatch, caplog):
    def died(*_):
        raise RuntimeError("worker died")

    monkeypatch.setattr(runs, "settlement_rules_findings", died)  # a thread stands in: it runs this module's function
    one_process = merge([reconcile(load_input(), None, Policy())])
    with ThreadPoolExecutor(1) as pool, helper.night(), caplog.at_level(logging.WARNING):
        helper.keep(pool)
        runs.run_reconcile(force=True)
    assert _full(stored[-1]) == _full(one_process)
    [warning] = [r for r in caplog.records if r.name == runs.__name__]
    assert "worker died" in warning.getMessage() and "judged here instead" in warning.getMessage()
    assert warning.exc_info is None  # one line, no traceback


def test_a_worker_already_stopped_is_not_asked(loaded, stored):
    pool = ThreadPoolExecutor(1)
    pool.shutdown()
    with helper.night():
        helper.keep(pool)
        assert runs._settlement_rules_elsewhere("default", None, Policy()) is None
        runs.run_reconcile(force=True)
    assert _full(merge([stored[-1]])) == _full(merge([reconcile(load_input(), None, Policy())]))
