"""The fast rules equal their plain reference (reference.py) on generated sellers of several seeds:
the same findings by key, with the same amounts, currencies, claim windows and evidence rows.

The demo seller plants every kind of finding; its natural days add the noise the fast rules must
not mistake for one (legitimately repeated fees, partial refunds, returns, reversals). Frames are
read from its files as the rules read them (`read_frames`).
"""

from __future__ import annotations

import pytest

from sellerops.demo import write_demo_data
from tests.sellerops.demo.reading import read_frames
from sellerops.reconciliation import KINDS, RULES, Policy, build_context
from tests.sellerops.reconciliation import reference

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module", params=SEEDS)
def seller(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"seed{request.param}")
    write_demo_data(out, orders_per_day=12, days=60, seed=request.param)
    return read_frames(out / "reports")


def _fast(inp, kind: str, policy: Policy) -> dict[tuple, reference.Found]:
    out = {}
    for f in RULES[kind](inp, build_context(inp, None, policy)):
        window = (f.claim_window_opens, f.claim_window_closes) if f.claim_window_opens else None
        out[(f.account, f.settlement_id, f.order_id, f.sku, f.line_no)] = reference.Found(
            f.kind, f.account, f.settlement_id, f.order_id, f.sku, f.line_no, f.amount, f.currency,
            tuple((e["file"], e["line"]) for e in f.evidence), window)
    return out


def _slow(found: list[reference.Found]) -> dict[tuple, reference.Found]:
    return {(f.account, f.settlement_id, f.order_id, f.sku, f.line_no): f for f in found}


@pytest.mark.parametrize("policy", [Policy(), Policy(min_lines_per_sku=3, fee_period_splits=())],
                         ids=["default-policy", "fewer-lines-one-fee-period"])
def test_every_rule_equals_its_reference(seller, policy):
    slow = reference.reconcile(seller, policy=policy)
    assert set(slow) == set(KINDS)
    for kind in KINDS:
        assert _fast(seller, kind, policy) == _slow(slow[kind]), kind


def test_the_generated_sellers_exercise_every_rule(tmp_path):
    # if a seed stopped planting a kind, the comparison above would prove nothing about that rule
    write_demo_data(tmp_path, orders_per_day=12, days=60, seed=SEEDS[0])
    slow = reference.reconcile(read_frames(tmp_path / "reports"))
    assert {kind for kind, found in slow.items() if found} == set(KINDS)
