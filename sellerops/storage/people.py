"""The tables of people's work: decisions owed by a role, their escalations, and listing-takedown incidents.

Any SOP that needs a person asks through `decision` (sellerops.decisions); the takedown procedure
keeps its incidents, their tiers, their timelines and the backup listings here too
(sellerops.incidents). Same conventions as `sellerops.storage.tables`: every docstring states the
grain and natural key, times are timezone-aware UTC (`UtcDateTime`). Nothing here holds money.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sellerops.storage.tables import UtcDateTime, _utc


class Decision(SQLModel, table=True):
    """One row per decision a procedure owes a person. Natural key: (procedure, subject, what).

    `role` owes it first; `chain` (comma-separated roles, `role` first) is who it escalates to
    when its `deadline` passes, one step each `escalate_every_hours`. `state` is pending |
    waiting_input | done | breached | withdrawn; `escalated_to` is the role the last escalation
    reached. `kind` is `yes_no` (answered by `decisions answer`) or the procedure's own form.
    """

    __tablename__ = "decision"
    __table_args__ = (sa.UniqueConstraint("procedure", "subject", "what", name="uq_decision"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    procedure: str = Field(index=True)
    subject: str = Field(index=True)
    what: str
    kind: str = "yes_no"
    role: str
    chain: str
    escalate_every_hours: float = 24.0
    state: str = Field(index=True)
    created_at: dt.datetime = Field(sa_type=UtcDateTime())
    deadline: dt.datetime = Field(sa_type=UtcDateTime())
    breached_at: Optional[dt.datetime] = _utc()
    escalated_to: Optional[str] = None
    answered_at: Optional[dt.datetime] = _utc()
    answered_by: Optional[str] = None
    answer: Optional[str] = None
    note: Optional[str] = None


class Escalation(SQLModel, table=True):
    """One row per escalation step of a decision. Natural key: (decision_id, step).

    Step 1 is the breach itself (the deadline passed: the chain's second role is told), step n
    the chain's (n+1)th role. `due_at` is when the step was owed, `recorded_at` when a sweep saw
    it; `notified` says whether a notification block carried it (`notify_error` why not).
    """

    __tablename__ = "escalation"
    __table_args__ = (sa.UniqueConstraint("decision_id", "step", name="uq_escalation_step"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    step: int
    role: str
    due_at: dt.datetime = Field(sa_type=UtcDateTime())
    recorded_at: dt.datetime = Field(sa_type=UtcDateTime())
    notified: bool = False
    notify_error: Optional[str] = None


class Incident(SQLModel, table=True):
    """One row per listing takedown. Natural key: the id, shown as `INC-<id>`.

    A listing (account, marketplace, sku) has at most one open incident: `open_key` holds
    "account|marketplace|sku" while it is open and NULL once closed, under a unique constraint
    (NULLs never collide, on SQLite or PostgreSQL). `run_id` is the flow run that serves it.
    """

    __tablename__ = "incident"
    __table_args__ = (sa.UniqueConstraint("open_key", name="uq_incident_open_listing"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str = Field(index=True)
    marketplace: str
    sku: str = Field(index=True)
    asin: Optional[str] = None
    reason: str
    complaint_id: Optional[str] = None
    rights_owner: Optional[str] = None
    status: str = Field(index=True)
    open_key: Optional[str] = None
    opened_at: dt.datetime = Field(sa_type=UtcDateTime())
    closed_at: Optional[dt.datetime] = _utc()
    outcome: Optional[str] = None
    appeal_filed_at: Optional[dt.datetime] = _utc()
    priority_review: bool = False
    run_id: Optional[str] = None


class IncidentTier(SQLModel, table=True):
    """One row per tier of an incident. Natural key: (incident_id, tier).

    Its deadline, state and escalation live in the linked `decision`; this row keeps what the
    tier's people answered: the POA markdown (tier 1), legal's review (tier 2), the backup
    listing proposed and launched (tier 3), and the flow run waiting for it.
    """

    __tablename__ = "incident_tier"
    __table_args__ = (sa.UniqueConstraint("incident_id", "tier", name="uq_incident_tier"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    tier: int
    name: str
    decision_id: int = Field(foreign_key="decision.id")
    poa_markdown: Optional[str] = None
    legal_decision: Optional[str] = None
    complaint_valid: Optional[bool] = None
    evidence_complete: Optional[bool] = None
    backup_proposed: Optional[str] = None
    backup_sku: Optional[str] = None
    run_id: Optional[str] = None


class IncidentEvent(SQLModel, table=True):
    """One row per thing that happened to an incident (its timeline). Natural key: the id.

    `kind` is opened | waiting | answered | appeal_refused | appeal_filed | closed; breaches and
    escalations are read from `decision` and `escalation`, not copied here.
    """

    __tablename__ = "incident_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    at: dt.datetime = Field(sa_type=UtcDateTime())
    kind: str
    tier: Optional[int] = None
    what: str
    by: Optional[str] = None


class BackupListing(SQLModel, table=True):
    """One row per listing that has a backup. Natural key: (account, marketplace, sku)."""

    __tablename__ = "backup_listing"
    __table_args__ = (sa.UniqueConstraint("account", "marketplace", "sku", name="uq_backup_listing"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    sku: str
    backup_sku: str
    updated_at: dt.datetime = Field(sa_type=UtcDateTime())
