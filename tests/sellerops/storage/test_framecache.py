"""The columnar copies (sellerops.storage.framecache) give the reconciliation exactly what the database holds.

Each test loads generated reports, then compares the reconciliation's input read through the copies
with the same input read from the database alone, frame by frame, and the findings of both.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from sellerops.storage import framecache
from sellerops.demo import write_demo_data
from sellerops.reconciliation.input import load_input
from sellerops.reconciliation.runs import run_reconcile
from sellerops.ingest import ingest_paths
from sellerops.reconciliation import Policy, reconcile

TABLES = ("settlements", "settlement_lines", "orders", "fba_returns", "seller_returns", "reimbursements")


@pytest.fixture
def loaded(db_url, tmp_path):
    demo = write_demo_data(tmp_path / "demo", orders_per_day=20, days=60, seed=11)
    outcomes = ingest_paths([tmp_path / "demo" / "reports"])
    assert {o.status for o in outcomes} == {"loaded"}
    return demo


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Values only: categoricals as objects (category order is not part of the contract)."""
    return pd.DataFrame({c: (df[c].astype(object) if isinstance(df[c].dtype, pd.CategoricalDtype) else df[c])
                         for c in df.columns})


def _same(a, b) -> None:
    for name in TABLES:
        fa, fb = getattr(a, name), getattr(b, name)
        assert list(fa.columns) == list(fb.columns), name
        assert len(fa) == len(fb), name
        pd.testing.assert_frame_equal(_plain(fa), _plain(fb), obj=name)


def _findings(inp) -> list[tuple]:
    return sorted((r.kind, r.settlement_id or "", r.order_id or "", r.sku or "", r.line_no or 0, str(r.amount),
                   str(r.evidence)) for r in reconcile(inp, None, Policy()))


def test_loading_writes_a_copy_per_settlement_and_order_report(loaded):
    copies = sorted(p.parent.name for p in framecache.root().rglob("*.pkl"))
    assert copies.count("settlement_lines") >= 4
    assert copies.count("orders") >= 1
    assert set(copies) == {"settlement_lines", "orders"}


def test_copies_and_database_give_the_same_input_and_findings(loaded):
    cached = load_input()
    shutil.rmtree(framecache.root())
    from_db = load_input()  # reads the database, writes the settlement copies again
    _same(cached, from_db)
    assert _findings(cached) == _findings(from_db)
    assert len(_findings(cached)) == loaded.findings
    assert any(p.parent.name == "settlement_lines" for p in framecache.root().rglob("*.pkl"))


def test_a_damaged_copy_is_ignored_and_replaced(loaded):
    reference = load_input()
    for p in framecache.root().rglob("*.pkl"):
        p.write_bytes(b"not a pickle")
    _same(load_input(), reference)


def test_a_copy_made_for_another_recording_is_not_used(loaded, tmp_path):
    """A copy names the report_file row it was made from (id, sha256, time recorded): a file with
    another stamp, e.g. from a database that was re-created, is never read."""
    reference = load_input()
    for p in framecache.root().rglob("*.pkl"):
        fid, sha, stamp, version = p.stem.split("-")
        poisoned = pd.read_pickle(p)
        poisoned = poisoned.iloc[:0] if len(poisoned) else poisoned
        poisoned.to_pickle(p)  # the right name, wrong content: would be used
        shutil.move(p, p.with_name(f"{fid}-{sha}-{int(stamp) + 1}-{version}.pkl"))
    _same(load_input(), reference)


def test_orders_come_from_the_file_that_won_the_upsert(db_url, tmp_path):
    """Order lines are upserted (newest last-updated-date wins): the input holds each line's newest
    values even though both files' copies exist."""
    from tests.sellerops.reports.make_data import orders

    new, old = tmp_path / "1.txt", tmp_path / "2.txt"
    new.write_text("\n".join(orders([dict(order_status="Shipped", last_updated_date="2026-06-05T00:00:00+00:00")])) + "\n")
    old.write_text("\n".join(orders([dict(order_status="Pending", last_updated_date="2026-06-02T00:00:00+00:00")])) + "\n")
    ingest_paths([new])
    ingest_paths([old])  # an older download arriving later: its copy exists, its values must not win
    orders = load_input().orders
    assert orders["order_status"].astype(object).tolist() == ["Shipped"]
    assert orders["file"].astype(object).tolist() == [str(new.resolve())]
    assert len(list(framecache.root().rglob("*.pkl"))) == 2


