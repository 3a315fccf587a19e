"""The account-health watch's measurements: each signal's value per subject, from the stored inputs.

The first half of the watch. Ingestion (sellerops.health.inputs) stores Amazon's seller performance
reports, the manage-inventory snapshot, the all-orders lines, the search-term report and the
seller's cycle counts and purchase orders (sellerops.storage.health); `measure` turns them into one
`Measurement` per signal and subject, at the watch's clock `now`. The levels, warnings, events and
answering procedures that judge these values live beside it and read nothing else. Pure arithmetic
on Decimals over what the database holds: no Prefect, no files.

Every window is [now − N days, now): start included, end excluded; a plain date stands for its
midnight UTC. Every window and count is a setting (`Windows`) whose default lives here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from sellerops.storage.health import AdSearchTerm, CycleCount, FbaInventory, PerformanceMetric, PurchaseOrderLine
from sellerops.storage.tables import OrderLine

ODR = "odr"
INVENTORY_ACCURACY = "inventory_accuracy"
SUPPLIER_LEAD_TIME = "supplier_lead_time"
INVENTORY_TURNOVER = "inventory_turnover"
AD_CONVERSION = "ad_conversion"
LATE_SHIPMENT_RATE = "late_shipment_rate"
CANCEL_RATE = "cancel_rate"
VALID_TRACKING_RATE = "valid_tracking_rate"
IP_COMPLAINTS = "ip_complaints"
SIGNALS = (ODR, INVENTORY_ACCURACY, SUPPLIER_LEAD_TIME, INVENTORY_TURNOVER, AD_CONVERSION, LATE_SHIPMENT_RATE,
           CANCEL_RATE, VALID_TRACKING_RATE, IP_COMPLAINTS)
# The signals read from the seller performance report, as stored (PerformanceMetric.metric).
AMAZON_METRICS = (ODR, LATE_SHIPMENT_RATE, CANCEL_RATE, VALID_TRACKING_RATE, IP_COMPLAINTS)
INFINITY = Decimal("Infinity")
SHIPPED = "shipped"


@dataclass(frozen=True)
class Measurement:
    """One signal's value for one subject, in the signal's own units (rates as fractions, days,
    counts), at the data's time (the report's for Amazon's metrics, else the watch's `now`)."""

    signal: str
    subject: str
    value: Decimal
    at: dt.datetime
    detail: dict = field(default_factory=dict)  # JSON-safe context: the sums behind the value


@dataclass(frozen=True)
class Windows:
    """The measurement's windows and counts (days; clicks; purchase orders)."""

    accuracy_days: int = 7
    ad_days: int = 14
    ad_min_clicks: int = 100
    cover_days: int = 30
    lead_time_pos: int = 10


