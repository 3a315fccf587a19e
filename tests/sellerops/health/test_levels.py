"""Each signal's levels at, just below and just above each boundary, and the hysteresis both ways.

Values are Decimals as the watch gets them; "just" is one unit in the last place a report would
carry (0.0001 of a rate, 0.01 day, 1 day of cover), well inside every margin.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from sellerops.health.levels import DEFAULT_RULES, SIGNALS, PolicyError, Thresholds, level

R = DEFAULT_RULES

# (signal, value, level from ok): the inequalities exactly as the issue writes them
BOUNDARIES = [
    # odr: notice ≥ 0.8 %, warning ≥ 1 %, critical ≥ 1.1 % — "≥": the boundary itself is the level
    ("odr", "0.0079", "ok"), ("odr", "0.008", "notice"), ("odr", "0.0081", "notice"),
    ("odr", "0.0099", "notice"), ("odr", "0.01", "warning"), ("odr", "0.0101", "warning"),
    ("odr", "0.0109", "warning"), ("odr", "0.011", "critical"), ("odr", "0.0111", "critical"),
    # inventory_accuracy: warning < 99 %, critical < 98 % — "<": the boundary itself is the better level
    ("inventory_accuracy", "0.9901", "ok"), ("inventory_accuracy", "0.99", "ok"),
    ("inventory_accuracy", "0.9899", "warning"), ("inventory_accuracy", "0.9801", "warning"),
    ("inventory_accuracy", "0.98", "warning"), ("inventory_accuracy", "0.9799", "critical"),
    # supplier_lead_time: abs(mean) > 2 warning, > 3 critical — early counts as much as late
    ("supplier_lead_time", "1.99", "ok"), ("supplier_lead_time", "2", "ok"), ("supplier_lead_time", "2.01", "warning"),
    ("supplier_lead_time", "-2.01", "warning"), ("supplier_lead_time", "-2", "ok"),
    ("supplier_lead_time", "2.99", "warning"), ("supplier_lead_time", "3", "warning"),
    ("supplier_lead_time", "3.01", "critical"), ("supplier_lead_time", "-3.01", "critical"),
    # inventory_turnover: days of cover > 35 warning, > 45 critical; stock and nothing shipped: critical
    ("inventory_turnover", "34", "ok"), ("inventory_turnover", "35", "ok"), ("inventory_turnover", "36", "warning"),
    ("inventory_turnover", "44", "warning"), ("inventory_turnover", "45", "warning"),
    ("inventory_turnover", "46", "critical"), ("inventory_turnover", "Infinity", "critical"),
    # ad_conversion: warning < 10 %, critical < 8 %
    ("ad_conversion", "0.1001", "ok"), ("ad_conversion", "0.10", "ok"), ("ad_conversion", "0.0999", "warning"),
    ("ad_conversion", "0.0801", "warning"), ("ad_conversion", "0.08", "warning"), ("ad_conversion", "0.0799", "critical"),
    # late_shipment_rate: warning ≥ 4 %, critical ≥ 4.4 %
    ("late_shipment_rate", "0.0399", "ok"), ("late_shipment_rate", "0.04", "warning"),
    ("late_shipment_rate", "0.0401", "warning"), ("late_shipment_rate", "0.0439", "warning"),
    ("late_shipment_rate", "0.044", "critical"), ("late_shipment_rate", "0.0441", "critical"),
    # cancel_rate: warning ≥ 2.5 %, critical ≥ 2.75 %
    ("cancel_rate", "0.0249", "ok"), ("cancel_rate", "0.025", "warning"), ("cancel_rate", "0.0251", "warning"),
    ("cancel_rate", "0.0274", "warning"), ("cancel_rate", "0.0275", "critical"), ("cancel_rate", "0.0276", "critical"),
    # valid_tracking_rate: warning < 95 %, critical < 85.5 %
    ("valid_tracking_rate", "0.9501", "ok"), ("valid_tracking_rate", "0.95", "ok"),
    ("valid_tracking_rate", "0.9499", "warning"), ("valid_tracking_rate", "0.8551", "warning"),
    ("valid_tracking_rate", "0.855", "warning"), ("valid_tracking_rate", "0.8549", "critical"),
    # ip_complaints: the increase over the report before; any increase is a warning
    ("ip_complaints", "0", "ok"), ("ip_complaints", "1", "warning"), ("ip_complaints", "3", "warning"),
]


@pytest.mark.parametrize("signal,value,expected", BOUNDARIES)
def test_each_boundary_at_just_below_and_just_above(signal, value, expected):
    assert level(R[signal], D(value)) == expected


def test_every_signal_is_tested_at_its_boundaries():
    assert {b[0] for b in BOUNDARIES} == set(SIGNALS)


# (signal, previous level, value, level): moving down needs the margin beyond the boundary crossed
HYSTERESIS = [
    # odr critical (≥ 1.1 %), margin 0.1 point: 1.09 % is below the boundary but not by the margin
    ("odr", "critical", "0.0109", "critical"),
    ("odr", "critical", "0.01", "warning"),  # 1.1 − 1.0 = the margin exactly: down one, not past warning's 1 %
    ("odr", "critical", "0.0099", "warning"),  # clears critical by 0.11 point, warning's 1 % by only 0.01
    ("odr", "critical", "0.009", "notice"),  # clears critical and warning by the margin, not notice's 0.8 %
    ("odr", "critical", "0.007", "ok"),  # clears every boundary by the margin: critical straight to ok
    ("odr", "notice", "0.0075", "notice"),  # on the ok side of 0.8 % by 0.05 point only
    ("odr", "ok", "0.0109", "warning"),  # moving up is at once, hysteresis or not
    ("odr", "notice", "0.011", "critical"),
    # inventory_accuracy warning (< 99 %): back up to 99.05 % is not 99 % + 0.1 point
    ("inventory_accuracy", "warning", "0.9905", "warning"), ("inventory_accuracy", "warning", "0.991", "ok"),
    ("inventory_accuracy", "critical", "0.9809", "critical"), ("inventory_accuracy", "critical", "0.981", "warning"),
    # supplier lead time margin 0.25 day, judged on the magnitude
    ("supplier_lead_time", "critical", "2.8", "critical"), ("supplier_lead_time", "critical", "2.75", "warning"),
    ("supplier_lead_time", "critical", "-1.7", "ok"), ("supplier_lead_time", "warning", "1.8", "warning"),
    # days of cover margin 2 days
    ("inventory_turnover", "critical", "44", "critical"), ("inventory_turnover", "critical", "43", "warning"),
    ("inventory_turnover", "warning", "34", "warning"), ("inventory_turnover", "warning", "33", "ok"),
    # ad conversion margin 0.5 point
    ("ad_conversion", "critical", "0.084", "critical"), ("ad_conversion", "critical", "0.085", "warning"),
    ("ad_conversion", "warning", "0.104", "warning"), ("ad_conversion", "critical", "0.106", "ok"),
    ("late_shipment_rate", "critical", "0.0435", "critical"), ("late_shipment_rate", "critical", "0.043", "warning"),
    ("cancel_rate", "warning", "0.0245", "warning"), ("cancel_rate", "warning", "0.024", "ok"),
    ("valid_tracking_rate", "critical", "0.8555", "critical"), ("valid_tracking_rate", "critical", "0.856", "warning"),
    ("valid_tracking_rate", "warning", "0.9505", "warning"), ("valid_tracking_rate", "warning", "0.951", "ok"),
    # ip complaints: the next report with no increase resolves it, a further increase keeps it
    ("ip_complaints", "warning", "0", "ok"), ("ip_complaints", "warning", "2", "warning"),
]


@pytest.mark.parametrize("signal,previous,value,expected", HYSTERESIS)
def test_hysteresis_both_ways(signal, previous, value, expected):
    assert level(R[signal], D(value), previous) == expected


def test_a_value_sitting_on_a_boundary_does_not_flap():
    levels, previous = [], "ok"
    for value in ["0.0101", "0.0099", "0.0101", "0.0099", "0.01"]:  # wobbling around odr's warning 1 %
        previous = level(R["odr"], D(value), previous)
        levels.append(previous)
    assert levels == ["warning"] * 5


def test_overrides_move_boundaries_keep_their_inequality_and_refuse_nonsense():
    t = Thresholds().with_overrides({"odr": {"critical": "0.02"}}, {"odr": "0.002"})
    assert level(t["odr"], D("0.011")) == "warning"
    assert level(t["odr"], D("0.02")) == "critical"  # still ≥
    assert level(t["odr"], D("0.0185"), "critical") == "critical"  # the new margin: 0.2 point
    assert level(Thresholds()["odr"], D("0.011")) == "critical"  # the defaults are untouched
    with pytest.raises(PolicyError, match="odr: no 'notise' level"):
        Thresholds().with_overrides({"odr": {"notise": "0.1"}})
    with pytest.raises(PolicyError, match="must get stricter"):
        Thresholds().with_overrides({"valid_tracking_rate": {"critical": "0.96"}})
    with pytest.raises(PolicyError, match="unknown signal 'odd'"):
        Thresholds().with_overrides(margins={"odd": 1})
    with pytest.raises(PolicyError, match="not a number"):
        Thresholds().with_overrides({"odr": {"warning": "1 %"}})
