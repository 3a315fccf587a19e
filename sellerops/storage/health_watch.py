"""The account-health watch's tables: warnings, their level changes, the values behind the trends,
and what the answering procedures recorded (ads paused, warehouses frozen, suppliers switched,
clearances proposed, keyword tasks).

Written by sellerops.health (the watch and its procedures); read by `sellerops health`. Same
conventions as `sellerops.storage.tables`: every docstring states the grain and natural key, times
are timezone-aware UTC (`UtcDateTime`). A signal's value is kept as the text of its Decimal
(`"0.0125"`, `"Infinity"` for cover with stock and nothing shipped): exact on every backend.
Nothing here holds money. An answering procedure's rows carry the warning they answer, so a
procedure started twice for one warning (a trigger and a rerun) records once.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sellerops.storage.tables import UtcDateTime, _utc


class HealthWarning(SQLModel, table=True):
    """One row per warning: a (signal, subject) away from ok, from its first level change to its resolution.
    Natural key: the id; a (signal, subject) has at most one open warning: `open_key` holds
    "signal|subject" while it is open and NULL once resolved, under a unique constraint.

    `level` is its level now (ok once resolved), `since` when that level began, `value` the last
    value measured (its measurement's time in `measured_at`), `detail` what the measurement said
    beside the value (JSON).
    """

    __tablename__ = "health_warning"
    __table_args__ = (sa.UniqueConstraint("open_key", name="uq_health_warning_open"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    signal: str = Field(index=True)
    subject: str = Field(index=True)
    level: str = Field(index=True)
    value: str
    measured_at: dt.datetime = Field(sa_type=UtcDateTime())
    since: dt.datetime = Field(sa_type=UtcDateTime())
    opened_at: dt.datetime = Field(sa_type=UtcDateTime())
    resolved_at: Optional[dt.datetime] = _utc()
    open_key: Optional[str] = None
    detail: str = "{}"


class HealthLevelChange(SQLModel, table=True):
    """One row per level change of a warning. Natural key: (warning_id, at).

    `from_level` → `to_level` at `at` (the watch's clock) with the value that moved it; the first
    change of a warning is from ok, its last to ok.
    """

    __tablename__ = "health_level_change"
    __table_args__ = (sa.UniqueConstraint("warning_id", "at", name="uq_health_level_change"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    warning_id: int = Field(foreign_key="health_warning.id", index=True)
    signal: str = Field(index=True)
    subject: str
    from_level: str
    to_level: str
    at: dt.datetime = Field(sa_type=UtcDateTime())
    value: str


class HealthValue(SQLModel, table=True):
    """One row per value measured. Natural key: (signal, subject, at), `at` the measurement's own time
    (a report's time, or the watch's clock for values computed over a window ending there)."""

    __tablename__ = "health_value"
    __table_args__ = (sa.UniqueConstraint("signal", "subject", "at", name="uq_health_value"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    signal: str = Field(index=True)
    subject: str = Field(index=True)
    at: dt.datetime = Field(sa_type=UtcDateTime())
    value: str


class AdsPause(SQLModel, table=True):
    """One row per instruction to the ads tool to pause a marketplace's ads. Natural key: warning_id.

    Recorded by the recheck of a critical order defect rate; the ads tool reads the rows whose
    `lifted_at` is empty (a person lifts it after the recheck).
    """

    __tablename__ = "health_ads_pause"
    __table_args__ = (sa.UniqueConstraint("warning_id", name="uq_health_ads_pause"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    warning_id: int = Field(foreign_key="health_warning.id")
    marketplace: str = Field(index=True)
    channel: Optional[str] = None
    instruction: str
    issued_at: dt.datetime = Field(sa_type=UtcDateTime())
    lifted_at: Optional[dt.datetime] = _utc()


class WarehouseFreeze(SQLModel, table=True):
    """One row per freeze of warehouse operations at a location. Natural key: warning_id; a location
    has at most one freeze in force: `open_key` holds the location until a person lifts it.

    Flows that move stock at a location ask `sellerops.health.procedures.frozen_locations` first. The
    freeze is lifted by answering its decision (`decision_id`) with approve.
    """

    __tablename__ = "health_warehouse_freeze"
    __table_args__ = (sa.UniqueConstraint("warning_id", name="uq_health_freeze_warning"),
                      sa.UniqueConstraint("open_key", name="uq_health_freeze_open"))

    id: Optional[int] = Field(default=None, primary_key=True)
    warning_id: int = Field(foreign_key="health_warning.id")
    location: str = Field(index=True)
    reason: str
    frozen_at: dt.datetime = Field(sa_type=UtcDateTime())
    decision_id: Optional[int] = Field(default=None, foreign_key="decision.id")
    open_key: Optional[str] = None
    lifted_at: Optional[dt.datetime] = _utc()
    lifted_by: Optional[str] = None


class BackupSupplier(SQLModel, table=True):
    """One row per supplier's backup for a SKU. Natural key: (supplier, sku); sku `*` covers every
    SKU of the supplier without a row of its own. Kept by the seller (`sellerops health backup`)."""

    __tablename__ = "backup_supplier"
    __table_args__ = (sa.UniqueConstraint("supplier", "sku", name="uq_backup_supplier"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    supplier: str = Field(index=True)
    sku: str = "*"
    backup_supplier: str
    updated_at: dt.datetime = Field(sa_type=UtcDateTime())


class SupplierSwitch(SQLModel, table=True):
    """One row per SKU switched from a late supplier to its backup. Natural key: (warning_id, sku).

    `notified` says whether a notification block carried it (`notify_error` why not).
    """

    __tablename__ = "health_supplier_switch"
    __table_args__ = (sa.UniqueConstraint("warning_id", "sku", name="uq_health_supplier_switch"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    warning_id: int = Field(foreign_key="health_warning.id")
    supplier: str = Field(index=True)
    sku: str
    backup_supplier: str
    switched_at: dt.datetime = Field(sa_type=UtcDateTime())
    notified: bool = False
    notify_error: Optional[str] = None


class ClearanceProposal(SQLModel, table=True):
    """One row per slow mover proposed for clearance. Natural key: warning_id.

    What the clearance flow saw (on hand, days of cover as text, days since a unit last shipped when
    known) and proposes: `markdown` by `markdown_percent`, or `removal`; a person approves it through
    its decision (`decision_id`).
    """

    __tablename__ = "health_clearance"
    __table_args__ = (sa.UniqueConstraint("warning_id", name="uq_health_clearance"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    warning_id: int = Field(foreign_key="health_warning.id")
    sku: str = Field(index=True)
    on_hand: Optional[int] = None
    days_of_cover: str
    age_days: Optional[int] = None
    proposal: str
    markdown_percent: Optional[int] = None
    proposed_at: dt.datetime = Field(sa_type=UtcDateTime())
    decision_id: Optional[int] = Field(default=None, foreign_key="decision.id")


class KeywordTask(SQLModel, table=True):
    """One row per task on a poorly converting keyword's list. Natural key: (warning_id, step)."""

    __tablename__ = "health_keyword_task"
    __table_args__ = (sa.UniqueConstraint("warning_id", "step", name="uq_health_keyword_task"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    warning_id: int = Field(foreign_key="health_warning.id")
    keyword: str = Field(index=True)
    step: int
    task: str
    created_at: dt.datetime = Field(sa_type=UtcDateTime())
    done_at: Optional[dt.datetime] = _utc()
