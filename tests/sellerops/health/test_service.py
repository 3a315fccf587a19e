"""The watch against the database: warnings opened, updated and resolved, one row per level change,
the values behind the trends, and what `sellerops health` shows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sellerops.health.service import history, run_watch, trend, warnings
from sellerops.storage.engine import session
from tests.sellerops.health.helpers import T0, hours, m, measuring

ODR = "ATVPDKIKX0DER/afn"


def _run(s, now, *ms):
    return run_watch(s, now, measure=measuring(*ms))


def test_a_warning_lives_from_its_first_change_to_its_resolution(db_url):
    with session() as s:
        first = _run(s, T0, m("odr", ODR, "0.009", at=T0))
        same = _run(s, T0 + hours(1), m("odr", ODR, "0.0095", at=T0 + hours(1)))  # still notice: no change
        worse = _run(s, T0 + hours(2), m("odr", ODR, "0.012", at=T0 + hours(2)))
        ok = _run(s, T0 + hours(3), m("odr", ODR, "0.005", at=T0 + hours(3)))  # critical straight to ok
        assert [(c.from_level, c.to_level) for c in first.changes] == [("ok", "notice")]
        assert same.changes == []
        assert [(c.from_level, c.to_level, c.procedure) for c in worse.changes] == [
            ("notice", "critical", "account-health-recheck")]
        assert [(c.from_level, c.to_level, c.procedure) for c in ok.changes] == [("critical", "ok", None)]
        assert [(h["from"], h["to"], h["value"]) for h in history(s)] == [
            ("ok", "notice", 0.009), ("notice", "critical", 0.012), ("critical", "ok", 0.005)]
        assert warnings(s) == []  # resolved
        assert [str(v) for v in trend(s, "odr", ODR)] == ["0.009", "0.0095", "0.012", "0.005"]
        again = _run(s, T0 + hours(4), m("odr", ODR, "0.0085", at=T0 + hours(4)))  # a new warning, a new row
        assert [(c.from_level, c.to_level) for c in again.changes] == [("ok", "notice")]
        assert again.changes[0].warning_id != first.changes[0].warning_id


def test_the_warnings_show_value_target_since_trend_and_action(sellerops_home):
    with session() as s:
        _run(s, T0, m("inventory_turnover", "SKU-1", "40", at=T0), m("ad_conversion", "kw", "0.2", at=T0))
        _run(s, T0 + hours(1), m("inventory_turnover", "SKU-1", "Infinity", at=T0 + hours(1)),
             m("ip_complaints", "ATVPDKIKX0DER", "1", at=T0 + hours(1)))
        rows = warnings(s)
        assert [list(r) for r in rows[:1]] == [["signal", "subject", "level", "value", "target", "since", "trend",
                                               "action"]]
        assert [(r["signal"], r["level"]) for r in rows] == [("inventory_turnover", "critical"),
                                                             ("ip_complaints", "warning")]
        cover = rows[0]
        # strict JSON has no Infinity: infinite cover is null, its level says what it means
        assert cover["value"] is None and cover["target"] == 35 and cover["trend"] == [40, None]
        assert cover["since"] == (T0 + hours(1)).isoformat()  # when critical began, not the warning
        assert cover["action"].startswith("slow-mover-clearance")
        assert rows[1]["action"] == "a warning only"
        assert [r["signal"] for r in warnings(s, level="warning")] == ["ip_complaints"]
        assert warnings(s, level="notice") == []
        with pytest.raises(ValueError, match="expected one of ok, notice"):
            warnings(s, level="bad")


def test_a_subject_not_measured_keeps_its_warning_and_a_rerun_at_the_same_clock_changes_nothing(sellerops_home):
    with session() as s:
        _run(s, T0, m("supplier_lead_time", "Acme", "3.5", at=T0))
        assert _run(s, T0 + hours(1)).changes == []  # no purchase order arrived: nothing says it got better
        assert [w["level"] for w in warnings(s)] == ["critical"]
        assert _run(s, T0, m("supplier_lead_time", "Acme", "3.5", at=T0)).changes == []
        assert len(history(s)) == 1 and len(trend(s, "supplier_lead_time", "Acme")) == 1


def test_the_clock_must_be_aware(sellerops_home):
    import datetime as dt

    with session() as s, pytest.raises(ValueError, match="naive now"):
        _run(s, dt.datetime(2026, 11, 2))


def test_a_new_warning_starts_its_trend_with_the_earlier_values_of_its_reports(sellerops_home):
    asked = []

    def history(session, signal, subject, before, limit):
        asked.append((signal, subject, before, limit))
        return [(T0 - hours(48), Decimal("0.003")), (T0 - hours(24), Decimal("0.009")), (T0, Decimal("0.0115"))]

    with session() as s:
        run_watch(s, T0, measure=measuring(m("odr", ODR, "0.0115", at=T0), m("odr", "X/mfn", "0.001", at=T0)),
                  history=history)
        run_watch(s, T0 + hours(1), measure=measuring(m("odr", ODR, "0.0115", at=T0 + hours(1))), history=history)
        # asked once, for the subject away from ok; the value at the measurement's own time is not doubled
        assert asked == [("odr", ODR, T0, 11)]
        assert [str(v) for v in trend(s, "odr", ODR)] == ["0.003", "0.009", "0.0115", "0.0115"]
        assert warnings(s)[0]["trend"] == [0.003, 0.009, 0.0115, 0.0115]
