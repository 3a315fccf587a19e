"""Listing-takedown incidents: opening one per listing, its three tiers, the appeal, closing it.

The takedown SOP's domain. Each tier is a decision owed through `sellerops.decisions` (so the
deadline sweep, escalation and `decisions list` serve it like any SOP's); this module keeps what
is the takedown's own — the incident row, what each tier answered, the timeline, the backup
listings — in `sellerops.storage.people`. The CLI (sellerops.commands.incident) and the flows
(flows/takedown.py) both call these functions, so an answer given on one side is seen on the other.
No Prefect import here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from sellerops import decisions
from sellerops.decisions.rules import DEFAULT_CHAIN_TAIL, deadline_after, utc_now
from sellerops.incidents.poa import draft_poa
from sellerops.incidents.tiers import (DEFAULT_ESCALATE_EVERY_HOURS, LEGAL_DECISIONS, OUTCOMES, PROCEDURE, TIERS,
                                       appeal_missing, incident_id, parse_incident_id, tier_question, tier_state)
from sellerops.storage.people import BackupListing, Decision, Escalation, Incident, IncidentEvent, IncidentTier


class IncidentError(Exception):
    """Something asked of an incident that cannot be done: says what and why."""


class AppealRefused(IncidentError):
    """The appeal lacks an approved POA or a legal decision of appeal (the refusal is recorded)."""

    def __init__(self, incident: str, missing: list[str]):
        self.missing = missing
        super().__init__(f"{incident}: no appeal without " + " and ".join(missing))


@dataclass
class Hours:
    """Each tier's deadline after the takedown, and the escalation interval (fractions allowed)."""

    poa: float = TIERS[1].default_hours
    legal: float = TIERS[2].default_hours
    backup: float = TIERS[3].default_hours
    escalate_every: float = DEFAULT_ESCALATE_EVERY_HOURS

    def for_tier(self, number: int) -> float:
        return {1: self.poa, 2: self.legal, 3: self.backup}[number]


@dataclass
class Opened:
    incident: Incident
    created: bool
    tiers: list[IncidentTier] = field(default_factory=list)

    @property
    def id(self) -> str:
        return incident_id(self.incident.id)


def _listing_key(account: str, marketplace: str, sku: str) -> str:
    return f"{account}|{marketplace}|{sku}"


def open_listing_incident(s: Session, listing: Incident) -> Incident | None:
    return s.exec(select(Incident).where(
        Incident.open_key == _listing_key(listing.account, listing.marketplace, listing.sku))).first()


def open_incident(s: Session, *, account: str, marketplace: str, sku: str, reason: str, asin: str | None = None,
                  complaint_id: str | None = None, rights_owner: str | None = None, hours: Hours | None = None,
                  chain_tail: tuple[str, ...] | list[str] = DEFAULT_CHAIN_TAIL, now: dt.datetime | None = None,
                  waiting: bool = True) -> Opened:
    """Open the listing's incident with its three tiers owed, or return the one already open
    (`created` False). `waiting` False leaves the tiers pending until a run waits for them."""
    now = now or utc_now()
    hours = hours or Hours()
    inc = Incident(account=account, marketplace=marketplace, sku=sku, asin=asin, reason=reason,
                   complaint_id=complaint_id, rights_owner=rights_owner, status="open",
                   open_key=_listing_key(account, marketplace, sku), opened_at=now)
    existing = open_listing_incident(s, inc)
    if existing is not None:
        return Opened(existing, created=False)
    s.add(inc)
    try:
        s.flush()
    except IntegrityError:  # another caller opened it between our look and our write
        s.rollback()
        return Opened(open_listing_incident(s, inc), created=False)
    name = incident_id(inc.id)
    _event(s, inc, now, "opened", None, f"listing {sku} on {marketplace} taken down: {reason}")
    backup = backup_for(s, account, marketplace, sku)
    tiers = []
    for tier in TIERS.values():
        d = decisions.ask(s, procedure=PROCEDURE, subject=name, what=tier_question(tier), role=tier.role,
                          deadline=deadline_after(now, hours.for_tier(tier.number)), kind="incident_tier",
                          chain_tail=chain_tail, escalate_every_hours=hours.escalate_every, now=now,
                          state="waiting_input" if waiting else "pending")
        t = IncidentTier(incident_id=inc.id, tier=tier.number, name=tier.name, decision_id=d.id)
        if tier.number == 1:
            t.poa_markdown = draft_poa(incident=name, sku=sku, asin=asin, marketplace=marketplace, reason=reason,
                                       complaint_id=complaint_id, rights_owner=rights_owner, opened_at=now)
        if tier.number == 3:
            t.backup_proposed = backup
        s.add(t)
        tiers.append(t)
        if waiting:
            _event(s, inc, now, "waiting", tier.number, f"{tier.task}: {tier.role} owes it "
                   f"by {d.deadline.isoformat()}" + (f" (backup proposed: {backup})" if tier.number == 3 and backup
                                                    else ""))
    s.flush()
    return Opened(inc, created=True, tiers=tiers)


