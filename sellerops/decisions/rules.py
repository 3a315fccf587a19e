"""The arithmetic of asking a person, as pure functions: deadlines, escalation chains, the steps owed.

`sellerops.decisions` stores decisions and sweeps them with these; every SOP that waits for a
person (takedown tiers, returns, account health) shares them, and they are tested without a
database or Prefect. A decision's step 0 is its own role; step 1 is owed at the deadline (the
breach: the chain's next role is told), and one step more each `every_hours` after it, up to the
chain's end.
"""

from __future__ import annotations

import datetime as dt
import math

ROLES = ("customer_service", "legal", "operations", "operations_manager", "owner")
DEFAULT_CHAIN_TAIL = ("operations_manager", "owner")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def parse_instant(text: str) -> dt.datetime:
    """An ISO-8601 time with an offset or `Z`; a time without one is UTC. Raises ValueError saying
    what was expected."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r}: expected an ISO-8601 time such as 2026-11-28T14:00:00Z "
                         f"(an offset or Z; without one it is UTC)") from None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def deadline_after(start: dt.datetime, hours: float) -> dt.datetime:
    """`hours` (fractions allowed) after `start`, to the microsecond."""
    if start.tzinfo is None:
        raise ValueError(f"naive start {start!r}: deadlines are reckoned in aware UTC times")
    if hours < 0 or math.isnan(hours):
        raise ValueError(f"hours {hours!r}: expected zero or more")
    return start + dt.timedelta(hours=hours)


def escalation_chain(role: str, tail: tuple[str, ...] | list[str] = DEFAULT_CHAIN_TAIL) -> list[str]:
    """Who a decision owed by `role` escalates to, `role` first, each role once."""
    chain: list[str] = []
    for r in (role, *tail):
        if r not in chain:
            chain.append(r)
    return chain


def step_due(deadline: dt.datetime, every_hours: float, step: int) -> dt.datetime:
    """When escalation step `step` (1 = the breach at the deadline) is owed."""
    if step < 1:
        raise ValueError(f"step {step}: escalation steps start at 1")
    return deadline + dt.timedelta(hours=every_hours * (step - 1))


def steps_owed(deadline: dt.datetime, every_hours: float, chain_length: int, now: dt.datetime) -> int:
    """How many escalation steps are owed at `now`: 0 before the deadline, 1 at it, one more each
    `every_hours` after it, never past the chain's end (a chain of n roles has n-1 steps)."""
    last = max(chain_length - 1, 0)
    if now < deadline or last == 0:
        return 0
    if every_hours <= 0:
        return last
    return min(last, 1 + int((now - deadline) / dt.timedelta(hours=every_hours)))


def steps_to_record(done: set[int], deadline: dt.datetime, every_hours: float, chain: list[str],
                    now: dt.datetime) -> list[tuple[int, str, dt.datetime]]:
    """The escalation steps a sweep at `now` must record, in order, as (step, role, due): every
    step owed and not already `done`, so a late sweep catches up and no step comes twice."""
    owed = steps_owed(deadline, every_hours, len(chain), now)
    return [(k, chain[k], step_due(deadline, every_hours, k)) for k in range(1, owed + 1) if k not in done]
