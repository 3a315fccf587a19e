"""The arithmetic of asking a person, without a database: deadlines, chains, the steps owed."""

from __future__ import annotations

import datetime as dt

import pytest

from sellerops.decisions.rules import (deadline_after, escalation_chain, parse_instant, step_due, steps_owed,
                                       steps_to_record)

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CHAIN = ["customer_service", "operations_manager", "owner"]


@pytest.mark.parametrize("text, expected", [
    ("2026-11-02T09:00:00Z", T0),                      # Z is UTC
    ("2026-11-02T10:00:00+01:00", T0),                 # an offset is converted to UTC
    ("2026-11-02T01:00:00-08:00", T0),
    ("2026-11-02T09:00:00", T0),                       # no offset: taken as UTC, not local time
    ("2026-11-02 09:00", T0),
])
def test_instants_take_an_offset_or_z_and_naive_is_utc(text, expected):
    got = parse_instant(text)
    assert got == expected and got.utcoffset() == dt.timedelta(0)


def test_a_bad_instant_says_what_was_expected():
    with pytest.raises(ValueError, match="expected an ISO-8601 time"):
        parse_instant("tomorrow")


@pytest.mark.parametrize("hours, expected", [
    (48, T0 + dt.timedelta(days=2)),
    (1.5, T0 + dt.timedelta(minutes=90)),               # fractions of an hour are kept
    (0.001, T0 + dt.timedelta(seconds=3.6)),            # down to seconds, for tests with short deadlines
    (0, T0),
])
def test_deadlines_take_fractional_hours(hours, expected):
    assert deadline_after(T0, hours) == expected


def test_deadlines_refuse_naive_times_and_negative_hours():
    with pytest.raises(ValueError, match="naive"):
        deadline_after(T0.replace(tzinfo=None), 1)
    with pytest.raises(ValueError, match="zero or more"):
        deadline_after(T0, -1)


@pytest.mark.parametrize("role, tail, expected", [
    ("legal", ("operations_manager", "owner"), ["legal", "operations_manager", "owner"]),
    # a role already on the chain is not asked twice
    ("operations_manager", ("operations_manager", "owner"), ["operations_manager", "owner"]),
    ("owner", ("operations_manager", "owner"), ["owner", "operations_manager"]),
    ("legal", ("owner",), ["legal", "owner"]),
])
def test_escalation_order_is_the_role_then_the_chain(role, tail, expected):
    assert escalation_chain(role, tail) == expected


@pytest.mark.parametrize("after_hours, expected", [
    (-0.1, 0),   # before the deadline nothing is owed
    (0, 1),      # at the deadline: the breach, told to operations_manager
    (23.9, 1),   # still within the first interval
    (24, 2),     # one interval later: owner
    (500, 2),    # never past the chain's end (3 roles, 2 steps)
])
def test_steps_owed_one_more_each_interval_up_to_the_chain_end(after_hours, expected):
    now = T0 + dt.timedelta(hours=after_hours)
    assert steps_owed(T0, 24, len(CHAIN), now) == expected


def test_a_one_role_chain_never_escalates():
    assert steps_owed(T0, 24, 1, T0 + dt.timedelta(days=9)) == 0


def test_a_late_sweep_catches_up_and_no_step_comes_twice():
    late = T0 + dt.timedelta(hours=30)
    first = steps_to_record(set(), T0, 24, CHAIN, late)
    # both steps owed by now, each with the time it was due
    assert first == [(1, "operations_manager", T0), (2, "owner", T0 + dt.timedelta(hours=24))]
    assert steps_to_record({1, 2}, T0, 24, CHAIN, late + dt.timedelta(days=3)) == []
    assert steps_to_record({1}, T0, 24, CHAIN, late) == [(2, "owner", T0 + dt.timedelta(hours=24))]


def test_step_due_starts_at_the_deadline():
    assert step_due(T0, 0.5, 1) == T0
    assert step_due(T0, 0.5, 3) == T0 + dt.timedelta(hours=1)
    with pytest.raises(ValueError):
        step_due(T0, 1, 0)
