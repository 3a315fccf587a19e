"""`HealthPolicy`: the account-health watch's thresholds, hysteresis margins, windows and who answers, as a Prefect block.

Every default lives in code (`sellerops.health.levels.DEFAULT_RULES`, the measurement windows of
sellerops.health.measure, `sellerops.health.procedures.Settings`); a saved block named `default`
(or the one named by SELLEROPS_HEALTH_POLICY_BLOCK) overrides only the fields it sets, so with no
saved block the defaults hold. A threshold moves a boundary; its inequality (≥, >, <) stays the
rule's. Rates are fractions (0.01 is 1 %).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from prefect.blocks.core import Block
from pydantic import Field

from blocks import load_saved

DEFAULT_BLOCK = "default"
WINDOW_FIELDS = ("accuracy_days", "ad_days", "ad_min_clicks", "cover_days", "lead_time_pos")
SETTING_FIELDS = ("role", "freeze_role", "decision_hours", "removal_cover_days")


class HealthPolicy(Block):
    """Overrides of the account-health watch; unset fields keep the defaults in code."""

    _block_type_name = "Health Policy"
    _block_type_slug = "health-policy"
    _description = ("Overrides of sellerops' account-health watch: every threshold and hysteresis margin, the "
                    "measurement windows, who answers its decisions and the notification block.")

    # odr
    odr_notice: Optional[Decimal] = Field(
        default=None, description="Notice when the value is >= this (0.008).")
    odr_warning: Optional[Decimal] = Field(
        default=None, description="Warning when the value is >= this (0.01).")
    odr_critical: Optional[Decimal] = Field(
        default=None, description="Critical when the value is >= this (0.011).")
    odr_margin: Optional[Decimal] = Field(
        default=None, description="Hysteresis margin, in the value's units (0.001).")
    # inventory_accuracy
    inventory_accuracy_warning: Optional[Decimal] = Field(
        default=None, description="Warning when the value is < this (0.99).")
    inventory_accuracy_critical: Optional[Decimal] = Field(
        default=None, description="Critical when the value is < this (0.98).")
    inventory_accuracy_margin: Optional[Decimal] = Field(
        default=None, description="Hysteresis margin, in the value's units (0.001).")
    # supplier_lead_time
    supplier_lead_time_warning: Optional[Decimal] = Field(
        default=None, description="Warning when the value is > this (2).")
    supplier_lead_time_critical: Optional[Decimal] = Field(
        default=None, description="Critical when the value is > this (3).")
    supplier_lead_time_margin: Optional[Decimal] = Field(
        default=None, description="Hysteresis margin, in the value's units (0.25).")
    # inventory_turnover
    inventory_turnover_warning: Optional[Decimal] = Field(
        default=None, description="Warning when the value is > this (35).")
    inventory_turnover_critical: Optional[Decimal] = Field(
        default=None, description="Critical when the value is > this (45).")
    inventory_turnover_margin: Optional[Decimal] = Field(
        default=None, description="Hysteresis margin, in the value's units (2).")
    # ad_conversion
    ad_conversion_warning: Optional[Decimal] = Field(
        default=None, description="Warning when the value is < this (0.10).")
    ad_conversion_critical: Optional[Decimal] = Field(
        default=None, description="Critical when the value is < this (0.08).")
    ad_conversion_margin: Optional[Decimal] = Field(
        default=None, description="Hysteresis margin, in the value's units (0.005).")
    # late_shipment_rate
    late_shipment_rate_warning: Optional[Decimal] = Field(
        default=None, description="Warning when the value is >= this (0.04).")
    late_shipment_rate_critical: Optional[Decimal] = Field(
        default=None, description="Critical when the value is >= this (0.044).")
    late_shipment_rate_margin: Optional[Decimal] = Field(
        default=None, description="Hysteresis margin, in the value's units (0.001).")
    # cancel_rate
    cancel_rate_warning: Optional[Decimal] = Field(
        default=None, description="Warning when the value is >= this (0.025).")
    cancel_rate_critical: Optional[Decimal] = Field(
        default=None, description="Critical when the value is >= this (0.0275).")
    cancel_rate_margin: Optional[Decimal] = Field(
        default=None, description="Hysteresis margin, in the value's units (0.001).")
    # valid_tracking_rate
    valid_tracking_rate_warning: Optional[Decimal] = Field(
        default=None, description="Warning when the value is < this (0.95).")
    valid_tracking_rate_critical: Optional[Decimal] = Field(
        default=None, description="Critical when the value is < this (0.855).")
    valid_tracking_rate_margin: Optional[Decimal] = Field(
        default=None, description="Hysteresis margin, in the value's units (0.001).")
    # ip_complaints
    ip_complaints_warning: Optional[Decimal] = Field(
        default=None, description="Warning when the value is > this (0).")
    ip_complaints_margin: Optional[Decimal] = Field(
        default=None, description="Hysteresis margin, in the value's units (0).")
    # the windows (days ending at the watch's clock) and the lead-time sample
    accuracy_days: Optional[int] = Field(default=None, ge=1, description="Days of cycle counts judged (7).")
    ad_days: Optional[int] = Field(default=None, ge=1, description="Days of search terms judged (14).")
    ad_min_clicks: Optional[int] = Field(default=None, ge=1, description="Clicks a keyword needs to be judged (100).")
    cover_days: Optional[int] = Field(default=None, ge=1, description="Days of shipments behind days of cover (30).")
    lead_time_pos: Optional[int] = Field(default=None, ge=1, description="Arrived POs per supplier judged (10).")

    # the answering procedures
    role: Optional[str] = Field(default=None, description="Who answers rechecks, clearances and backups (operations).")
    freeze_role: Optional[str] = Field(default=None, description="Who lifts a warehouse freeze (operations_manager).")
    decision_hours: Optional[float] = Field(default=None, ge=0, description="Hours a person has to decide (24).")
    removal_cover_days: Optional[int] = Field(
        default=None, ge=1, description="Cover beyond which clearance proposes removal, not a markdown (120).")
    notify_block: Optional[str] = Field(
        default=None, description="Notification block told of supplier switches, e.g. slack-webhook/ops.")

    def thresholds(self):
        from sellerops.health.levels import DEFAULT_RULES, Thresholds

        bounds, margins = {}, {}
        for signal, rule in DEFAULT_RULES.items():
            for b in rule.boundaries:
                value = getattr(self, f"{signal}_{b.level}")
                if value is not None:
                    bounds.setdefault(signal, {})[b.level] = value
            if getattr(self, f"{signal}_margin") is not None:
                margins[signal] = getattr(self, f"{signal}_margin")
        return Thresholds().with_overrides(bounds, margins)

    def windows(self):
        """The measurement windows, or None when none is overridden (the measurement's own defaults)."""
        given = {f: getattr(self, f) for f in WINDOW_FIELDS if getattr(self, f) is not None}
        if not given:
            return None
        from sellerops.health.measure import Windows

        return Windows(**given)

    def settings(self):
        from sellerops.health.procedures import Settings

        return Settings(**{f: getattr(self, f) for f in SETTING_FIELDS if getattr(self, f) is not None})


def load_policy_block(name: str | None = None) -> HealthPolicy:
    """The saved policy block, or one holding only the defaults when none is saved."""
    return load_saved(HealthPolicy, "SELLEROPS_HEALTH_POLICY_BLOCK", name, DEFAULT_BLOCK)
