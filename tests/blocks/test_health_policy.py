"""The HealthPolicy block: a field for every threshold and margin, unset fields keep the defaults in code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from blocks.health_policy import HealthPolicy
from sellerops.health.levels import DEFAULT_RULES, PolicyError


def test_every_threshold_and_margin_has_a_field_and_none_set_is_the_defaults():
    names = set(HealthPolicy.model_fields)
    for signal, rule in DEFAULT_RULES.items():
        assert {f"{signal}_{b.level}" for b in rule.boundaries} | {f"{signal}_margin"} <= names
    assert dict(HealthPolicy().thresholds().rules) == DEFAULT_RULES
    assert HealthPolicy().windows() is None


def test_set_fields_override_only_themselves():
    policy = HealthPolicy(late_shipment_rate_critical=Decimal("0.05"), inventory_turnover_margin=3, role="owner",
                          decision_hours=4)
    t = policy.thresholds()
    assert t["late_shipment_rate"].boundary("critical").threshold == Decimal("0.05")
    assert t["late_shipment_rate"].boundary("warning").threshold == Decimal("0.04")
    assert t["inventory_turnover"].margin == 3 and t["odr"] == DEFAULT_RULES["odr"]
    assert (policy.settings().role, policy.settings().decision_hours, policy.settings().freeze_role) == (
        "owner", 4, "operations_manager")


def test_a_threshold_that_inverts_the_levels_is_refused_by_name():
    with pytest.raises(PolicyError, match="odr: thresholds"):
        HealthPolicy(odr_warning=Decimal("0.02")).thresholds()