def test_a_report_downloaded_again_to_the_same_path_reads_both_files(db_url, tmp_path):
    """The day's all-orders download overwrites yesterday's file of the same name: both contents
    stay loaded (two report files, one path), each order line from the file that holds it now, and
    the evidence names the one path."""
    from tests.sellerops.reports.make_data import orders

    path = tmp_path / "all_orders.txt"
    path.write_text("\n".join(orders([dict(amazon_order_id="111-0000001-0000001")])) + "\n")
    ingest_paths([path])
    path.write_text("\n".join(orders([dict(amazon_order_id="111-0000002-0000002")])) + "\n")
    ingest_paths([path])
    got = load_input().orders
    assert sorted(got["amazon_order_id"].astype(object)) == ["111-0000001-0000001", "111-0000002-0000002"]
    assert got["file"].astype(object).tolist() == [str(path.resolve())] * 2


def test_copies_no_report_file_names_are_pruned(loaded):
    """An old copy whose report_file row is gone (e.g. a database re-created under the same URL) and
    a crashed writer's old temporary file are removed when the reconciliation runs; the live ones, and
    recent files another loader may be writing, stay."""
    import os

    live = sorted(p.name for p in framecache.root().rglob("*.pkl"))
    folder = framecache.root() / "settlement_lines"
    stale = folder / "999-0123456789abcdef-1-v1.pkl"
    recent = folder / "998-0123456789abcdef-1-v1.pkl"
    old_tmp, new_tmp = folder / ".1-x.pkl.1.tmp", folder / ".2-x.pkl.2.tmp"
    for p in (stale, recent, old_tmp, new_tmp):
        p.write_bytes(b"x")
    os.utime(stale, (0, 0))
    os.utime(old_tmp, (0, 0))
    load_input()  # a read deletes nothing
    assert stale.exists() and old_tmp.exists()
    run_reconcile(force=True)
    assert not stale.exists() and not old_tmp.exists()
    assert new_tmp.exists() and recent.exists()  # may be a loader writing right now
    recent.unlink()
    assert sorted(p.name for p in framecache.root().rglob("*.pkl")) == live


def test_the_paid_keys_of_a_settlement_no_longer_loaded_are_pruned_with_its_copy(loaded):
    """A settlement's paid keys (kept beside its lines' copy for the bounded night) go when no loaded
    report file names them any more, once old enough; those of the loaded settlements stay."""
    import os

    from sellerops.core.config import settings
    from sellerops.reconciliation import bounded
    from sellerops.reconciliation.input import _report_files, live_copies
    from sellerops.reports.settlement import REPORT_TYPE
    from sellerops.storage import tables
    from sellerops.storage.engine import get_engine

    with get_engine().connect() as c:
        files = sorted((f for f in _report_files(c, settings().account).values() if f.report_type == REPORT_TYPE),
                       key=lambda f: f.id)
        for f in files:
            bounded.paid_keys(c, f.account, f)
    paths = {f.id: framecache.paid_keys_path(f) for f in files}
    assert len(paths) >= 2 and all(p.exists() for p in paths.values())
    for p in paths.values():
        os.utime(p, (0, 0))  # old enough: not a loader's file being written
    framecache.prune(live_copies())
    assert all(p.exists() for p in paths.values())  # every settlement is still loaded
    gone = files[0]
    rf = tables.ReportFile.__table__
    with get_engine().begin() as c:
        c.execute(rf.update().where(rf.c.id == gone.id).values(status="quarantined"))
    framecache.prune(live_copies())
    assert not paths[gone.id].exists()
    assert all(paths[f.id].exists() for f in files[1:])


@pytest.mark.parametrize("cats", [
    (["Order", "Refund"], ["Order", "Refund"], ["Order", "Refund"]),  # the same categories: codes kept
    (["Order", "Refund"], ["Refund", "Adjustment"], []),             # different ones: joined
    ([f"o{i}" for i in range(300)], [f"o{i}" for i in range(150, 450)], ["o7"]),  # wider than int8
])
def test_concat_joins_categoricals_as_their_values_would(cats):
    parts = []
    for i, c in enumerate(cats):
        values = [c[(i + j) % len(c)] if c else None for j in range(5)] + [None]
        parts.append(pd.DataFrame({"t": pd.Series(values, dtype=pd.CategoricalDtype(c))}))
    got = framecache.concat(parts)["t"]
    want = pd.concat([p["t"].astype(object) for p in parts], ignore_index=True)
    assert isinstance(got.dtype, pd.CategoricalDtype)
    assert got.astype(object).where(got.notna(), None).tolist() == want.where(want.notna(), None).tolist()
    assert got.cat.codes.dtype == pd.Categorical.from_codes([], categories=got.cat.categories).codes.dtype
