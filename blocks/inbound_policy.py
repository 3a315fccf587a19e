"""`InboundPolicy`: overrides of the inbound tracker's SLA hours and claim windows, as a Prefect block.

The defaults live in code (`sellerops.inbound.nodes.Policy`); a saved block named `default` (or the
one named by SELLEROPS_INBOUND_POLICY_BLOCK) overrides only the fields it sets. With no saved block
the defaults hold.
"""

from __future__ import annotations

from typing import Optional

from prefect.blocks.core import Block
from pydantic import Field

from blocks import load_saved

DEFAULT_BLOCK = "default"


class InboundPolicy(Block):
    """SLA hours per node and the claim window of the inbound procedure; unset fields keep the defaults."""

    _block_type_name = "Inbound Policy"
    _block_type_slug = "inbound-policy"
    _description = "Overrides of sellerops' inbound tracker settings (SLA hours per node, claim window days)."

    sla_hours: Optional[dict[str, int]] = Field(default=None, description="Maximum dwell per node, e.g. {\"in_transit\": 300}.")
    claim_opens_days: Optional[int] = Field(default=None, description="Days after delivery a claim opens (15).")
    claim_closes_days: Optional[int] = Field(default=None, description="Days after delivery a claim closes (60).")
    valuation_days: Optional[int] = Field(default=None, description="Days of orders before delivery that value a unit (90).")
    closing_soon_days: Optional[int] = Field(default=None, description="Days before the window closes to warn (7).")

    def policy(self):
        from sellerops.inbound.nodes import Policy

        fields = ("sla_hours", "claim_opens_days", "claim_closes_days", "valuation_days", "closing_soon_days")
        return Policy().with_overrides(**{f: getattr(self, f) for f in fields if getattr(self, f) is not None})


def load_policy_block(name: str | None = None) -> InboundPolicy:
    """The saved policy block, or one holding only the defaults when none is saved."""
    return load_saved(InboundPolicy, "SELLEROPS_INBOUND_POLICY_BLOCK", name, DEFAULT_BLOCK)
