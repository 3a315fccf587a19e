"""Nightly settlement reconciliation (issue 3): every cent Amazon owes, found before the claim
window closes.

The rules are pure functions on pandas frames of the stored tables (`ReconcileInput`); they
import no Prefect and no database code, so the flow's task only loads frames, calls `reconcile`
and stores the findings. Money is integer cents in the frames and Decimal in the findings.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

from sellerops.reconciliation.base import Context, FindingRecord, ReconcileInput, build_context
from sellerops.reconciliation.order_rules import (
    principal_mismatch,
    refund_exceeds_sale,
    refund_without_return,
    unsettled_order,
)
from sellerops.reconciliation.policy import Policy
from sellerops.reconciliation.settlement_rules import duplicate_charge, fee_outlier, settlement_total_mismatch

Rule = Callable[[ReconcileInput, Context], list[FindingRecord]]

RULES: dict[str, Rule] = {
    "settlement_total_mismatch": settlement_total_mismatch,
    "unsettled_order": unsettled_order,
    "principal_mismatch": principal_mismatch,
    "duplicate_charge": duplicate_charge,
    "fee_outlier": fee_outlier,
    "refund_without_return": refund_without_return,
    "refund_exceeds_sale": refund_exceeds_sale,
}
KINDS = tuple(RULES)


def reconcile(inp: ReconcileInput, as_of: dt.date | None = None, policy: Policy = Policy()) -> list[FindingRecord]:
    """Every finding over the loaded data, in rule order. as_of defaults, per account,
    marketplace and currency, to the UTC date of the latest settlement-end-date loaded."""
    ctx = build_context(inp, as_of, policy)
    findings: list[FindingRecord] = []
    for rule in RULES.values():
        findings.extend(rule(inp, ctx))
    return findings


__all__ = [
    "KINDS", "RULES", "Context", "FindingRecord", "Policy", "ReconcileInput", "build_context", "reconcile",
    "duplicate_charge", "fee_outlier", "principal_mismatch", "refund_exceeds_sale", "refund_without_return",
    "settlement_total_mismatch", "unsettled_order",
]
