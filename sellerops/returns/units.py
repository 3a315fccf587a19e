"""Returned units: what each FBA customer return's disposition calls for, recorded once per line.

SELLABLE goes back to stock; CUSTOMER_DAMAGED, DEFECTIVE and CARRIER_DAMAGED call for a supplier or
grading action recorded for the SKU; anything else for nothing. A refunded unit that never came
back is the reconciliation's `refund_without_return`, not this room's: one finding, never two.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

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
