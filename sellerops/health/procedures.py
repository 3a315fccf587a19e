"""The procedures that answer a critical account-health warning, recording what they propose or do.

Each is started for one (signal, subject) by the table in sellerops.health.actions — by a Prefect
trigger on the level-change event when a server is in use (flows/health.py wraps each), else by
`sellerops health run` through `answer_changes`. Each finds the open warning it answers and records
once per warning, so a trigger and a rerun never double anything. What a person must decide — a
recheck, lifting a warehouse freeze, approving a clearance, naming a missing backup supplier — is
asked through sellerops.decisions and answered with `sellerops decisions answer`. No Prefect here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Optional

from sqlmodel import Session, select

from sellerops import decisions
from sellerops.health import actions
from sellerops.health.levels import Thresholds
from sellerops.health.service import Change, open_warning, trend
from sellerops.storage.health_watch import (AdsPause, BackupSupplier, ClearanceProposal, HealthWarning, KeywordTask,
                                            SupplierSwitch, WarehouseFreeze)
from sellerops.storage.people import Decision

PROCEDURE = "account-health"  # the decisions' procedure name: `sellerops decisions list --procedure account-health`
Notifier = Callable[[str, str, str], None]  # (role, subject line, body), as sellerops.decisions.sweep's


@dataclass(frozen=True)
class Settings:
    """Who answers and how soon (the HealthPolicy block overrides them)."""

    role: str = "operations"
    freeze_role: str = "operations_manager"
    decision_hours: float = 24.0
    removal_cover_days: int = 120  # cover beyond this (or nothing shipped) proposes removal, not a markdown


def _warning(s: Session, signal: str, subject: str) -> HealthWarning | None:
    return open_warning(s, signal, subject)


def _skipped(signal: str, subject: str) -> dict:
    return {"signal": signal, "subject": subject, "done": False, "why": "no open warning: nothing to answer"}


def _ask(s: Session, subject: str, what: str, role: str, now: dt.datetime, settings: Settings) -> Decision:
    return decisions.ask(s, procedure=PROCEDURE, subject=subject, what=what, role=role,
                         deadline=now + dt.timedelta(hours=settings.decision_hours), now=now)


def _label(signal: str, subject: str) -> str:
    return f"{signal} {subject}"


def _trend_text(values: list[Decimal]) -> str:
    return " → ".join(str(v) for v in values) or "no values yet"


# ---- recheck (odr and Amazon's other metrics) ----------------------------------------------------

def recheck(s: Session, signal: str, subject: str, now: dt.datetime, settings: Settings = Settings()) -> dict:
    """A recheck decision with the metric's trend; for the order defect rate, first an instruction to
    the ads tool to pause the marketplace's ads."""
    w = _warning(s, signal, subject)
    if w is None:
        return _skipped(signal, subject)
    paused = None
    if signal == "odr":
        paused = s.exec(select(AdsPause).where(AdsPause.warning_id == w.id)).first()
        if paused is None:
            marketplace, _, channel = subject.partition("/")
            paused = AdsPause(warning_id=w.id, marketplace=marketplace, channel=channel or None, issued_at=now,
                              instruction=f"pause every Sponsored Products campaign in {marketplace} until the "
                                          f"order defect rate recheck is answered")
            s.add(paused)
    values = trend(s, signal, subject)
    what = (f"recheck {signal} for {subject}: {w.value} at {w.level} since {w.since:%Y-%m-%d %H:%M} UTC "
            f"(warning {w.id}; trend {_trend_text(values)})")
    d = _open_decision(s, _label(signal, subject)) or _ask(s, _label(signal, subject), what, settings.role, now,
                                                           settings)
    s.commit()
    return {"signal": signal, "subject": subject, "done": True, "decision": d.id,
            "ads_paused": paused is not None}


def _open_decision(s: Session, subject: str) -> Decision | None:
    return s.exec(select(Decision).where(Decision.procedure == PROCEDURE, Decision.subject == subject,
                                         Decision.state.in_(decisions.OPEN_STATES))).first()


# ---- warehouse freeze -----------------------------------------------------------------------------

def freeze_warehouse(s: Session, location: str, now: dt.datetime, settings: Settings = Settings()) -> dict:
    """Freeze warehouse operations at `location` (a flag other flows respect) and ask a person to lift it."""
    w = _warning(s, "inventory_accuracy", location)
    if w is None:
        return _skipped("inventory_accuracy", location)
    lift_answered_freezes(s)
    f = s.exec(select(WarehouseFreeze).where(WarehouseFreeze.open_key == location)).first()
    if f is None:
        what = (f"lift the freeze of warehouse operations at {location} (inventory accuracy {w.value}, "
                f"warning {w.id}): approve once a recount is clean")
        d = _ask(s, _label("warehouse_freeze", location), what, settings.freeze_role, now, settings)
        f = WarehouseFreeze(warning_id=w.id, location=location, open_key=location, frozen_at=now, decision_id=d.id,
                            reason=f"inventory accuracy {w.value} at {w.level}")
        s.add(f)
    s.commit()
    return {"signal": "inventory_accuracy", "subject": location, "done": True, "frozen": True,
            "decision": f.decision_id}


