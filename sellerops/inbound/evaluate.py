"""Tracked shipments judged: shortages valued and windowed, overages, stuck and exception shipments.

Input is what the tracker knows (shipments, their items' latest quantities), the order lines that
value a unit and the Lost_Inbound reimbursements that may already cover a shortage; output is the
findings for the shared store (procedure `inbound`) and one status row per shipment, as
`sellerops inbound status` prints it. Pure Python: dates are UTC calendar dates, money integer
cents until a finding's Decimal amount.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import statistics
from dataclasses import dataclass, field
from fractions import Fraction

from sellerops.inbound import PROCEDURE
from sellerops.inbound.nodes import BY_NAME, CLOSED, EXCEPTION, RECONCILED, Policy, rank
from sellerops.inbound.track import Shipment, delivered_at
from sellerops.core.money import from_cents as money
from sellerops.reconciliation.model import FindingRecord

SHORTAGE, OVERAGE, STUCK = "inbound_shortage", "inbound_overage", "inbound_stuck"
EXCEPTION_KIND, CLOSING = "inbound_exception", "claim_window_closing"
KINDS = (SHORTAGE, OVERAGE, STUCK, EXCEPTION_KIND, CLOSING)
LOST_INBOUND = "Lost_Inbound"


@dataclass(frozen=True)
class InboundFinding(FindingRecord):
    """A finding about a shipment: the shipment id is part of its subject and of its key."""

    shipment_id: str | None = None

    @property
    def key(self) -> str:
        parts = (self.account, PROCEDURE, self.kind, self.shipment_id, self.sku)
        text = "\x1f".join("" if p is None else str(p) for p in parts)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Item:
    """One SKU of a shipment as the latest item response showed it."""

    shipment_id: str
    sku: str
    fnsku: str | None
    shipped: int
    received: int | None  # None: no v0 item response yet (2024-03-20 items carry no received quantity)
    evidence: dict = field(default_factory=dict, compare=False)

    @property
    def short(self) -> int:
        return max(0, self.shipped - (self.received or 0)) if self.received is not None else 0


@dataclass(frozen=True)
class OrderPrice:
    sku: str
    purchased_on: dt.date
    price_cents: int  # the line total for `quantity`
    quantity: int
    currency: str | None


@dataclass(frozen=True)
class Reimbursed:
    reimbursement_id: str
    case_id: str | None
    sku: str | None
    fnsku: str | None
    approved_on: dt.date
    quantity: int
    evidence: dict = field(default_factory=dict, compare=False)


@dataclass
class Prices:
    """Order lines per SKU, by purchase date, for the median unit value before a delivery."""

    by_sku: dict[str, tuple[list[dt.date], list[tuple[Fraction, str | None]]]]

    @classmethod
    def of(cls, lines: list[OrderPrice]) -> "Prices":
        grouped: dict[str, list[OrderPrice]] = {}
        for line in lines:
            if line.quantity and line.quantity > 0 and line.price_cents is not None:
                grouped.setdefault(line.sku, []).append(line)
        out = {}
        for sku, group in grouped.items():
            group.sort(key=lambda x: x.purchased_on)
            out[sku] = ([g.purchased_on for g in group],
                        [(Fraction(g.price_cents, g.quantity), g.currency) for g in group])
        return cls(out)

    def unit_value(self, sku: str, delivered: dt.date, days: int) -> tuple[Fraction | None, int, str | None]:
        """(median cents per unit, lines used, their currency) over purchases in the `days` days
        before the delivery date (the delivery day itself excluded)."""
        dates, values = self.by_sku.get(sku, ([], []))
        lo = bisect.bisect_left(dates, delivered - dt.timedelta(days=days))
        hi = bisect.bisect_left(dates, delivered)
        window = values[lo:hi]
        if not window:
            return None, 0, None
        return Fraction(statistics.median(v for v, _ in window)), len(window), window[-1][1]


def clock_change(shipments, policy: Policy, since: dt.datetime, now: dt.datetime) -> str | None:
    """What the clock alone changed between two runs that read the same data, or None when nothing:
    a new UTC day (claim windows open, close and expire by the day) or a shipment's time in its node
    passing its SLA. A clock that went back is a change too (the earlier run judged a later time)."""
    if now < since:
        return f"the clock went back from {since.isoformat()}"
    if now.date() != since.date():
        return f"a new day ({now.date()}): claim windows move by the day"
    for s in shipments.values():
        sla = policy.sla(s.node)
        if sla is not None and s.entered_at is not None and since < s.entered_at + dt.timedelta(hours=sla) <= now:
            return f"{s.shipment_id} passed its {sla} h SLA in {s.node}"
    return None


def claim_window(delivered: dt.date, policy: Policy) -> tuple[dt.date, dt.date]:
    """(first day, last day) a missing-units claim may be filed, both included."""
    return (delivered + dt.timedelta(days=policy.claim_opens_days),
            delivered + dt.timedelta(days=policy.claim_closes_days))


def window_state(opens: dt.date, closes: dt.date, today: dt.date) -> str:
    if today < opens:
        return "not yet open"
    return "open" if today <= closes else "expired"


def hours_between(start: dt.datetime | None, end: dt.datetime) -> float | None:
    return None if start is None else round((end - start).total_seconds() / 3600, 1)


@dataclass
class Evaluation:
    findings: list[InboundFinding]
    status: list[dict]
    reconciled: dict[str, dt.datetime]  # shipment -> when it was first found reconciled


@dataclass
class Context:
    account: str
    now: dt.datetime
    policy: Policy
    prices: Prices
    reimbursements: list[Reimbursed]
    cases: dict[tuple[str, str], str]  # (shipment, sku) -> the claim's case id
    marketplace: str = "Amazon.com"
    currency: str = "USD"
    used: set[str] = field(default_factory=set)  # reimbursement lines already matched by SKU
    # shipment -> the inbound performance report's problem lines (evidence rows, sku "" for a
    # shipment- or carton-level problem): shown beside the API's quantities, never deciding
    problems: dict[str, list[dict]] = field(default_factory=dict)

    def problems_of(self, shipment_id: str, sku: str | None = None) -> list[dict]:
        """The shipment's problem lines (with `sku`: that SKU's and the shipment-level ones)."""
        rows = self.problems.get(shipment_id, [])
        return rows if sku is None else [r for r in rows if r["values"].get("sku") in (sku, "", None)]


def problem_text(row: dict) -> str:
    """One problem line in a person's words: type, units, and what Amazon expected and received."""
    v = row["values"]
    parts = [v["problem_type"] + (f" ×{v['problem_quantity']}" if v.get("problem_quantity") is not None else "")]
    if v.get("sku"):
        parts.append(v["sku"])
    if v.get("expected_quantity") is not None or v.get("received_quantity") is not None:
        parts.append(f"expected {v.get('expected_quantity')}, received {v.get('received_quantity')}")
    return " ".join(parts[:1]) + (f" ({', '.join(parts[1:])})" if parts[1:] else "")


