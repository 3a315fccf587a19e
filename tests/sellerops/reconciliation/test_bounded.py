"""Bounded nights against full recomputes on the demo seller: two databases are fed the same files
night after night — late settlements, re-downloads, a clock that moves without new files, a policy
change, a gap night far past the data — one reconciling as the nightly does (bounded unless it
cannot be), the other with `--full` every night; their findings stores must hold exactly the same
findings, evidence included. Then the bounded night's own decisions: what makes it full, what it
judges, and that it reads no settlement it does not need."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from sellerops.demo import write_demo_data
from sellerops.ingest import ingest_paths
from sellerops.reconciliation import Policy, bounded
from sellerops.reconciliation.runs import run_reconcile
from sellerops.storage import tables
from sellerops.storage.engine import get_engine
from tests.sellerops.reconciliation.spies import copy_reads

_COMPARED = ("key", "kind", "status", "marketplace", "settlement_id", "order_id", "sku", "line_no", "amount_cents",
             "currency", "detail", "claim_window_opens", "claim_window_closes", "procedure")


def _findings() -> dict[str, dict]:
    t = tables.Finding.__table__
    with get_engine().connect() as c:
        rows = c.execute(sa.select(t)).mappings().all()
    return {r["key"]: {**{k: r[k] for k in _COMPARED}, "evidence": json.loads(r["evidence"])} for r in rows}


def _window(src: Path, dst: Path, keep: slice) -> Path:
    """A side report as a pull of part of its rows (header kept): an earlier, shorter download."""
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    dst.write_text("".join(lines[:1] + lines[1:][keep]), encoding="utf-8")
    return dst


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("bounded-demo")
    summary = write_demo_data(out, orders_per_day=15, days=100, seed=11)
    reports = out / "reports"
    later = out / "later"
    later.mkdir()
    files = {p.name: p for p in reports.iterdir()}
    settlements = sorted(p for n, p in files.items() if n.startswith("settlement_"))
    orders = sorted(p for n, p in files.items() if n.startswith("all_orders_"))
    early = {name: _window(files[name], later / f"early_{name}", slice(0, 8))
             for name in ("fba_customer_returns.txt", "seller_fulfilled_returns.txt", "reimbursements.txt")}
    # the same settlement downloaded again under another name: a duplicate, never a second copy
    again = later / f"redownload_{settlements[2].name}"
    again.write_bytes(settlements[2].read_bytes())
    start = summary.start
    day = lambda n: start + dt.timedelta(days=n)  # noqa: E731
    tighter = dataclasses.replace(Policy(), grace_days_fba=14, min_lines_per_sku=4)
    return {"nights": [
        # (files, as_of, policy, expected to be bounded)
        (settlements[:2] + orders[:2], None, Policy(), False),  # the first run: nothing to build on
        ([settlements[2], orders[2]], None, Policy(), True),
        ([settlements[4], early["fba_customer_returns.txt"], early["reimbursements.txt"]], None, Policy(), True),
        ([settlements[3], again, orders[3], early["seller_fulfilled_returns.txt"]], None, Policy(), True),  # late
        ([], day(84), Policy(), True),  # no file, the clock alone moves
        ([settlements[5]], day(88), tighter, False),  # a policy change makes the run full by itself
        (settlements[6:] + [files["fba_customer_returns.txt"], files["seller_fulfilled_returns.txt"],
                            files["reimbursements.txt"]], day(112), tighter, True),  # full re-downloads
        ([], day(112 + 400), tighter, True),  # the gap night, far past the data
    ]}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def databases(request, tmp_path):
    """Per home ("bounded", "full"), its database URL: None for each home's own SQLite file, or a
    PostgreSQL schema of its own (dropped afterwards)."""
    if request.param == "sqlite":
        yield {}
        return
    from tests.conftest import pg_schemas

    with pg_schemas(request.getfixturevalue("pg_admin_engine"), "nightcost_bounded", "nightcost_full") as urls:
        yield dict(zip(("bounded", "full"), urls))


def _night(home: Path, monkeypatch, files, as_of, policy, force: bool, url: str | None = None):
    monkeypatch.setenv("SELLEROPS_HOME", str(home))
    if url:
        monkeypatch.setenv("SELLEROPS_DATABASE_URL", url)
    else:
        monkeypatch.delenv("SELLEROPS_DATABASE_URL", raising=False)
    if files:
        ingest_paths(list(files))
    return run_reconcile(as_of=as_of, policy=policy, force=force)


def test_bounded_nights_store_exactly_what_full_recomputes_store(demo, databases, tmp_path, monkeypatch):
    bounded_home, full_home = tmp_path / "bounded", tmp_path / "full"
    judged = []
    for n, (files, as_of, policy, expect_bounded) in enumerate(demo["nights"], 1):
        b = _night(bounded_home, monkeypatch, files, as_of, policy, force=False, url=databases.get("bounded"))
        mine = _findings()
        f = _night(full_home, monkeypatch, files, as_of, policy, force=True, url=databases.get("full"))
        theirs = _findings()
        assert f.full
        assert b.full is not expect_bounded, (n, b.why_full)
        assert mine == theirs, f"night {n}: the bounded store differs from the full recompute"
        assert (b.open, sorted(b.new), sorted(b.resolved)) == (f.open, sorted(f.new), sorted(f.resolved)), n
        judged.append(b.judged_orders)
    statuses = {v["status"] for v in mine.values()}
    kinds = {v["kind"] for v in mine.values()}
    # the sequence exercised what it claims: findings opened and resolved, of every family
    assert statuses == {"open", "resolved"}
    assert {"unsettled_order", "refund_without_return", "duplicate_charge", "fee_outlier"} <= kinds
    assert 0 < min(j for j in judged[1:4])  # a bounded night with new files judges their orders


def test_the_policy_change_says_why_the_run_was_full(demo, tmp_path, monkeypatch):
    files, _, policy, _ = demo["nights"][0]
    first = _night(tmp_path, monkeypatch, files, None, policy, force=False)
    assert first.full and first.why_full == "no earlier run to build on"
    files, _, _, _ = demo["nights"][1]
    other = dataclasses.replace(Policy(), tolerance=Policy().tolerance * 2)
    again = _night(tmp_path, monkeypatch, files, None, other, force=False)
    assert again.full and again.why_full == "the policy changed"
    forced = _night(tmp_path, monkeypatch, [], dt.date(2026, 12, 1), other, force=True)
    assert forced.full and forced.why_full == "--full"


def test_a_night_judged_at_an_earlier_date_is_full_and_the_next_one_too(demo, tmp_path, monkeypatch):
    files, _, policy, _ = demo["nights"][0]
    _night(tmp_path, monkeypatch, files, dt.date(2026, 3, 1), policy, force=False)
    back = _night(tmp_path, monkeypatch, [], dt.date(2026, 2, 1), policy, force=False)
    assert back.full and back.why_full == "judged at an earlier date than the last run"
    # it could not resolve what was not due yet, so it leaves no watermark to build on
    nxt = _night(tmp_path, monkeypatch, demo["nights"][1][0], dt.date(2026, 3, 2), policy, force=False)
    assert nxt.full and nxt.why_full == "no earlier run to build on"


def test_a_bounded_night_reads_only_the_settlements_that_can_hold_its_orders(demo, tmp_path, monkeypatch):
    for files, as_of, policy, _ in demo["nights"][:7]:
        _night(tmp_path, monkeypatch, files, as_of, policy, force=False)
    _, last_as_of, policy, _ = demo["nights"][6]
    read = copy_reads(monkeypatch, bounded)  # a spy: the real copies are still read and judged
    # one day later with nothing new: only the clock moved, so only the settlements where a refund's
    # claim window or an order's grace can have ended are read, never the first ones
    out = run_reconcile(as_of=last_as_of + dt.timedelta(days=1), policy=policy)
    assert not out.full
    with get_engine().connect() as c:
        rf = tables.ReportFile.__table__
        ids = sorted(c.execute(sa.select(rf.c.id).where(rf.c.report_type.like("%SETTLEMENT%"),
                                                        rf.c.status == "loaded")).scalars())
    assert len(ids) == 8 and read
    assert ids[0] not in read  # two months before the first refund whose window opens tonight
    assert len(set(read)) < len(ids)


@pytest.mark.parametrize("policy, horizon", [
    (Policy(), 548 + 45),  # the longest window closes 548 days after a refund (Japan); business grace 45
    (dataclasses.replace(Policy(), claim_window_closes_days=(("Amazon.com", 120),)), 120 + 45),
    (dataclasses.replace(Policy(), claim_window_closes_days=(("Amazon.com", 90),), grace_days_business=30),
     120 + 30),  # a marketplace no table names gets the default window, which closes at 120
    (dataclasses.replace(Policy(), horizon_days=200), 200),  # set by hand
])
def test_the_horizon_is_the_longest_claim_window_plus_the_longest_grace(policy, horizon):
    assert policy.horizon == horizon


def test_a_scope_judges_settlement_rules_by_settlement_and_order_rules_by_order():
    scope = bounded.Scope(settlements={"S1"}, orders={"O1"}, unsettled={"O2"}, unpaid={"O3"})
    assert scope.judges("duplicate_charge", "S1", "O9") and not scope.judges("duplicate_charge", "S2", "O1")
    assert scope.judges("refund_without_return", None, "O1")
    # an order whose grace alone ended, or an open unpaid one, is judged by unsettled_order only
    assert scope.judges("unsettled_order", None, "O2") and scope.judges("unsettled_order", None, "O3")
    assert not scope.judges("principal_mismatch", None, "O2") and not scope.judges("refund_exceeds_sale", None, "O3")
    assert scope.judges("a_kind_no_rule_makes", None, None)  # a full run would resolve it: so does the night


def test_an_order_whose_grace_alone_ended_is_judged_without_its_settlement_lines(demo, tmp_path, monkeypatch):
    from sellerops.reconciliation.input import load_input
    from sellerops.reconciliation.runs import _bounded_night, policy_digest

    for files, as_of, policy, _ in demo["nights"][:7]:
        _night(tmp_path, monkeypatch, files, as_of, policy, force=False)
    _, last_as_of, policy, _ = demo["nights"][6]
    night = _bounded_night("default", last_as_of + dt.timedelta(days=3), policy, policy_digest(policy))
    assert isinstance(night, bounded.Night)
    grace_only = night.scope.unsettled - night.scope.orders
    assert grace_only and not night.scope.settlements  # nothing new: only the clock moved
    with get_engine().connect() as c:
        night.conn = c
        inp = bounded.load_scoped(night)
    every = load_input("default")
    # no settlement line of theirs is read, not even from the copies that hold them ...
    assert not set(inp.settlement_lines["order_id"].astype(object)) & grace_only
    assert set(every.settlement_lines["order_id"].astype(object)) & grace_only
    # ... and of their order lines only the unpaid ones are left for unsettled_order to judge
    order_lines = every.settlement_lines[every.settlement_lines["transaction_type"].astype(object).eq("Order")]
    paid = set(zip(order_lines["order_id"].astype(object), order_lines["sku"].astype(object)))
    mine = inp.orders[inp.orders["amazon_order_id"].astype(object).isin(grace_only)]
    theirs = every.orders[every.orders["amazon_order_id"].astype(object).isin(grace_only)]
    kept = set(zip(mine["amazon_order_id"].astype(object), mine["sku"].astype(object)))
    assert kept == {k for k in zip(theirs["amazon_order_id"].astype(object), theirs["sku"].astype(object))
                    if k not in paid}
    assert len(kept) < len(theirs)  # some of them were paid


def test_the_paid_keys_of_a_settlement_are_its_order_lines_keys_and_are_kept(demo, tmp_path, monkeypatch):
    _night(tmp_path, monkeypatch, demo["nights"][0][0], None, Policy(), force=False)
    with get_engine().connect() as c:
        rf = tables.ReportFile.__table__
        f = c.execute(sa.select(rf).where(rf.c.report_type.like("%SETTLEMENT%")).order_by(rf.c.id)).first()
        lines = bounded.settlement_file_lines(c, f.account, f)
        keys = bounded.paid_keys(c, f.account, f)
        orders = lines[lines["transaction_type"].astype(object).eq("Order")]
        expected = {(a, o, s) for a, o, s in zip(orders["account"].astype(object), orders["order_id"].astype(object),
                                                 orders["sku"].astype(object))}
        h1, h2 = bounded.key_hashes(*(pd.Series(list(column)) for column in zip(*expected)))
        assert set(zip(keys["h1"], keys["h2"])) == set(zip(h1, h2)) and len(keys) == len(expected)
        assert bounded.is_paid(keys, h1, h2).all()
        other = bounded.key_hashes(pd.Series([f.account]), pd.Series(["no-such-order"]), pd.Series(["no-such-sku"]))
        assert not bounded.is_paid(keys, *other).any()
        monkeypatch.setattr(bounded, "settlement_file_lines", lambda *a: pytest.fail("kept keys re-read the lines"))
        again = bounded.paid_keys(c, f.account, f)
    assert again.equals(keys)


def test_a_paid_key_matches_only_the_same_key_a_missing_value_only_a_missing_one():
    keys_of = bounded.key_hashes(pd.Series(["A", "A", "A"]), pd.Series(["1", "1", "2"]), pd.Series(["x", None, ""]))
    order = np.lexsort((keys_of[1], keys_of[0]))
    keys = pd.DataFrame({"h1": keys_of[0][order], "h2": keys_of[1][order]})
    asked = bounded.key_hashes(pd.Series(["A"] * 6 + ["B"]), pd.Series(["1", "1", "1", "2", "2", "3", "1"]),
                               pd.Series(["x", None, "", "", None, "x", "x"]))
    assert bounded.is_paid(keys, *asked).tolist() == [True, True, False, True, False, False, False]
    # several keys sharing a first hash are told apart by the second
    twins = pd.DataFrame({"h1": np.array([5, 7, 7, 7], dtype=np.uint64), "h2": np.array([1, 2, 3, 4], dtype=np.uint64)})
    assert bounded.is_paid(twins, np.array([7, 7, 5, 6], dtype=np.uint64),
                           np.array([3, 9, 1, 1], dtype=np.uint64)).tolist() == [True, False, True, False]


def test_keys_are_looked_up_as_one_value_however_many(db_url):
    """`_among` hands the database every key at once (SQLite: a JSON array through json_each, PostgreSQL:
    an array) and finds exactly the rows whose key is among them: more keys than one IN-list held,
    quotes, non-ASCII text, keys not stored and a NULL (which SQL never matches) included."""
    meta = sa.MetaData()
    probe = sa.Table("among_probe", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.Text))
    names = [f"111-{i:07d}-0000001" for i in range(25_000)] + ["o'brien \"x\"", "Zürich ✓", None]
    engine = get_engine()
    meta.create_all(engine)
    try:
        with engine.begin() as c:
            c.execute(probe.insert(), [{"id": i + 1, "name": n} for i, n in enumerate(names)])
        wanted = set(names[::2]) | {"o'brien \"x\"", "Zürich ✓", "not stored", None}
        with engine.connect() as c:
            got = pd.concat(list(bounded._query_frames(
                c, sa.select(probe.c.id, probe.c.name).where(bounded._among(c, probe.c.name, wanted)))))
            by_id = pd.concat(list(bounded._query_frames(
                c, sa.select(probe.c.id).where(bounded._among(c, probe.c.id, {np.int64(3), 25_001, 99_999})))))
        expected = {i + 1 for i, n in enumerate(names) if n is not None and n in wanted}
        assert set(got["id"].astype(int)) == expected and len(got) == len(expected)
        assert set(got["name"]) == {n for n in wanted if n is not None} - {"not stored"}
        assert sorted(by_id["id"].astype(int)) == [3, 25_001]
    finally:
        meta.drop_all(engine)