def _event(s: Session, inc: Incident, at: dt.datetime, kind: str, tier: int | None, what: str,
           by: str | None = None) -> None:
    s.add(IncidentEvent(incident_id=inc.id, at=at, kind=kind, tier=tier, what=what, by=by))


def get(s: Session, text: str) -> Incident:
    try:
        number = parse_incident_id(text)
    except ValueError as exc:
        raise IncidentError(str(exc)) from None
    inc = s.get(Incident, number)
    if inc is None:
        raise IncidentError(f"no incident {incident_id(number)}: `sellerops incident list` shows them")
    return inc


def tier_of(s: Session, inc: Incident, number: int) -> tuple[IncidentTier, Decision]:
    t = s.exec(select(IncidentTier).where(IncidentTier.incident_id == inc.id, IncidentTier.tier == number)).one()
    return t, s.get(Decision, t.decision_id)


def mark_waiting(s: Session, inc: Incident, number: int, run_id: str | None = None,
                 now: dt.datetime | None = None) -> IncidentTier:
    """A run (or the CLI) now waits for this tier's people: pending becomes waiting_input."""
    t, d = tier_of(s, inc, number)
    if run_id:
        t.run_id = run_id
        s.add(t)
    if d.state == "pending":
        d.state = "waiting_input"
        s.add(d)
        tier = TIERS[number]
        _event(s, inc, now or utc_now(), "waiting", number,
               f"{tier.task}: {tier.role} owes it by {d.deadline.isoformat()}")
    return t


def answer_tier(s: Session, inc: Incident, number: int, *, by: str | None = None, now: dt.datetime | None = None,
                approve: bool = False, text: str | None = None, decision: str | None = None,
                complaint_valid: bool | None = None, evidence_complete: bool | None = None,
                confirm: bool = False, backup_sku: str | None = None) -> IncidentTier:
    """Record a tier's answer: 1 approves the POA (optionally as edited), 2 gives legal's
    decision, 3 confirms the backup listing launched (the proposed one, or another named)."""
    if inc.status != "open":
        raise IncidentError(f"{incident_id(inc.id)} is closed ({inc.outcome}): nothing is owed")
    if number not in TIERS:
        raise IncidentError(f"tier {number}: expected 1 (poa), 2 (legal) or 3 (backup)")
    t, d = tier_of(s, inc, number)
    now = now or utc_now()
    if number == 1:
        if not approve:
            raise IncidentError("tier 1 is answered by approving the POA: --approve")
        if text is not None:
            t.poa_markdown = text
        value, what = "approved", "POA approved" + (" as edited" if text is not None else " as drafted")
    elif number == 2:
        if decision not in LEGAL_DECISIONS:
            raise IncidentError(f"tier 2 decision {decision!r}: expected one of {', '.join(LEGAL_DECISIONS)}")
        t.legal_decision, t.complaint_valid, t.evidence_complete = decision, complaint_valid, evidence_complete
        facts = [f"complaint valid: {_yes_no(complaint_valid)}", f"evidence complete: {_yes_no(evidence_complete)}"]
        value, what = decision, f"legal decision: {decision} ({', '.join(facts)})"
    else:
        if not confirm:
            raise IncidentError("tier 3 is answered by confirming the backup listing: --confirm")
        t.backup_proposed = t.backup_proposed or backup_for(s, inc.account, inc.marketplace, inc.sku)
        chosen = backup_sku or t.backup_proposed
        if not chosen:
            raise IncidentError(f"no backup listing is configured for {inc.sku}: name one with --backup-sku "
                                f"(or `sellerops incident backup set --sku {inc.sku} --backup-sku B`)")
        t.backup_sku = chosen
        value = chosen
        what = f"backup listing {chosen} launched" + (
            f" (instead of the proposed {t.backup_proposed})" if t.backup_proposed and chosen != t.backup_proposed
            else "")
    try:
        decisions.answer(s, d, value, by=by, now=now)
    except decisions.DecisionError:
        raise IncidentError(f"{incident_id(inc.id)} tier {number} ({TIERS[number].name}) is already answered"
                            + (f" by {d.answered_by}" if d.answered_by else "")) from None
    s.add(t)
    _event(s, inc, now, "answered", number, what, by)
    return t


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def appeal_allowed(s: Session, inc: Incident) -> tuple[bool, list[str]]:
    t1, d1 = tier_of(s, inc, 1)
    t2, d2 = tier_of(s, inc, 2)
    missing = appeal_missing(d1.state == "done" and d1.answer == "approved",
                             t2.legal_decision if d2.state == "done" else None)
    return not missing, missing


