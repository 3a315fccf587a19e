"""Decisions in sellerops' tables: asked once, answered once, swept and escalated once per step."""

from __future__ import annotations

import datetime as dt

import pytest

from sellerops import decisions
from sellerops.storage.engine import session
from sqlmodel import select

from sellerops.storage.people import Escalation

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _ask(s, subject="RMA-1", role="customer_service", hours=1.0, every=2.0, what="authorise the return"):
    return decisions.ask(s, procedure="returns", subject=subject, what=what, role=role,
                         deadline=T0 + dt.timedelta(hours=hours), escalate_every_hours=every, now=T0)


def test_asking_again_is_the_same_decision(db_url):
    with session() as s:
        a = _ask(s)
        b = _ask(s)
        s.commit()
        assert a.id == b.id and a.state == "waiting_input" and a.chain == "customer_service,operations_manager,owner"


def test_sweep_breaches_escalates_each_step_once_and_catches_up(db_url):
    sent = []
    with session() as s:
        d = _ask(s)
        s.commit()
        # 3.5 h after T0: deadline at 1 h (step 1), +2 h (step 2): a late sweep owes both
        first = decisions.sweep(s, now=T0 + dt.timedelta(hours=3.5), notify=lambda *a: sent.append(a))
        again = decisions.sweep(s, now=T0 + dt.timedelta(hours=9), notify=lambda *a: sent.append(a))
        s.refresh(d)
        steps = s.exec(select(Escalation).where(Escalation.decision_id == d.id).order_by(Escalation.step)).all()
    assert [(e["step"], e["role"]) for e in first.escalations] == [(1, "operations_manager"), (2, "owner")]
    assert again.escalations == [] and [r for r, _, _ in sent] == ["operations_manager", "owner"]
    assert d.state == "breached" and d.breached_at == T0 + dt.timedelta(hours=1) and d.escalated_to == "owner"
    assert [e.due_at for e in steps] == [T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=3)]
    assert all(e.notified for e in steps)


def test_without_a_notifier_the_escalation_is_recorded_not_sent(db_url):
    def broken(role, subject, body):
        raise ConnectionError("webhook down")

    with session() as s:
        _ask(s, subject="RMA-1")
        _ask(s, subject="RMA-2")
        s.commit()
        decisions.sweep(s, now=T0 + dt.timedelta(hours=1.5), notify=None)
        rows = s.exec(select(Escalation)).all()
    assert len(rows) == 2 and not any(e.notified for e in rows)
    assert {e.notify_error for e in rows} == {"no notification block configured"}
    with session() as s:
        _ask(s, subject="RMA-3", hours=5)
        s.commit()
        decisions.sweep(s, now=T0 + dt.timedelta(hours=5), notify=broken)
        [e] = [e for e in s.exec(select(Escalation)).all() if e.due_at == T0 + dt.timedelta(hours=5)]
    assert not e.notified and "webhook down" in e.notify_error


def test_an_answer_after_a_breach_is_done_and_keeps_breached_at(db_url):
    with session() as s:
        d = _ask(s)
        decisions.sweep(s, now=T0 + dt.timedelta(hours=2))
        decisions.answer(s, d, "approved", by="ann", now=T0 + dt.timedelta(hours=2.5))
        s.commit()
        assert (d.state, d.breached_at, d.answered_by) == ("done", T0 + dt.timedelta(hours=1), "ann")
        with pytest.raises(decisions.DecisionError, match="already done by ann"):
            decisions.answer(s, d, "rejected")
        # an answered decision is never escalated again
        assert decisions.sweep(s, now=T0 + dt.timedelta(days=5)).escalations == []


def test_an_answer_late_without_a_sweep_is_still_marked_breached(db_url):
    with session() as s:
        d = _ask(s)
        decisions.answer(s, d, "approved", now=T0 + dt.timedelta(hours=4))
        assert d.breached_at == T0 + dt.timedelta(hours=1)
        e = _ask(s, subject="RMA-2")
        decisions.answer(s, e, "approved", now=T0 + dt.timedelta(minutes=5))
        assert e.breached_at is None


def test_owed_oldest_deadline_first_and_role_is_who_owes_it_now(db_url):
    with session() as s:
        late = _ask(s, subject="RMA-1", hours=10, role="legal")
        soon = _ask(s, subject="RMA-2", hours=1, role="legal")
        other = _ask(s, subject="RMA-3", hours=5, role="operations")
        decisions.sweep(s, now=T0 + dt.timedelta(hours=2))  # RMA-2 escalated to operations_manager
        s.commit()
        assert [d.subject for d in decisions.owed(s)] == ["RMA-2", "RMA-3", "RMA-1"]
        assert [d.subject for d in decisions.owed(s, role="legal")] == ["RMA-1"]
        assert [d.subject for d in decisions.owed(s, role="operations_manager")] == ["RMA-2"]
        assert decisions.owed(s, procedure="account-health") == []
        decisions.withdraw(s, "returns", "RMA-3")
        assert other.state == "withdrawn" and [d.id for d in decisions.owed(s)] == [soon.id, late.id]
        assert set(decisions.as_json(soon)) == {"decision", "procedure", "subject", "what", "role", "deadline",
                                                "escalated_to"}


def test_the_reason_nothing_was_sent_is_recorded_on_each_escalation(db_url):
    def unloadable(role, subject, body):
        raise decisions.NotifierUnavailable("notification block 'slack-webhook/x' could not be loaded: gone")

    with session() as s:
        _ask(s, subject="RMA-1")
        s.commit()
        swept = decisions.sweep(s, now=T0 + dt.timedelta(hours=1.5), notify=None, not_sent="no Prefect server in use")
        _ask(s, subject="RMA-2", hours=5)
        s.commit()
        later = decisions.sweep(s, now=T0 + dt.timedelta(hours=5), notify=unloadable)
    assert [(e["subject"], e["notified"], e["notify_error"]) for e in swept.escalations] == [
        ("RMA-1", False, "no Prefect server in use")]
    # the block's own words, not an exception class name, are the recorded reason
    # (RMA-1's second step falls due too by then)
    assert {(e["subject"], e["notify_error"]) for e in later.escalations} == {
        ("RMA-1", "notification block 'slack-webhook/x' could not be loaded: gone"),
        ("RMA-2", "notification block 'slack-webhook/x' could not be loaded: gone")}
