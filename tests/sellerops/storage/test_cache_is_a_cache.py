"""The frame cache is a cache (issue 17): with every copy, none, any random part of them, copies
in an older shape, or the copy of the last load lost to a crash, the reconciliation's input and
findings are the same. Runs on SQLite and PostgreSQL (`db_url`)."""

from __future__ import annotations

import random
import shutil

import pandas as pd
import pytest

from sellerops.reconciliation.input import load_input
from sellerops.reconciliation.runs import run_reconcile
from sellerops.ingest import LOADED, ingest_paths
from sellerops.storage import framecache
from tests.sellerops.storage.test_framecache import _findings, _same, loaded  # noqa: F401 - the fixture


def _business_orders(tmp_path, name="more_orders.txt"):
    """One more all-orders report with a business and a consumer order."""
    from tests.sellerops.reports.make_data import orders

    path = tmp_path / name
    path.write_text("\n".join(orders([
        dict(amazon_order_id="111-9000001-0000001", is_business_order="true"),
        dict(amazon_order_id="111-9000002-0000002", is_business_order="false", sku="SKU-2"),
    ])) + "\n")
    return path


def test_is_business_order_is_one_type_from_copies_and_database(loaded):
    cached = load_input().orders["is_business_order"]
    shutil.rmtree(framecache.root())
    from_db = load_input().orders["is_business_order"]
    assert cached.dtype == from_db.dtype == "boolean"
    assert cached.tolist() == from_db.tolist() and cached.any()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_deleting_copies_at_random_changes_nothing(loaded, seed):
    every = load_input()
    shutil.rmtree(framecache.root())
    none = load_input()
    _same(every, none)
    # copies again for every file: settlement copies come back from the read above, order ones
    # only from a load, so a later run reads a mix of copies and database rows for the orders
    copies = sorted(framecache.root().rglob("*.pkl"))
    rnd = random.Random(seed)
    for p in rnd.sample(copies, k=rnd.randint(1, len(copies))):
        p.unlink()
    mixed = load_input()
    _same(mixed, every)
    assert _findings(mixed) == _findings(every) == _findings(none)


def test_delete_the_cache_ingest_one_more_orders_report_reconcile(loaded, tmp_path):
    """The three commands of issue 17: the operations guide says deleting the cache is always safe."""
    shutil.rmtree(framecache.root())
    [o] = ingest_paths([_business_orders(tmp_path)])
    assert o.status == LOADED
    outcome = run_reconcile(force=True)  # failed with "Need to pass bool-like values"
    assert not outcome.skipped
    inp = load_input()
    flags = inp.orders.set_index(inp.orders["amazon_order_id"].astype(object))["is_business_order"]
    assert (flags["111-9000001-0000001"], flags["111-9000002-0000002"]) == (True, False)


def test_copies_in_an_older_shape_are_shaped_again(loaded):
    reference = load_input()
    for p in framecache.root().glob("orders/*.pkl"):
        old = pd.read_pickle(p)
        # an older writer kept yes/no as Python objects and text as plain strings
        old["is_business_order"] = old["is_business_order"].astype(object).map(
            lambda v: None if pd.isna(v) else int(bool(v)))
        old["sku"] = old["sku"].astype(object)
        old.to_pickle(p)
    _same(load_input(), reference)


def test_a_crash_between_commit_and_cache_write_breaks_nothing(loaded, tmp_path):
    """The copy of the last load is missing (never written) and a half-written temporary lies beside
    it, as a kill between the commit and the cache write leaves them."""
    [o] = ingest_paths([_business_orders(tmp_path)])
    reference_findings = _findings(load_input())
    newest = max(framecache.root().glob("orders/*.pkl"), key=lambda p: int(p.name.split("-")[0]))
    data = newest.read_bytes()
    newest.unlink()
    (newest.parent / f".{newest.name}.999.tmp").write_bytes(data[: len(data) // 2])
    after = load_input()
    assert _findings(after) == reference_findings
    assert not run_reconcile(force=True).skipped