def appeal(s: Session, inc: Incident, *, by: str | None = None, brand_registered: bool = False,
           now: dt.datetime | None = None) -> Incident:
    """File the appeal, or refuse it (recorded in the timeline) with what is missing."""
    now = now or utc_now()
    if inc.status != "open":
        raise IncidentError(f"{incident_id(inc.id)} is closed ({inc.outcome}): nothing to appeal")
    if inc.appeal_filed_at is not None:
        raise IncidentError(f"{incident_id(inc.id)}: the appeal was filed at {inc.appeal_filed_at.isoformat()}")
    allowed, missing = appeal_allowed(s, inc)
    if not allowed:
        refused = AppealRefused(incident_id(inc.id), missing)
        _event(s, inc, now, "appeal_refused", None, str(refused).split(": ", 1)[1], by)
        raise refused
    inc.appeal_filed_at, inc.priority_review = now, brand_registered
    s.add(inc)
    _event(s, inc, now, "appeal_filed", None,
           "appeal filed with the approved POA" + (" — brand-registered: ask for the 24 h priority review"
                                                   if brand_registered else ""), by)
    return inc


def close(s: Session, inc: Incident, outcome: str, *, by: str | None = None,
          now: dt.datetime | None = None, why: str | None = None) -> Incident:
    """Close the incident with its outcome (`why`: the evidence, for the timeline); the decisions
    it still owed are withdrawn."""
    if outcome not in OUTCOMES:
        raise IncidentError(f"outcome {outcome!r}: expected {' or '.join(OUTCOMES)}")
    if inc.status != "open":
        raise IncidentError(f"{incident_id(inc.id)} is already closed ({inc.outcome})")
    now = now or utc_now()
    inc.status, inc.closed_at, inc.outcome, inc.open_key = "closed", now, outcome, None
    s.add(inc)
    withdrawn = decisions.withdraw(s, PROCEDURE, incident_id(inc.id))
    _event(s, inc, now, "closed", None, f"closed: {outcome}" + (f" — {why}" if why else "")
           + (f"; {len(withdrawn)} owed decision(s) withdrawn" if withdrawn else ""), by)
    return inc


def tiers_waiting_in_runs(s: Session, inc: Incident) -> list[IncidentTier]:
    """The tiers a flow run serves that were not answered (their runs still wait for input)."""
    out = []
    for n in TIERS:
        t, d = tier_of(s, inc, n)
        if t.run_id and d.state != "done":
            out.append(t)
    return out


def reinstatement_cause(s: Session, inc: Incident) -> str | None:
    """What would explain the listing coming back: the appeal filed, or legal's retraction request."""
    if inc.appeal_filed_at is not None:
        return f"the appeal filed {inc.appeal_filed_at.isoformat()}"
    t2, d2 = tier_of(s, inc, 2)
    if d2.state == "done" and t2.legal_decision == "retraction":
        return "the retraction legal asked of the rights owner"
    return None


def listing_buyable(s: Session, account: str, marketplace: str, sku: str,
                    now: dt.datetime | None = None) -> Incident | None:
    """A listing-status poll saw the listing BUYABLE: its open incident closes as reinstated when
    an appeal was filed or legal asked for a retraction (otherwise nothing explains it: left open)."""
    inc = s.exec(select(Incident).where(Incident.open_key == _listing_key(account, marketplace, sku))).first()
    if inc is None:
        return None
    cause = reinstatement_cause(s, inc)
    if cause is None:
        return None
    return close(s, inc, "reinstated", by="listing-status poll", now=now,
                 why=f"a listing-status poll read {sku} BUYABLE on {marketplace} again after {cause}")


# ---- backups ------------------------------------------------------------------------------------

def backup_for(s: Session, account: str, marketplace: str, sku: str) -> str | None:
    row = s.exec(select(BackupListing).where(BackupListing.account == account, BackupListing.marketplace ==
                                             marketplace, BackupListing.sku == sku)).first()
    return row.backup_sku if row else None


def set_backup(s: Session, account: str, marketplace: str, sku: str, backup_sku: str,
               now: dt.datetime | None = None) -> BackupListing:
    if backup_sku == sku:
        raise IncidentError(f"{sku} cannot be its own backup listing")
    row = s.exec(select(BackupListing).where(BackupListing.account == account, BackupListing.marketplace ==
                                             marketplace, BackupListing.sku == sku)).first()
    row = row or BackupListing(account=account, marketplace=marketplace, sku=sku, backup_sku=backup_sku,
                               updated_at=now or utc_now())
    row.backup_sku, row.updated_at = backup_sku, now or utc_now()
    s.add(row)
    return row


