"""The full recompute in bounded pieces against the whole input in one piece, on the demo seller
loaded into SQLite and into PostgreSQL (where settlement lines are rows, not blocks): exactly the same findings, evidence included, however many groups of order
buckets a small budget forces; each settlement copy read once; the spill folder gone afterwards,
also when a rule fails."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sellerops.demo import write_demo_data
from sellerops.ingest import ingest_paths
from sellerops.reconciliation import Policy, pieces, reconcile
from sellerops.reconciliation.input import load_input
from sellerops.reconciliation.partition import order_bucket
from sellerops.reconciliation.runs import run_reconcile
from sellerops.storage import framecache
from sellerops.storage.engine import get_engine
from tests.sellerops.reconciliation.databases import module_database, use
from tests.sellerops.reconciliation.spies import copy_reads

ACCOUNT = "default"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request):
    yield from module_database(request, "pieces")


@pytest.fixture(scope="module")
def home(tmp_path_factory, database):
    out = tmp_path_factory.mktemp("pieces-demo")
    write_demo_data(out, orders_per_day=15, days=100, seed=11)
    reports, home = out / "reports", out / "home"
    settlements = sorted(reports.glob("settlement_*.txt"))
    again = out / f"redownload_{settlements[2].name}"  # a duplicate: never a second copy
    again.write_bytes(settlements[2].read_bytes())
    with pytest.MonkeyPatch.context() as mp:
        use(mp, home, database)
        ingest_paths(sorted(reports.iterdir()) + [again])
    return home


@pytest.fixture
def loaded(home, database, monkeypatch):
    # one loaded home for the module: the runs below store findings, never change the input
    use(monkeypatch, home, database)
    return home


def _copies() -> int:
    """The settlement copies' bytes on disk: what the budgets below are fractions of."""
    from sellerops.core.config import settings
    from sellerops.reconciliation.input import _report_files

    with get_engine().connect() as c:
        files = _report_files(c, settings().account)
    return sum(framecache.cache_path("settlement_lines", f).stat().st_size
               for f in pieces._settlement_files(files, settings().account))


def _full(findings):
    return sorted(((f.kind, f.key, f, f.evidence) for f in findings), key=lambda t: (t[0], t[1]))


def _pieces(as_of, policy, budget, account=ACCOUNT):
    with get_engine().connect() as c:
        return pieces.full_findings(c, account, as_of, policy, budget=budget)


@pytest.mark.parametrize("as_of, share", [
    (None, 4),  # a group may hold about a quarter of the settlement lines' bytes
    (None, 2),
    (None, None),  # one group: the whole input
    (dt.date(2027, 6, 1), 3),  # far past the data: every unsettled order found
])
def test_the_pieces_find_exactly_what_the_whole_input_finds(loaded, database, as_of, share):
    from sellerops.core.config import settings

    assert get_engine().dialect.name == ("postgresql" if database else "sqlite")
    account = settings().account
    whole = reconcile(load_input(account), as_of, Policy())
    budget = _copies() // share if share else 10**12
    got = _pieces(as_of, Policy(), budget, account)
    # the demo seller has every kind of finding the rules make
    assert {f.kind for f in whole} >= {"unsettled_order", "refund_without_return", "duplicate_charge", "fee_outlier"}
    assert _full(got.findings) == _full(whole)
    # several groups judged one after the other (as many as the buckets at most), or one for the whole
    assert (got.groups == 1) if share is None else (1 < got.groups <= got.buckets)


def test_another_policy_is_judged_the_same_in_pieces(loaded):
    from sellerops.core.config import settings

    tighter = dataclasses.replace(Policy(), grace_days_fba=14, min_lines_per_sku=4)
    account = settings().account
    assert _full(_pieces(None, tighter, _copies() // 4, account).findings) == _full(reconcile(load_input(account), None, tighter))


def test_each_settlement_copy_is_read_once_and_the_spill_folder_is_removed(loaded, monkeypatch):
    from sellerops.core.config import settings

    read = copy_reads(monkeypatch, pieces)  # a spy: the real copies are still read and judged
    monkeypatch.setattr(pieces, "BUDGET_BYTES", _copies() // 4)  # the demo seller would fit in one piece
    with get_engine().connect() as c:
        assert not pieces.fits(c, settings().account)
    out = run_reconcile(force=True)
    assert out.full and out.open > 0
    assert len(read) == len(set(read)) == 8  # eight settlements loaded; the re-download is not a copy
    assert not list(loaded.glob("reconcile-pieces-*"))


def test_the_spill_folder_is_removed_when_a_rule_fails(loaded, monkeypatch):
    def failing(inp, ctx):
        raise RuntimeError("a rule failed")

    # a rule replaced by one that fails: what matters is the folder after the failure
    monkeypatch.setitem(pieces.RULES, "unsettled_order", failing)
    with pytest.raises(RuntimeError, match="a rule failed"):
        _pieces(None, Policy(), _copies() // 4)
    assert not list(loaded.glob("reconcile-pieces-*"))


@pytest.mark.parametrize("budget", [None, "small"])
def test_a_full_run_stores_what_the_whole_input_finds_in_pieces_or_not(loaded, monkeypatch, budget):
    from sellerops.core.config import settings

    if budget == "small":
        monkeypatch.setattr(pieces, "BUDGET_BYTES", _copies() // 4)
    with get_engine().connect() as c:
        assert pieces.fits(c, settings().account) is (budget is None)  # the demo seller fits the default budget
    whole = reconcile(load_input(settings().account), None, Policy())
    out = run_reconcile(force=True)
    assert out.full and out.open == len({f.key for f in whole})


def test_a_full_run_given_a_dask_find_goes_in_pieces_when_the_history_outgrows_the_budget(loaded, monkeypatch):
    """The Dask flow's `find` splits a whole input held in the flow process: over the budget the
    run judges in pieces instead, so a full run's memory is bounded on Dask too."""
    from sellerops.core.config import settings
    from sellerops.reconciliation import runs

    whole = reconcile(load_input(settings().account), None, Policy())
    monkeypatch.setattr(pieces, "BUDGET_BYTES", _copies() // 4)
    handed = []

    def find(inp, as_of, policy):  # stands in for the Dask flow's splitter: never reached over the budget
        handed.append(inp)
        return reconcile(inp, as_of, policy)

    monkeypatch.setattr(runs, "load_input", lambda *a, **k: pytest.fail("the whole input was loaded"))
    out = run_reconcile(force=True, find=find)
    assert not handed
    assert out.full and out.open == len({f.key for f in whole})


def test_bucket_codes_are_the_partitions_buckets():
    import pandas as pd

    values = pd.Series(["111-1", None, "222-2", "111-1", "333-3"])
    expected = [order_bucket(v, 8) for v in values]  # None goes to bucket 0, like a finding without an order
    assert pieces.bucket_codes(values, 8).tolist() == expected
    assert pieces.bucket_codes(values.astype("category"), 8).tolist() == expected


def test_without_copies_to_judge_by_the_run_goes_in_pieces(loaded):
    import shutil

    from sellerops.core.config import settings

    cache = framecache.root()
    aside = cache.with_name(cache.name + "-aside")
    shutil.move(cache, aside)  # deleting the cache folder is always safe; put back for the other tests
    try:
        with get_engine().connect() as c:
            # the demo seller fits the budget, but with no copy on disk its size is unknown
            assert not pieces.fits(c, settings().account)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.move(aside, cache)
    with get_engine().connect() as c:
        assert pieces.fits(c, settings().account)
