"""Nightly settlement reconciliation: every cent Amazon owes, found before the claim window closes.

The rules are pure functions on pandas frames of the stored tables (`ReconcileInput`), one module
per rule family — settlements.py (the total, duplicate fees), fees.py (fee outliers), orders.py
(unsettled orders, principal mismatches), refunds.py (refunds without a return, above the sale) —
each declared with `@rule(local=...)` and listed in `RULES` below, in the order findings come out.
Each module opens with what its rules catch and which `Policy` fields steer them. They import no
Prefect and no database code: the flow's task only loads frames, calls `reconcile` and stores the
findings. Money is integer cents in the frames and Decimal in the findings.
"""

from __future__ import annotations

import datetime as dt

from sellerops.reconciliation.fees import fee_outlier
from sellerops.reconciliation.model import Context, FindingRecord, ReconcileInput, Rule, build_context
from sellerops.reconciliation.orders import principal_mismatch, unsettled_order
from sellerops.reconciliation.policy import Policy
from sellerops.reconciliation.refunds import refund_exceeds_sale, refund_without_return
from sellerops.reconciliation.settlements import duplicate_charge, settlement_total_mismatch

RULES: dict[str, Rule] = {r.kind: r for r in (
    settlement_total_mismatch,
    unsettled_order,
    principal_mismatch,
    duplicate_charge,
    fee_outlier,
    refund_without_return,
    refund_exceeds_sale,
)}
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
    "KINDS", "RULES", "Context", "FindingRecord", "Policy", "ReconcileInput", "Rule", "build_context", "reconcile",
    "duplicate_charge", "fee_outlier", "principal_mismatch", "refund_exceeds_sale", "refund_without_return",
    "settlement_total_mismatch", "unsettled_order",
]