def backups(s: Session, account: str) -> list[dict]:
    rows = s.exec(select(BackupListing).where(BackupListing.account == account)
                  .order_by(BackupListing.marketplace, BackupListing.sku)).all()
    return [{"sku": r.sku, "backup_sku": r.backup_sku, "marketplace": r.marketplace,
             "updated_at": r.updated_at.isoformat()} for r in rows]


# ---- seeing it ----------------------------------------------------------------------------------

KIND_ORDER = ("opened", "waiting", "answered", "breached", "escalated", "appeal_refused", "appeal_filed", "closed")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def timeline(s: Session, inc: Incident) -> list[dict]:
    """Everything that happened, in time order: the events recorded, with each breach and
    escalation read from the tier's decision."""
    items = [(e.at, e.kind, e.tier, e.what, e.by, e.id) for e in
             s.exec(select(IncidentEvent).where(IncidentEvent.incident_id == inc.id)).all()]
    for t in s.exec(select(IncidentTier).where(IncidentTier.incident_id == inc.id)).all():
        d = s.get(Decision, t.decision_id)
        if d.breached_at is not None:
            items.append((d.breached_at, "breached", t.tier, f"{TIERS[t.tier].task}: deadline passed "
                          f"unanswered ({d.role})", None, 0))
        for e in s.exec(select(Escalation).where(Escalation.decision_id == d.id).order_by(Escalation.step)).all():
            sent = "notified" if e.notified else f"notification not sent: {e.notify_error}"
            items.append((e.due_at, "escalated", t.tier, f"escalated to {e.role} (step {e.step}; {sent})", None,
                          e.step))
    items.sort(key=lambda x: (x[0], KIND_ORDER.index(x[1]), x[2] or 0, x[5]))
    return [{"at": at.isoformat(), "kind": kind, "tier": tier, "what": what, "by": by}
            for at, kind, tier, what, by, _ in items]


def incident_json(s: Session, inc: Incident) -> dict:
    tiers = []
    for number in TIERS:
        t, d = tier_of(s, inc, number)
        tiers.append({"tier": number, "name": t.name, "owner": d.role, "state": tier_state(d.state, d.breached_at),
                      "deadline": _iso(d.deadline), "answered_at": _iso(d.answered_at),
                      "answered_by": d.answered_by, "breached_at": _iso(d.breached_at),
                      "escalated_to": d.escalated_to})
    allowed, _ = appeal_allowed(s, inc)
    return {"incident": incident_id(inc.id), "account": inc.account, "marketplace": inc.marketplace,
            "sku": inc.sku, "asin": inc.asin, "reason": inc.reason, "complaint_id": inc.complaint_id,
            "rights_owner": inc.rights_owner, "status": inc.status, "opened_at": _iso(inc.opened_at),
            "closed_at": _iso(inc.closed_at), "outcome": inc.outcome, "tiers": tiers,
            "appeal": {"allowed": allowed, "filed_at": _iso(inc.appeal_filed_at),
                       "priority_review": inc.priority_review},
            "timeline": timeline(s, inc)}


def list_incidents(s: Session, status: str | None = None) -> list[Incident]:
    q = select(Incident).order_by(Incident.id)
    if status:
        q = q.where(Incident.status == status)
    return list(s.exec(q).all())


def poa_text(s: Session, inc: Incident) -> str:
    t, _ = tier_of(s, inc, 1)
    return t.poa_markdown or ""


def timeline_markdown(s: Session, inc: Incident) -> str:
    """The incident as markdown for the board: its tiers and its timeline."""
    j = incident_json(s, inc)
    lines = [f"# {j['incident']}: {j['sku']} on {j['marketplace']} ({j['status']})", "", j["reason"], "",
             "| tier | owner | state | deadline | answered | escalated to |", "|---|---|---|---|---|---|"]
    for t in j["tiers"]:
        lines.append(f"| {t['tier']} {t['name']} | {t['owner']} | {t['state']} | {t['deadline']} | "
                     f"{t['answered_at'] or '—'} {t['answered_by'] or ''} | {t['escalated_to'] or '—'} |")
    lines += ["", "## Timeline", "", "| at | kind | tier | what | by |", "|---|---|---|---|---|"]
    for e in j["timeline"]:
        what = e["what"].replace("|", "/")
        lines.append(f"| {e['at']} | {e['kind']} | {e['tier'] or ''} | {what} | {e['by'] or ''} |")
    return "\n".join(lines) + "\n"
