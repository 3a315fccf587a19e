"""`ReturnsPolicy`: overrides of the returns procedure's thresholds, as a Prefect block.

The defaults live in code (`sellerops.returns.policy.Policy`); a saved block named `default` (or
the one named by SELLEROPS_RETURNS_POLICY_BLOCK) overrides only the fields it sets. With no saved
block the defaults hold (and labels say the return address is missing).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Optional

from prefect.blocks.core import Block
from pydantic import Field

from blocks import load_saved

DEFAULT_BLOCK = "default"


class ReturnsPolicy(Block):
    """When a return is authorised alone, who is a VIP, the care script's register, the return address."""

    _block_type_name = "Returns Policy"
    _block_type_slug = "returns-policy"
    _description = "Overrides of sellerops' returns policy (value limit, review reasons, VIP thresholds, labels)."

    auto_authorize_max: Optional[Decimal] = Field(default=None, description="Most a return may be worth to be authorised alone (150).")
    auto_authorize_max_by_currency: Optional[dict[str, Decimal]] = Field(default=None, description="Per currency, e.g. {\"JPY\": 20000}.")
    review_reasons: Optional[list[str]] = Field(default=None, description="Return reasons a person always decides.")
    vip_clv: Optional[Decimal] = Field(default=None, description="A VIP's lifetime value is over this (500).")
    vip_clv_by_currency: Optional[dict[str, Decimal]] = Field(default=None, description="Per currency.")
    vip_orders: Optional[int] = Field(default=None, description="A VIP placed more orders than this in 365 days (3).")
    decision_hours: Optional[float] = Field(default=None, description="Hours a person has to decide (6).")
    escalate_every_hours: Optional[float] = Field(default=None, description="One escalation step more each (24).")
    german_register: Optional[Literal["de-formal", "de-informal"]] = Field(default=None, description="German care script (de-formal).")
    return_address: Optional[str] = Field(default=None, description="The seller's return address printed on labels.")
    spike_margin: Optional[Decimal] = Field(default=None, description="Points over the 8-week baseline that make a spike (5).")
    spike_min_units: Optional[int] = Field(default=None, description="Units shipped in the week, at least (20).")

    def policy(self):
        from sellerops.returns.policy import Policy

        fields = ("auto_authorize_max", "auto_authorize_max_by_currency", "review_reasons", "vip_clv",
                  "vip_clv_by_currency", "vip_orders", "decision_hours", "escalate_every_hours", "german_register",
                  "return_address", "spike_margin", "spike_min_units")
        return Policy().with_overrides(**{f: getattr(self, f) for f in fields})


def load_returns_policy(name: str | None = None) -> ReturnsPolicy:
    """The saved policy block, or one holding only the defaults when none is saved."""
    return load_saved(ReturnsPolicy, "SELLEROPS_RETURNS_POLICY_BLOCK", name, DEFAULT_BLOCK)