def measure(session, now: dt.datetime, windows: Windows = Windows(), account: str | None = None) -> list[Measurement]:
    """Every signal's measurement for every subject that has data, at `now` (timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: the watch's clock must be timezone-aware")
    now = now.astimezone(dt.timezone.utc)
    account = account or _account()
    return (amazon_metrics(session, account, now) + inventory_accuracy(session, account, now, windows)
            + supplier_lead_time(session, account, now, windows) + inventory_turnover(session, account, now, windows)
            + ad_conversion(session, account, now, windows))


def history(session, signal: str, subject: str, before: dt.datetime, limit: int,
            account: str | None = None) -> list[tuple[dt.datetime, Decimal]]:
    """An Amazon metric's values in the `limit` reports before `before` (by report time), oldest
    first; for `ip_complaints`, each report's increase over the one before it. Empty for the
    signals that are not Amazon's (their trend is the watch's own record of values)."""
    if signal not in AMAZON_METRICS or limit <= 0:
        return []
    account = account or _account()
    marketplace_id, _, channel = subject.partition("/")
    reports = _reports(session, account, signal, marketplace_id, channel, before)
    if signal == IP_COMPLAINTS:
        values = [(at, _increase(v, reports[i - 1][1] if i else None)) for i, (at, v, _) in enumerate(reports)]
    else:
        values = [(at, v) for at, v, _ in reports]
    return values[-limit:]


# ---- Amazon's metrics (the seller performance report) -----------------------------------------------

def amazon_metrics(session, account: str, now: dt.datetime) -> list[Measurement]:
    """Each marketplace's (and for the ODR, each channel's) value in its latest report by report time
    up to `now`; IP complaints as the increase over the report before it."""
    t = PerformanceMetric.__table__
    subjects = session.execute(sa.select(t.c.metric, t.c.marketplace_id, t.c.channel).distinct().where(
        t.c.account == account, t.c.report_at <= now)).all()
    out = []
    for metric, marketplace_id, channel in sorted(subjects):
        reports = _reports(session, account, metric, marketplace_id, channel, now, inclusive=True)
        if not reports:
            continue
        at, value, row = reports[-1]
        subject = f"{marketplace_id}/{channel}" if metric == ODR else marketplace_id
        detail = {"status": row.status, "target": row.target, "report_file_id": row.report_file_id}
        if metric == IP_COMPLAINTS:
            before = reports[-2][1] if len(reports) > 1 else None
            detail.update(count=str(value), previous=None if before is None else str(before))
            value = _increase(value, before)
        out.append(Measurement(metric, subject, value, at, detail))
    return out


def _reports(session, account: str, metric: str, marketplace_id: str, channel: str, until: dt.datetime,
             inclusive: bool = False) -> list[tuple[dt.datetime, Decimal, object]]:
    """(report time, value, row) per report of one metric, oldest first; of two files with the same
    report time, the one loaded last."""
    t = PerformanceMetric.__table__
    cond = t.c.report_at <= until if inclusive else t.c.report_at < until
    rows = session.execute(sa.select(t).where(t.c.account == account, t.c.metric == metric,
                                              t.c.marketplace_id == marketplace_id, t.c.channel == channel, cond)
                           .order_by(t.c.report_at, t.c.report_file_id)).all()
    by_time = {}
    for r in rows:
        by_time[r.report_at] = r
    return [(at, Decimal(r.value), r) for at, r in sorted(by_time.items())]


def _increase(value: Decimal, before: Decimal | None) -> Decimal:
    """How many more than the report before (none before, or fewer: no increase)."""
    return max(value - before, Decimal(0)) if before is not None else Decimal(0)


# ---- the seller's own files ---------------------------------------------------------------------------

def inventory_accuracy(session, account: str, now: dt.datetime, windows: Windows) -> list[Measurement]:
    """Per location: 1 − Σ abs(counted − system) / Σ system over the counts of the window."""
    first, last = _date_window(now, windows.accuracy_days)
    t = CycleCount.__table__
    rows = session.execute(sa.select(t.c.location, t.c.counted_quantity, t.c.system_quantity).where(
        t.c.account == account, t.c.count_date >= first, t.c.count_date <= last)).all()
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for location, counted, system in rows:
        s = sums[location]
        s[0] += abs(counted - system)
        s[1] += system
        s[2] += 1
    out = []
    for location, (diff, system, counts) in sorted(sums.items()):
        # nothing on the books: exact when nothing was found either, else nothing about it was right
        value = Decimal(1) - Decimal(diff) / Decimal(system) if system else Decimal(1 if diff == 0 else 0)
        out.append(Measurement(INVENTORY_ACCURACY, location, value, now,
                               {"counts": counts, "abs_difference": diff, "system_quantity": system,
                                "days": windows.accuracy_days}))
    return out


def supplier_lead_time(session, account: str, now: dt.datetime, windows: Windows) -> list[Measurement]:
    """Per supplier: the mean of (actual − expected arrival) in days over its last N arrived purchase
    orders (fewer: all it has). A PO counts once: it arrived when its last line did (every line has
    an actual arrival before `now`), late by its latest actual arrival − its latest expected one."""
    t = PurchaseOrderLine.__table__
    rows = session.execute(sa.select(t.c.supplier, t.c.po_number, t.c.expected_arrival_date,
                                     t.c.actual_arrival_date).where(t.c.account == account)).all()
    pos: dict[tuple[str, str], list] = defaultdict(list)
    for supplier, po, expected, actual in rows:
        pos[(supplier, po)].append((expected, actual))
    arrived: dict[str, list[tuple[dt.date, str, int]]] = defaultdict(list)
    for (supplier, po), lines in pos.items():
        if any(a is None or _midnight(a) >= now for _, a in lines):
            continue  # not arrived yet at the watch's clock
        actual, expected = max(a for _, a in lines), max(e for e, _ in lines)
        arrived[supplier].append((actual, po, (actual - expected).days))
    out = []
    for supplier, done in sorted(arrived.items()):
        last = sorted(done, reverse=True)[: windows.lead_time_pos]
        mean = Decimal(sum(d for _, _, d in last)) / Decimal(len(last))
        out.append(Measurement(SUPPLIER_LEAD_TIME, supplier, mean, now,
                               {"pos_counted": len(last), "po_numbers": [p for _, p, _ in last],
                                "days_late": [d for _, _, d in last]}))
    return out


# ---- FBA inventory and orders -----------------------------------------------------------------------

def on_hand(row) -> int | None:
    """Units on hand: afn-warehouse-quantity, or fulfillable + unsellable + reserved where the file
    has no warehouse quantity (None when it has none of them)."""
    if row.afn_warehouse_quantity is not None:
        return row.afn_warehouse_quantity
    parts = (row.afn_fulfillable_quantity, row.afn_unsellable_quantity, row.afn_reserved_quantity)
    return None if all(p is None for p in parts) else sum(p or 0 for p in parts)


def inventory_turnover(session, account: str, now: dt.datetime, windows: Windows) -> list[Measurement]:
    """Per SKU of the most recently loaded manage-inventory file: days of cover = on hand ÷ (units
    shipped in the window ÷ its days); Infinity with stock on hand and nothing shipped."""
    inv = FbaInventory.__table__
    latest = session.execute(sa.select(sa.func.max(inv.c.report_file_id)).where(inv.c.account == account)).scalar()
    if latest is None:
        return []
    stock = session.execute(sa.select(inv).where(inv.c.account == account, inv.c.report_file_id == latest)).all()
    shipped = units_shipped(session, account, now - dt.timedelta(days=windows.cover_days), now)
    out = []
    for row in sorted(stock, key=lambda r: r.sku):
        units = on_hand(row)
        if units is None:
            continue
        sold = shipped.get(row.sku, 0)
        if sold:
            cover = Decimal(units) * Decimal(windows.cover_days) / Decimal(sold)
        else:
            cover = INFINITY if units > 0 else Decimal(0)
        out.append(Measurement(INVENTORY_TURNOVER, row.sku, cover, now,
                               {"on_hand": units, "units_shipped": sold, "days": windows.cover_days,
                                "report_file_id": latest}))
    return out


def units_shipped(session, account: str, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Per SKU, the quantity of all-orders lines whose item-status is Shipped, purchased in [start, end)."""
    t = OrderLine.__table__
    rows = session.execute(sa.select(t.c.sku, t.c.item_status, sa.func.sum(t.c.quantity)).where(
        t.c.account == account, t.c.purchase_date >= start, t.c.purchase_date < end)
        .group_by(t.c.sku, t.c.item_status)).all()
    out: dict[str, int] = defaultdict(int)
    for sku, status, quantity in rows:
        if (status or "").strip().lower() == SHIPPED:
            out[sku] += int(quantity or 0)
    return dict(out)