def lift_answered_freezes(s: Session) -> list[str]:
    """Lift every freeze whose decision a person approved; the locations lifted."""
    lifted = []
    for f in s.exec(select(WarehouseFreeze).where(WarehouseFreeze.open_key.is_not(None))).all():
        d = s.get(Decision, f.decision_id) if f.decision_id else None
        if d is not None and d.state == "done" and d.answer == "approved":
            f.open_key, f.lifted_at, f.lifted_by = None, d.answered_at, d.answered_by
            s.add(f)
            lifted.append(f.location)
    s.flush()
    return lifted


def frozen_locations(s: Session) -> list[str]:
    """The locations whose warehouse operations are frozen now: every flow that moves stock asks first."""
    lift_answered_freezes(s)
    return sorted(f.location for f in s.exec(select(WarehouseFreeze).where(WarehouseFreeze.open_key.is_not(None))))


# ---- supplier switch ------------------------------------------------------------------------------

def switch_supplier(s: Session, supplier: str, now: dt.datetime, settings: Settings = Settings(),
                    notify: Optional[Notifier] = None) -> dict:
    """Switch the supplier's SKUs to their backup supplier (the backup_supplier table) and notify; with no
    backup on file, ask a person to name one."""
    w = _warning(s, "supplier_lead_time", supplier)
    if w is None:
        return _skipped("supplier_lead_time", supplier)
    backups = s.exec(select(BackupSupplier).where(BackupSupplier.supplier == supplier)).all()
    if not backups:
        d = _ask(s, _label("supplier_switch", supplier),
                 f"name a backup supplier for {supplier} (mean lead-time miss {w.value} days, warning {w.id}): "
                 f"no backup on file, nothing switched", settings.role, now, settings)
        s.commit()
        return {"signal": "supplier_lead_time", "subject": supplier, "done": False, "switched": [],
                "decision": d.id, "why": "no backup supplier on file"}
    done = {x.sku for x in s.exec(select(SupplierSwitch).where(SupplierSwitch.warning_id == w.id)).all()}
    new = [SupplierSwitch(warning_id=w.id, supplier=supplier, sku=b.sku, backup_supplier=b.backup_supplier,
                          switched_at=now) for b in backups if b.sku not in done]
    if new:
        s.add_all(new)
        s.commit()
        body = "; ".join(f"{'every SKU' if x.sku == '*' else x.sku} → {x.backup_supplier}" for x in new)
        sent, error = _send(notify, settings.role, f"sellerops: {supplier} switched to its backup supplier",
                            f"{supplier} misses its arrival dates by {w.value} days on average: {body}.")
        for x in new:
            x.notified, x.notify_error = sent, error
            s.add(x)
        s.commit()
    return {"signal": "supplier_lead_time", "subject": supplier, "done": True,
            "switched": sorted(x.sku for x in new)}


def set_backup_supplier(s: Session, supplier: str, backup: str, sku: str = "*",
                        now: dt.datetime | None = None) -> BackupSupplier:
    """Name `backup` as `supplier`'s backup for `sku` (`*`: every SKU without a row of its own)."""
    row = s.exec(select(BackupSupplier).where(BackupSupplier.supplier == supplier, BackupSupplier.sku == sku)).first()
    row = row or BackupSupplier(supplier=supplier, sku=sku, backup_supplier=backup, updated_at=decisions.utc_now())
    row.backup_supplier, row.updated_at = backup, now or decisions.utc_now()
    s.add(row)
    s.commit()
    return row


def _send(notify: Optional[Notifier], role: str, subject: str, body: str) -> tuple[bool, str | None]:
    if notify is None:
        return False, "no notification block configured"
    try:
        notify(role, subject, body)
    except Exception as exc:  # noqa: BLE001 - a failed notification is recorded, the switch stands
        return False, f"{type(exc).__name__}: {exc}"[:500]
    return True, None


# ---- slow-mover clearance -------------------------------------------------------------------------

def propose(cover: Decimal, critical_days: Decimal, removal_cover_days: int) -> tuple[str, int | None]:
    """(`markdown`, percent) or (`removal`, None) for a slow mover with `cover` days of cover: nothing
    shipped or more cover than the removal limit is cheaper to remove than to store; else the further
    beyond critical, the deeper the markdown."""
    if not cover.is_finite() or cover > removal_cover_days:
        return "removal", None
    beyond = cover - critical_days
    return "markdown", 10 if beyond <= 15 else 20 if beyond <= 45 else 30


