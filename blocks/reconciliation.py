"""`ReconciliationPolicy`: overrides of the nightly reconciliation's thresholds, as a Prefect block.

The defaults live in code (`sellerops.reconciliation.Policy`); a saved block named `default` (or the one
named by SELLEROPS_POLICY_BLOCK) overrides only the fields it sets. With no saved block, or no
Prefect server to ask, the defaults hold.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Optional

from prefect.blocks.core import Block
from pydantic import Field

from blocks import load_saved

DEFAULT_BLOCK = "default"


class ReconciliationPolicy(Block):
    """Thresholds of the nightly reconciliation; unset fields keep the defaults in code."""

    _block_type_name = "Reconciliation Policy"
    _block_type_slug = "reconciliation-policy"
    _description = "Overrides of sellerops' reconciliation thresholds (grace days, tolerances, fee periods)."

    grace_days_fba: Optional[int] = Field(default=None, description="Days after purchase before an FBA order must be settled (21).")
    grace_days_seller_fulfilled: Optional[int] = Field(default=None, description="Same for seller-fulfilled orders (28).")
    grace_days_business: Optional[int] = Field(default=None, description="Same for business orders (45).")
    tolerance: Optional[Decimal] = Field(default=None, description="Money tolerance (0.01).")
    fee_tolerance_per_unit: Optional[Decimal] = Field(default=None, description="FBA fee tolerance per unit (0.05).")
    commission_tolerance_points: Optional[Decimal] = Field(default=None, description="Commission rate tolerance in percentage points (0.5).")
    min_lines_per_sku: Optional[int] = Field(default=None, description="Lines a SKU needs before its fees are judged (5).")
    fee_period_splits: Optional[list[tuple[int, int]]] = Field(default=None, description="(month, day) fee change dates ((1,15),(10,15)).")
    notify_block: Optional[str] = Field(default=None, description="Name of a Prefect notification block to alert on new findings.")
    notify_threshold: Decimal = Field(default=Decimal("100"), description="Money at stake in new findings that triggers a notification.")

    def policy(self):
        from sellerops.reconciliation import Policy

        overrides = {f.name: getattr(self, f.name) for f in dataclasses.fields(Policy)
                     if getattr(self, f.name, None) is not None}
        if "fee_period_splits" in overrides:
            overrides["fee_period_splits"] = tuple(tuple(x) for x in overrides["fee_period_splits"])
        return dataclasses.replace(Policy(), **overrides)


def load_policy_block(name: str | None = None) -> ReconciliationPolicy:
    """The saved policy block, or one holding only the defaults when none is saved."""
    return load_saved(ReconciliationPolicy, "SELLEROPS_POLICY_BLOCK", name, DEFAULT_BLOCK)