# ---- advertising ------------------------------------------------------------------------------------

def ad_conversion(session, account: str, now: dt.datetime, windows: Windows) -> list[Measurement]:
    """Per Targeting text (summed over campaigns, ad groups and match types) with at least the
    minimum clicks in the window: orders ÷ clicks."""
    first, last = _date_window(now, windows.ad_days)
    t = AdSearchTerm.__table__
    rows = session.execute(sa.select(t.c.targeting, sa.func.sum(t.c.clicks), sa.func.sum(t.c.orders)).where(
        t.c.account == account, t.c.date >= first, t.c.date <= last).group_by(t.c.targeting)).all()
    out = []
    for targeting, clicks, orders in sorted(rows):
        clicks, orders = int(clicks or 0), int(orders or 0)
        if clicks < windows.ad_min_clicks:
            continue
        out.append(Measurement(AD_CONVERSION, targeting, Decimal(orders) / Decimal(clicks), now,
                               {"clicks": clicks, "orders": orders, "days": windows.ad_days}))
    return out


# ---- time ---------------------------------------------------------------------------------------------

def _midnight(day: dt.date) -> dt.datetime:
    """A plain date as a moment: its midnight UTC."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def _date_window(now: dt.datetime, days: int) -> tuple[dt.date, dt.date]:
    """The first and last plain dates whose midnight UTC lies in [now − days, now)."""
    start = now - dt.timedelta(days=days)
    first = start.date() if _midnight(start.date()) >= start else start.date() + dt.timedelta(days=1)
    last = now.date() if _midnight(now.date()) < now else now.date() - dt.timedelta(days=1)
    return first, last


def _account() -> str:
    from sellerops.core.config import settings

    return settings().account