def evaluate(shipments: dict[str, Shipment], items: list[Item], ctx: Context) -> Evaluation:
    by_shipment: dict[str, list[Item]] = {}
    for it in items:
        by_shipment.setdefault(it.shipment_id, []).append(it)
    findings, status, reconciled = [], [], {}
    order = sorted(shipments.values(), key=lambda s: (delivered_at(s)[1] or ctx.now, s.shipment_id))
    for s in order:
        mine = sorted(by_shipment.get(s.shipment_id, []), key=lambda i: i.sku)
        found = _judge(s, mine, ctx)
        findings.extend(found)
        open_short = any(f.kind == SHORTAGE for f in found)
        if s.node == CLOSED.name and not open_short:
            # first found reconciled by the run whose clock this is, unless an earlier run recorded it
            reconciled[s.shipment_id] = s.entered.get(RECONCILED.name) or ctx.now
        status.append(_status(s, mine, found, ctx, s.shipment_id in reconciled))
    return Evaluation(findings, sorted(status, key=lambda r: r["shipment_id"]), reconciled)


def _finding(ctx: Context, s: Shipment, kind: str, detail: str, sku: str | None = None, cents: int = 0,
             currency: str | None = None, evidence=(), window=(None, None)) -> InboundFinding:
    return InboundFinding(kind=kind, account=ctx.account, marketplace=ctx.marketplace, settlement_id=None,
                          order_id=None, sku=sku, line_no=None, amount=money(cents), currency=currency or ctx.currency,
                          detail=detail, evidence=list(evidence), claim_window_opens=window[0],
                          claim_window_closes=window[1], shipment_id=s.shipment_id)


def _judge(s: Shipment, items: list[Item], ctx: Context) -> list[InboundFinding]:
    out = []
    r = rank(s.node)
    sla = ctx.policy.sla(s.node)
    hours = hours_between(s.entered_at, ctx.now)
    if r is not None and r <= 10 and sla is not None and hours is not None and hours > sla:
        owner = BY_NAME[s.node].owner
        out.append(_finding(ctx, s, STUCK, f"{s.shipment_id} has been at node {r} {s.node} for {hours:g} h, over its "
                                           f"SLA of {sla} h; owner: {owner}"))
    if s.node == EXCEPTION:
        out.append(_finding(ctx, s, EXCEPTION_KIND, f"{s.shipment_id}: Amazon reports {s.status or 'an error'}; "
                                                    f"a person must look at it in Seller Central"))
    if s.node != CLOSED.name:
        return out
    for it in items:
        if it.received is not None and it.received > it.shipped:
            out.append(_finding(ctx, s, OVERAGE, f"{it.sku} in {s.shipment_id}: received {it.received}, shipped "
                                                 f"{it.shipped} ({it.received - it.shipped} more than shipped)",
                                sku=it.sku, evidence=[it.evidence] if it.evidence else []))
        elif it.short > 0:
            out.extend(_shortage(s, it, ctx))
    return out


