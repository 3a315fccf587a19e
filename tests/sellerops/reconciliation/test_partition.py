"""Partitioned reconciliation (the pieces a Dask cluster runs) finds exactly what the in-process run
finds, evidence included, on the demo seller — whatever the number of order buckets."""

from __future__ import annotations

import pytest

from sellerops.demo import write_demo_data
from sellerops.reconciliation import Policy, reconcile
from sellerops.reconciliation.partition import SETTLEMENT_RULES, merge, order_bucket, partitions, run_partition
from tests.sellerops.demo.reading import read_frames


@pytest.fixture(scope="module")
def demo_input(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    write_demo_data(out, orders_per_day=20, days=60, seed=11)
    return read_frames(out / "reports")


def _full(findings):
    return sorted(((f.kind, f.key, f, f.evidence) for f in findings), key=lambda t: (t[0], t[1]))


@pytest.mark.parametrize("buckets", [1, 3, 8])
def test_pieces_find_exactly_the_in_process_findings(demo_input, buckets):
    whole = reconcile(demo_input, None, Policy())
    parts = partitions(demo_input, buckets)
    # One piece per settlement (5 in the demo) plus the order buckets.
    assert len(parts) == len(demo_input.settlements) + buckets
    got = merge([run_partition(p, None, Policy()) for p in parts])
    assert len(whole) >= 7 and _full(got) == _full(whole)


def test_each_piece_holds_only_its_subject(demo_input):
    parts = partitions(demo_input, 4)
    for p in parts:
        if p.settlement_id is not None:
            assert p.rules == SETTLEMENT_RULES
            assert set(p.inp.settlement_lines["settlement_id"].astype(object)) == {p.settlement_id}
        else:
            assert not set(SETTLEMENT_RULES) & set(p.rules)
            ids = p.inp.settlement_lines["order_id"].astype(object).dropna()
            assert all(order_bucket(i, 4) == p.bucket for i in ids)
    # Settlement lines are split, not copied: across the settlement pieces every line appears once.
    assert sum(len(p.inp.settlement_lines) for p in parts if p.settlement_id) == len(demo_input.settlement_lines)


def test_settlements_without_lines_share_one_piece_judged_as_the_whole_run_judges_them(demo_input):
    import dataclasses

    # A bounded night's input: every settlement's summary row, the lines of only a few of them.
    ids = sorted(demo_input.settlements["settlement_id"].astype(object))
    keep, others = ids[:2], ids[2:]
    lines = demo_input.settlement_lines
    inp = dataclasses.replace(demo_input, settlement_lines=lines[lines["settlement_id"].isin(keep).to_numpy()]
                              .reset_index(drop=True))
    parts = partitions(inp, 3)
    assert [p.name for p in parts] == ([f"settlement {s}" for s in keep] + [f"settlements without lines ({len(others)})"]
                                       + [f"orders {b}/3" for b in (1, 2, 3)])
    whole = reconcile(inp, None, Policy())
    # a settlement whose lines are missing does not add up: the line-less piece must find those too
    assert {f.settlement_id for f in whole if f.kind == "settlement_total_mismatch"} >= set(others)
    assert _full(merge([run_partition(p, None, Policy()) for p in parts])) == _full(whole)


def test_a_finding_outside_its_piece_is_dropped(demo_input):
    # A settlement piece sees every settlement's header but only its own lines, so the totals of the
    # others look wrong to it; `owns` must drop those, or the merge would hold false mismatches.
    part = partitions(demo_input, 1)[0]
    assert all(f.settlement_id == part.settlement_id for f in run_partition(part, None, Policy()))


def test_where_a_rule_runs_is_declared_on_the_rule():
    from sellerops.reconciliation import RULES, Rule
    from sellerops.reconciliation.model import rule
    from sellerops.reconciliation.partition import ORDER_RULES

    assert all(isinstance(r, Rule) and isinstance(r.local, bool) for r in RULES.values())
    assert SETTLEMENT_RULES == ("settlement_total_mismatch", "duplicate_charge", "fee_outlier")
    assert set(ORDER_RULES) == set(RULES) - set(SETTLEMENT_RULES)
    with pytest.raises(TypeError):  # no default: a new rule must say where it runs
        rule()(lambda inp, ctx: [])

    @rule(local=True)
    def a_new_rule(inp, ctx):
        """Finds nothing."""
        return []

    assert (a_new_rule.kind, a_new_rule.local, a_new_rule.__doc__) == ("a_new_rule", True, "Finds nothing.")
