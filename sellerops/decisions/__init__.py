"""Asking a person: decisions owed by a role, with a deadline and an escalation chain, in sellerops' tables.

The foundation every SOP uses when it needs a person (the takedown's tiers, returns, account
health): a procedure `ask`s, someone answers — on the command line (`sellerops decisions answer`)
or in the Prefect UI, whose flow run writes the same row — and a scheduled `sweep` marks missed
deadlines breached and escalates them one step at a time (sellerops.decisions.rules). Everything
lives in the database, so it works with or without a Prefect server; no Prefect import here.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass, field
from typing import Callable, Optional

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from sellerops.decisions.rules import (DEFAULT_CHAIN_TAIL, escalation_chain, parse_instant, steps_to_record,
                                       utc_now)
from sellerops.storage.people import Decision, Escalation

__all__ = ["DecisionError", "ask", "answer", "withdraw", "owed", "sweep", "as_json", "find", "parse_instant",
           "utc_now", "Swept", "OPEN_STATES", "answerer", "NO_NOTIFIER", "NotifierUnavailable"]

OPEN_STATES = ("pending", "waiting_input", "breached")
YES_NO = "yes_no"


class DecisionError(Exception):
    """A decision that cannot be answered as asked: says which and why."""


def ask(s: Session, *, procedure: str, subject: str, what: str, role: str, deadline: dt.datetime,
        kind: str = YES_NO, chain_tail: tuple[str, ...] | list[str] = DEFAULT_CHAIN_TAIL,
        escalate_every_hours: float = 24.0, now: dt.datetime | None = None,
        state: str = "waiting_input") -> Decision:
    """Owe a decision (the same procedure, subject and question asked again is the same decision)."""
    found = s.exec(select(Decision).where(Decision.procedure == procedure, Decision.subject == subject,
                                          Decision.what == what)).first()
    if found is not None:
        return found
    d = Decision(procedure=procedure, subject=subject, what=what, kind=kind, role=role,
                 chain=",".join(escalation_chain(role, chain_tail)), escalate_every_hours=escalate_every_hours,
                 state=state, created_at=now or utc_now(), deadline=deadline)
    s.add(d)
    s.flush()
    return d


def find(s: Session, decision_id: int | str) -> Decision:
    try:
        key = int(str(decision_id).removeprefix("D-"))
    except ValueError:
        raise DecisionError(f"decision {decision_id!r}: expected a number as `sellerops decisions list` "
                            f"shows it") from None
    d = s.get(Decision, key)
    if d is None:
        raise DecisionError(f"no decision {decision_id}: `sellerops decisions list` shows the open ones")
    return d


def answer(s: Session, d: Decision, value: str, by: str | None = None, note: str | None = None,
           now: dt.datetime | None = None) -> Decision:
    """Record the answer: the decision is done; answered after its deadline it keeps (or gains)
    its `breached_at`."""
    if d.state not in OPEN_STATES:
        raise DecisionError(f"decision {d.id} ({d.what}) is already {d.state}"
                            + (f" by {d.answered_by}" if d.answered_by else ""))
    now = now or utc_now()
    if now > d.deadline and d.breached_at is None:
        d.breached_at = d.deadline
    d.state, d.answer, d.answered_at, d.answered_by, d.note = "done", value, now, by, note
    s.add(d)
    return d


def withdraw(s: Session, procedure: str, subject: str) -> list[Decision]:
    """Withdraw every decision still owed on `subject` (its matter is settled)."""
    rows = s.exec(select(Decision).where(Decision.procedure == procedure, Decision.subject == subject,
                                         Decision.state.in_(OPEN_STATES))).all()
    for d in rows:
        d.state = "withdrawn"
        s.add(d)
    return list(rows)


def answerer(name: str | None) -> str:
    """Who answers: the name given, else the user running the command."""
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def chain_of(d: Decision) -> list[str]:
    return d.chain.split(",")


def owed(s: Session, role: str | None = None, procedure: str | None = None) -> list[Decision]:
    """Decisions still owed, oldest deadline first; `role` matches whoever owes it now (the role
    the last escalation reached, else the decision's own)."""
    q = select(Decision).where(Decision.state.in_(OPEN_STATES))
    if procedure:
        q = q.where(Decision.procedure == procedure)
    rows = [d for d in s.exec(q).all() if role is None or (d.escalated_to or d.role) == role]
    return sorted(rows, key=lambda d: (d.deadline, d.id))


def as_json(d: Decision) -> dict:
    return {"decision": d.id, "procedure": d.procedure, "subject": d.subject, "what": d.what, "role": d.role,
            "deadline": d.deadline.isoformat(), "escalated_to": d.escalated_to}


@dataclass
class Swept:
    """What one sweep recorded: (decision, step, role, due, notified) per escalation."""

    now: dt.datetime
    escalations: list[dict] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)


Notifier = Callable[[str, str, str], None]  # (role, subject line, body); raises when it could not send


class NotifierUnavailable(Exception):
    """The configured notification channel cannot be used at all (its block cannot be loaded): the
    message is the reason recorded on each escalation it could not send."""


NO_NOTIFIER = "no notification block configured"


def sweep(s: Session, now: dt.datetime | None = None, notify: Optional[Notifier] = None,
          not_sent: str = NO_NOTIFIER) -> Swept:
    """Mark every decision past its deadline breached and record each escalation step owed at
    `now` exactly once (a late sweep catches up), notifying each through `notify` — with none,
    the step is recorded and marked not sent, `not_sent` saying why. Commits as it goes."""
    now = now or utc_now()
    out = Swept(now=now)
    for d in s.exec(select(Decision).where(Decision.state.in_(OPEN_STATES), Decision.deadline <= now)).all():
        done = {e.step for e in s.exec(select(Escalation).where(Escalation.decision_id == d.id)).all()}
        todo = steps_to_record(done, d.deadline, d.escalate_every_hours, chain_of(d), now)
        if d.state != "breached":
            d.state, d.breached_at = "breached", d.breached_at or d.deadline
            out.breached.append(d.id)
        for step, role, due in todo:
            e = Escalation(decision_id=d.id, step=step, role=role, due_at=due, recorded_at=now)
            d.escalated_to = role
            s.add_all([e, d])
            # committed before anyone is told: a second sweeper meeting the same step fails on its
            # unique key and skips it, so no step is notified twice
            try:
                s.commit()
            except IntegrityError:
                s.rollback()
                continue
            e.notified, e.notify_error = _send(notify, d, role, not_sent)
            s.add(e)
            s.commit()
            out.escalations.append({"decision": d.id, "subject": d.subject, "step": step, "role": role,
                                    "due": due.isoformat(), "notified": e.notified,
                                    "notify_error": e.notify_error})
        s.add(d)
        s.commit()
    return out


def _send(notify: Optional[Notifier], d: Decision, role: str, not_sent: str) -> tuple[bool, str | None]:
    if notify is None:
        return False, not_sent
    subject = f"sellerops: {d.subject} overdue, now with {role}"
    body = (f"{d.procedure}: {d.what} for {d.subject} was owed by {d.role} at {d.deadline.isoformat()} "
            f"and is not answered; it is now with {role}.")
    try:
        notify(role, subject, body)
    except NotifierUnavailable as exc:
        return False, str(exc)[:500]
    except Exception as exc:  # noqa: BLE001 - a failed notification is recorded, the sweep goes on
        return False, f"{type(exc).__name__}: {exc}"[:500]
    return True, None
