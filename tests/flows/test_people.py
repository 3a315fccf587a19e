"""flows.people, the one way a flow waits for a person: the pause is never the deadline, and how often
a paused run looks for its answer. Suspending and pausing themselves are exercised by the flows
that wait (tests/flows/test_takedown.py, tests/flows/test_returns.py) and on the real server
(tests/ops/test_incident_tier_board.py)."""

from __future__ import annotations

import pytest

from flows import people


def test_the_pause_outlasts_every_default_deadline_and_its_escalations():
    from sellerops.incidents import Hours
    from sellerops.returns.policy import Policy

    h = Hours()
    # the longest default wait: all three tiers one after the other, then three escalation steps
    longest = (h.poa + h.legal + h.backup + 3 * h.escalate_every) * 3600
    assert people.PAUSE_TIMEOUT_SECONDS > longest
    assert people.PAUSE_TIMEOUT_SECONDS > Policy().decision_hours * 3600 * 10


@pytest.mark.parametrize("value, seconds", [
    (None, 10),  # unset: the default
    ("", 10),  # set empty (an .env line with no value): the default, not an error
    ("1", 1),  # the tests' quick poll
])
def test_how_often_a_paused_run_looks_for_its_answer(monkeypatch, value, seconds):
    if value is None:
        monkeypatch.delenv("SELLEROPS_PAUSE_POLL_SECONDS", raising=False)
    else:
        monkeypatch.setenv("SELLEROPS_PAUSE_POLL_SECONDS", value)
    assert people.poll_seconds() == seconds
