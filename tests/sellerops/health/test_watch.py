"""The watch's judgement without a database: levels from the open warnings' levels, changes only when they move."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sellerops.health.levels import Thresholds
from sellerops.health.watch import changes, judge
from tests.sellerops.health.helpers import m


def test_a_new_warning_is_a_change_from_ok_and_the_same_level_is_no_change():
    [j] = judge([m("odr", "ATVPDKIKX0DER/afn", "0.0105")], {}, Thresholds())
    assert (j.previous, j.level, j.changed, j.worsened) == ("ok", "warning", True, True)
    [again] = judge([m("odr", "ATVPDKIKX0DER/afn", "0.0102")], {("odr", "ATVPDKIKX0DER/afn"): "warning"}, Thresholds())
    assert (again.level, again.changed) == ("warning", False)


def test_critical_straight_to_ok_is_one_change():
    [j] = judge([m("cancel_rate", "ATVPDKIKX0DER", "0.001")], {("cancel_rate", "ATVPDKIKX0DER"): "critical"},
                Thresholds())
    assert changes([j]) == [j] and (j.previous, j.level) == ("critical", "ok")


def test_subjects_are_judged_apart_and_a_value_given_as_text_is_a_decimal():
    js = judge([m("odr", "ATVPDKIKX0DER/afn", "0.012"), m("odr", "ATVPDKIKX0DER/mfn", "0.002")], {}, Thresholds())
    assert [(j.subject, j.level) for j in js] == [("ATVPDKIKX0DER/afn", "critical"), ("ATVPDKIKX0DER/mfn", "ok")]
    assert changes(js) == js[:1] and isinstance(js[0].value, Decimal)


def test_one_subject_measured_twice_in_one_evaluation_is_refused():
    with pytest.raises(ValueError, match="odr X: measured twice"):
        judge([m("odr", "X", "0.01"), m("odr", "X", "0.02")], {}, Thresholds())