def _shortage(s: Shipment, it: Item, ctx: Context) -> list[InboundFinding]:
    seen, stand_in = delivered_at(s)
    delivered = (stand_in or s.entered_at or ctx.now).date()
    opens, closes = claim_window(delivered, ctx.policy)
    today = ctx.now.date()
    case = ctx.cases.get((s.shipment_id, it.sku))
    cover = _covering(it, case, delivered, ctx)
    if cover is not None:
        return []  # reimbursed: resolved, the units stay short in the status
    value, lines, currency = ctx.prices.unit_value(it.sku, delivered, ctx.policy.valuation_days)
    parts = [f"{it.short} of {it.shipped} units of {it.sku} shipped in {s.shipment_id} "
             f"{'was' if it.short == 1 else 'were'} not received (received {it.received})"]
    if value is None:
        parts.append(f"the units could not be valued: no order line of {it.sku} in the "
                     f"{ctx.policy.valuation_days} days before delivery")
        cents = Fraction(0)
    else:
        cents = value * it.short
        parts.append(f"unit value {money(value)} (median of {lines} order line{'s' * (lines != 1)})")
    if seen is None:
        parts.append(f"DELIVERED was never observed: the first later observation ({delivered}) stands in for "
                     f"the delivery date")
    state = window_state(opens, closes, today)
    parts.append(f"claim window {opens} to {closes}" + (" (expired)" if state == "expired" else
                                                        " (not yet open)" if state == "not yet open" else ""))
    if case:
        parts.append(f"case {case}")
    reported = ctx.problems_of(s.shipment_id, it.sku)
    if reported:
        parts.append("Amazon's inbound performance report: " + "; ".join(problem_text(r) for r in reported))
    shortage = _finding(ctx, s, SHORTAGE, "; ".join(parts), sku=it.sku, cents=cents, currency=currency,
                        evidence=([it.evidence] if it.evidence else []) + reported, window=(opens, closes))
    out = [shortage]
    if not case and 0 <= (closes - today).days <= ctx.policy.closing_soon_days:
        out.append(_finding(ctx, s, CLOSING, f"the claim window for {_units(it.short)} of {it.sku} in "
                                             f"{s.shipment_id} closes on {closes} "
                                             f"({(closes - today).days} days left); no case filed yet",
                            sku=it.sku, currency=shortage.currency, window=(opens, closes)))
    return out


def _units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


def _covering(it: Item, case: str | None, delivered: dt.date, ctx: Context) -> Reimbursed | None:
    """The Lost_Inbound reimbursement that settles this shortage: by the recorded case id, else one
    for the SKU (or FNSKU) approved after delivery with at least the units short."""
    if case:
        for r in ctx.reimbursements:
            if r.case_id == case:
                return r
    for r in ctx.reimbursements:
        if r.reimbursement_id in ctx.used or r.approved_on <= delivered or r.quantity < it.short:
            continue
        if (r.sku and r.sku == it.sku) or (r.fnsku and it.fnsku and r.fnsku == it.fnsku):
            ctx.used.add(r.reimbursement_id)
            return r
    return None


def _status(s: Shipment, items: list[Item], found: list[InboundFinding], ctx: Context, reconciled: bool) -> dict:
    seen, stand_in = delivered_at(s)
    node = RECONCILED.name if reconciled else s.node
    entered = (s.entered.get(node) or ctx.now) if reconciled else s.entered_at
    sla = ctx.policy.sla(node)
    hours = hours_between(entered, ctx.now)
    closed = s.node in (CLOSED.name, RECONCILED.name)
    received = [it.received for it in items if it.received is not None]
    window = claim_window(stand_in.date(), ctx.policy) if stand_in else (None, None)
    return {
        "shipment_id": s.shipment_id, "api_version": s.api_version, "destination_fc": s.destination_fc,
        "node": node, "node_number": rank(node), "entered_at": entered.isoformat() if entered else None,
        "hours_in_node": hours, "sla_hours": sla,
        "sla_breached": bool(sla is not None and hours is not None and hours > sla),
        "units_shipped": sum(it.shipped for it in items),
        "units_received": sum(received) if received else None,
        "units_short": sum(it.short for it in items) if closed else None,
        "delivered_at": seen.isoformat() if seen else None,
        "claim_window_opens": window[0].isoformat() if window[0] else None,
        "claim_window_closes": window[1].isoformat() if window[1] else None,
        "findings": sorted({f.kind for f in found}),
        "problems": [problem_text(r) for r in ctx.problems_of(s.shipment_id)],
    }
