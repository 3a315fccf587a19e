"""Returned units: what each FBA customer return's disposition calls for, recorded once per line.

SELLABLE goes back to stock; CUSTOMER_DAMAGED, DEFECTIVE and CARRIER_DAMAGED call for a supplier or
grading action recorded for the SKU; anything else for nothing. A refunded unit that never came
back is the reconciliation's `refund_without_return`, not this room's: one finding, never two.
What was recorded is shown by `sellerops returns units` (one row per line) and on the returns board
(`week_table`: units by SKU, disposition and action for the week and the one before).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from sellerops.core.config import settings
from sellerops.storage import tables
from sellerops.storage.engine import get_engine
from sellerops.storage.returns import ReturnUnitAction

SELLABLE = "SELLABLE"
DAMAGED = frozenset({"CUSTOMER_DAMAGED", "DEFECTIVE", "CARRIER_DAMAGED"})


def unit_action(disposition: str | None) -> str:
    """What a returned unit's disposition calls for: back to stock, a supplier or grading action, or none."""
    d = (disposition or "").strip().upper()
    if d == SELLABLE:
        return "restock"
    if d in DAMAGED:
        return "supplier_or_grading"
    return "none"


def record_unit_actions(account: str, now: dt.datetime) -> int:
    """Record what each FBA returned unit line calls for, once per line; the count newly recorded."""
    f, t = tables.FbaReturn.__table__, ReturnUnitAction.__table__
    with get_engine().begin() as c:
        seen = set(c.execute(sa.select(t.c.order_id, t.c.sku, t.c.returned_at, t.c.license_plate_number)
                             .where(t.c.account == account)).all())
        rows = [dict(account=account, marketplace=r.marketplace, order_id=r.order_id, sku=r.sku,
                     returned_at=r.return_date, license_plate_number=r.license_plate_number or "",
                     quantity=r.quantity, disposition=r.detailed_disposition,
                     action=unit_action(r.detailed_disposition), recorded_at=now)
                for r in c.execute(sa.select(f).where(f.c.account == account))
                if (r.order_id, r.sku, r.return_date, r.license_plate_number or "") not in seen]
        if rows:
            c.execute(t.insert(), rows)
    return len(rows)


ACTIONS = ("restock", "supplier_or_grading", "none")


def _iso(v: dt.datetime | None) -> str | None:
    return v.astimezone(dt.timezone.utc).isoformat() if v is not None else None


def list_units(account: str | None = None, sku: str | None = None, action: str | None = None) -> list[dict]:
    """Every returned unit line recorded, newest return first: what `sellerops returns units` shows."""
    t = ReturnUnitAction.__table__
    q = sa.select(t).where(t.c.account == (account or settings().account))
    if sku is not None:
        q = q.where(t.c.sku == sku)
    if action is not None:
        q = q.where(t.c.action == action)
    with get_engine().connect() as c:
        rows = c.execute(q.order_by(t.c.returned_at.desc(), t.c.order_id, t.c.sku, t.c.license_plate_number)).all()
    return [{"order_id": r.order_id, "sku": r.sku, "marketplace": r.marketplace, "returned_at": _iso(r.returned_at),
             "license_plate_number": r.license_plate_number or None, "quantity": r.quantity,
             "disposition": r.disposition, "action": r.action, "recorded_at": _iso(r.recorded_at)} for r in rows]


def week_start(now: dt.datetime) -> dt.datetime:
    """Monday 00:00 UTC of `now`'s ISO week, the week the board's return tables count in."""
    day = now.astimezone(dt.timezone.utc).date()
    return dt.datetime.combine(day - dt.timedelta(days=day.weekday()), dt.time(), dt.timezone.utc)


def week_table(now: dt.datetime, account: str | None = None) -> list[dict]:
    """Returned units of `now`'s week and the one before, by week, SKU, disposition and the action
    recorded for them (units and lines), for the board: this week first, then most units."""
    t = ReturnUnitAction.__table__
    start = week_start(now)
    since, until = start - dt.timedelta(weeks=1), start + dt.timedelta(weeks=1)
    with get_engine().connect() as c:
        rows = c.execute(sa.select(t.c.returned_at, t.c.sku, t.c.disposition, t.c.action, t.c.quantity).where(
            t.c.account == (account or settings().account), t.c.returned_at >= since, t.c.returned_at < until)).all()
    groups: dict[tuple, list[int]] = {}
    for r in rows:
        week = "this week" if r.returned_at >= start else "last week"
        g = groups.setdefault((week, r.sku, r.disposition or "", r.action), [0, 0])
        g[0] += r.quantity
        g[1] += 1
    ordered = sorted(groups.items(), key=lambda kv: (kv[0][0] != "this week", -kv[1][0], kv[0][1], kv[0][2]))
    return [{"week": f"{week} (from {(start if week == 'this week' else since).date()})", "sku": sku,
             "disposition": disposition, "action": action, "units": units, "lines": lines}
            for (week, sku, disposition, action), (units, lines) in ordered]