def clearance(s: Session, sku: str, now: dt.datetime, settings: Settings = Settings(),
              thresholds: Thresholds | None = None) -> dict:
    """Propose a markdown or removal for a slow-moving SKU, with its age, for a person to approve."""
    w = _warning(s, "inventory_turnover", sku)
    if w is None:
        return _skipped("inventory_turnover", sku)
    p = s.exec(select(ClearanceProposal).where(ClearanceProposal.warning_id == w.id)).first()
    if p is None:
        detail = json.loads(w.detail or "{}")
        cover = Decimal(w.value)
        critical = (thresholds or Thresholds())["inventory_turnover"].boundary("critical").threshold
        kind, percent = propose(cover, critical, settings.removal_cover_days)
        age = _int(detail.get("age_days"))
        shown = "a removal order" if kind == "removal" else f"a {percent} % markdown"
        d = _ask(s, _label("clearance", sku),
                 f"approve {shown} for {sku}: {_cover_text(cover)} of cover"
                 + (f", {age} days old" if age is not None else "") + f" (warning {w.id})",
                 settings.role, now, settings)
        p = ClearanceProposal(warning_id=w.id, sku=sku, on_hand=_int(detail.get("on_hand")), days_of_cover=w.value,
                              age_days=age, proposal=kind, markdown_percent=percent, proposed_at=now,
                              decision_id=d.id)
        s.add(p)
        s.commit()
    return {"signal": "inventory_turnover", "subject": sku, "done": True, "proposal": p.proposal,
            "markdown_percent": p.markdown_percent, "decision": p.decision_id}


def _cover_text(cover: Decimal) -> str:
    return "no unit shipped in 30 days and stock on hand" if not cover.is_finite() else f"{cover} days"


def _int(value) -> int | None:
    try:
        return None if value is None else int(Decimal(str(value)))
    except ArithmeticError:
        return None


# ---- keyword task list ----------------------------------------------------------------------------

def keyword_task_list(keyword: str, conversion: Decimal, detail: dict) -> list[str]:
    """What a person does about a keyword converting poorly, most effective first."""
    clicks, orders = detail.get("clicks"), detail.get("orders")
    seen = f"{(conversion * 100).quantize(Decimal('0.1'))} % conversion" + (
        f" on {clicks} clicks" if clicks is not None else "")
    tasks = [f"Review the search terms under '{keyword}': add the converting ones as exact match, the ones "
             f"with clicks and no order as negative exact",
             f"Lower the bid on '{keyword}' by 20 % ({seen})",
             f"Check the listing's relevance to '{keyword}': title, bullet points, main image, price against "
             f"the top results"]
    if orders is not None and str(orders) == "0":
        tasks.insert(0, f"Pause '{keyword}': {clicks} clicks and no order in the window")
    return tasks


def keyword_tasks(s: Session, keyword: str, now: dt.datetime, settings: Settings = Settings()) -> dict:
    """Write the keyword's optimisation task list (once per warning)."""
    w = _warning(s, "ad_conversion", keyword)
    if w is None:
        return _skipped("ad_conversion", keyword)
    rows = s.exec(select(KeywordTask).where(KeywordTask.warning_id == w.id).order_by(KeywordTask.step)).all()
    if not rows:
        rows = [KeywordTask(warning_id=w.id, keyword=keyword, step=i, task=t, created_at=now)
                for i, t in enumerate(keyword_task_list(keyword, Decimal(w.value), json.loads(w.detail or "{}")), 1)]
        s.add_all(rows)
        s.commit()
    return {"signal": "ad_conversion", "subject": keyword, "done": True, "tasks": [r.task for r in rows]}


# ---- from the actions table -----------------------------------------------------------------------

def start(procedure: str, s: Session, signal: str, subject: str, now: dt.datetime, settings: Settings = Settings(),
          notify: Optional[Notifier] = None, thresholds: Thresholds | None = None) -> dict:
    """Run the answering procedure `procedure` (a name from sellerops.health.actions) for one subject."""
    if procedure == actions.RECHECK:
        return recheck(s, signal, subject, now, settings)
    if procedure == actions.WAREHOUSE_FREEZE:
        return freeze_warehouse(s, subject, now, settings)
    if procedure == actions.SUPPLIER_SWITCH:
        return switch_supplier(s, subject, now, settings, notify)
    if procedure == actions.CLEARANCE:
        return clearance(s, subject, now, settings, thresholds)
    if procedure == actions.KEYWORDS:
        return keyword_tasks(s, subject, now, settings)
    raise ValueError(f"unknown answering procedure {procedure!r}: expected one of {', '.join(actions.PROCEDURES)}")


def answer_changes(s: Session, changes: list[Change], now: dt.datetime, settings: Settings = Settings(),
                   notify: Optional[Notifier] = None, thresholds: Thresholds | None = None) -> list[dict]:
    """With no server in use: start, from the actions table, the procedure each level change calls for."""
    return [dict(start(c.procedure, s, c.signal, c.subject, now, settings, notify, thresholds), procedure=c.procedure)
            for c in changes if c.procedure]
