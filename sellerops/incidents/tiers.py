"""The takedown SOP's tiers and its guard against blind appeals, as pure functions.

`sellerops.incidents` stores incidents with these; the flows and the CLI only call it. Tier 1
(customer service) files the Plan of Action, tier 2 (legal) reviews the complaint, tier 3
(operations) launches the backup listing. An appeal goes only once an approved POA and a legal
decision of `appeal` both exist: fewer than 15% of blind appeals succeed (../shared/DOMAIN.md).
"""

from __future__ import annotations

from dataclasses import dataclass

PROCEDURE = "listing-takedown"
LEGAL_DECISIONS = ("appeal", "retraction", "accept_removal")
OUTCOMES = ("reinstated", "removal_accepted")
TIER_STATES = ("pending", "waiting_input", "done", "breached")


@dataclass(frozen=True)
class Tier:
    number: int
    name: str
    role: str
    task: str
    default_hours: float


TIERS = {
    1: Tier(1, "poa", "customer_service", "file the Plan of Action", 48.0),
    2: Tier(2, "legal", "legal", "complete the infringement review", 72.0),
    3: Tier(3, "backup", "operations", "launch the backup listing", 4.0),
}
DEFAULT_ESCALATE_EVERY_HOURS = 24.0


def tier_question(tier: Tier) -> str:
    """The decision's `what`: stable, so asking again finds the same decision."""
    return f"tier {tier.number} {tier.name}: {tier.task}"


def appeal_missing(poa_approved: bool, legal_decision: str | None) -> list[str]:
    """What an appeal still lacks, in words for the person who asked (empty: it may go)."""
    missing = []
    if not poa_approved:
        missing.append("an approved Plan of Action (tier 1)")
    if legal_decision != "appeal":
        found = f"it is {legal_decision}" if legal_decision else "legal has not decided"
        missing.append(f"a legal decision of appeal (tier 2; {found})")
    return missing


def tier_state(decision_state: str, breached_at) -> str:
    """A tier's state from its decision's: a withdrawn tier (its incident closed) shows how it stood."""
    if decision_state == "withdrawn":
        return "breached" if breached_at else "pending"
    return decision_state


def parse_incident_id(text: str) -> int:
    """`INC-12` (or `12`) as 12; raises ValueError saying what was expected."""
    raw = text.strip().upper().removeprefix("INC-")
    if not raw.isdigit():
        raise ValueError(f"incident {text!r}: expected an id like INC-12")
    return int(raw)


def incident_id(number: int) -> str:
    return f"INC-{number}"
