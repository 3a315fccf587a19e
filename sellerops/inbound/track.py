"""Shipments moving node by node: the observations of each poll turned into node transitions.

An observation says "at `observed_at` this shipment was at that node". A transition is recorded
the first time a poll sees a shipment at a later node: `entered_at` is that poll's `observed_at`,
never an invented time, and nodes jumped over between two polls are recorded with `entered_at`
None. An observation older than the last one taken for a shipment (out of order) moves nothing, and
one showing a node at or behind where it stands moves nothing either, so the shipment never goes
backwards and a repeated poll changes nothing; calls of one poll share its time. Cancelled is terminal; an
exception holds until a later poll shows the shipment on the line again. Pure Python.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from sellerops.inbound.nodes import CANCELLED, EXCEPTION, NODES, rank


@dataclass(frozen=True)
class Observation:
    """One shipment (or plan without shipments) as one saved response showed it."""

    observed_at: dt.datetime
    node: str
    api_version: str
    marketplace_id: str | None = None
    shipment_id: str | None = None  # the FBA id (v0 ShipmentId, 2024-03-20 shipmentConfirmationId)
    draft_id: str | None = None  # a 2024-03-20 `shipmentId`
    plan_id: str | None = None
    destination_fc: str | None = None
    status: str | None = None  # Amazon's own status, for the exception's detail


@dataclass(frozen=True)
class Transition:
    shipment_id: str
    node: str
    entered_at: dt.datetime | None  # None: jumped over between two polls
    observed_at: dt.datetime


@dataclass
class Shipment:
    """Where one shipment stands, and every node it has passed."""

    shipment_id: str
    api_version: str
    node: str
    entered_at: dt.datetime | None
    last_observed_at: dt.datetime
    first_observed_at: dt.datetime
    marketplace_id: str | None = None
    plan_id: str | None = None
    destination_fc: str | None = None
    status: str | None = None
    reached: int = 0  # the highest node number reached
    entered: dict[str, dt.datetime | None] = field(default_factory=dict)

    @property
    def node_number(self) -> int | None:
        return rank(self.node)


class Ids:
    """Which shipment an observation belongs to: the FBA shipment id once known, a 2024-03-20
    `shipmentId` before its confirmation id is known, a plan's id while it lists no shipment."""

    def __init__(self, observations: Iterable[Observation] = ()):
        self.confirmed: dict[str, str] = {}  # draft shipmentId -> FBA shipment id
        self.plan_shipments: dict[str, set[str]] = {}
        for o in observations:
            self.learn(o)

    def learn(self, o: Observation) -> None:
        if o.draft_id and o.shipment_id:
            self.confirmed[o.draft_id] = o.shipment_id
        if o.plan_id and (o.draft_id or o.shipment_id):
            self.plan_shipments.setdefault(o.plan_id, set()).add(o.draft_id or o.shipment_id)

    def canonical(self, sid: str) -> str:
        return self.confirmed.get(sid, sid)

    def of(self, o: Observation) -> list[str]:
        if o.shipment_id:
            return [o.shipment_id]
        if o.draft_id:
            return [self.confirmed.get(o.draft_id, o.draft_id)]
        shipments = self.plan_shipments.get(o.plan_id or "")
        if shipments:  # a plan's early nodes belong to the shipments it has now
            return sorted({self.confirmed.get(s, s) for s in shipments})
        return [o.plan_id] if o.plan_id else []


def advance(shipments: dict[str, Shipment], observations: Iterable[Observation],
            ids: Ids | None = None) -> list[Transition]:
    """Move `shipments` (in place) by `observations`, taken in the order given (the order they were
    loaded); the transitions recorded. Ids learnt from every observation first, so a draft id's
    history is merged into its FBA shipment id."""
    observations = list(observations)
    ids = ids or Ids(observations)
    for draft, fba in ids.confirmed.items():
        if draft in shipments:
            _merge(shipments, draft, fba)
    for plan, members in ids.plan_shipments.items():
        if plan in shipments and plan not in members:
            for s in sorted({ids.confirmed.get(m, m) for m in members}):
                _adopt(shipments, plan, s)
            del shipments[plan]
    out: list[Transition] = []
    for o in observations:
        for sid in ids.of(o):
            out.extend(_observe(shipments, sid, o))
    return out


def _observe(shipments: dict[str, Shipment], sid: str, o: Observation) -> list[Transition]:
    s = shipments.get(sid)
    if s is None:
        s = shipments[sid] = Shipment(sid, o.api_version, o.node, o.observed_at, o.observed_at, o.observed_at,
                                      o.marketplace_id, o.plan_id, o.destination_fc, o.status)
        return _enter(s, o, first=True)
    if o.observed_at < s.last_observed_at:
        return []  # an older poll arriving late: never backwards (the same poll again moves nothing either)
    s.last_observed_at = o.observed_at
    s.destination_fc = o.destination_fc or s.destination_fc
    s.plan_id = s.plan_id or o.plan_id
    s.marketplace_id = s.marketplace_id or o.marketplace_id
    if o.api_version != "v0":  # v0 also lists a confirmed 2024-03-20 shipment: it stays 2024-03-20
        s.api_version = o.api_version
    if s.node == CANCELLED or o.node == s.node:
        return []
    r = rank(o.node)
    if r is not None and (r < s.reached or (r == s.reached and s.node != EXCEPTION)):
        return []  # behind where it was: a stale status, never a step back
    return _enter(s, o)


def _enter(s: Shipment, o: Observation, first: bool = False) -> list[Transition]:
    r = rank(o.node)
    out = []
    if r is not None and not first:
        for n in NODES[s.reached:r - 1]:  # jumped over since the last poll
            if n.name not in s.entered:
                s.entered[n.name] = None
                out.append(Transition(s.shipment_id, n.name, None, o.observed_at))
    s.node, s.entered_at, s.status = o.node, o.observed_at, o.status
    if r is not None:
        s.reached = max(s.reached, r)
    s.entered.setdefault(o.node, o.observed_at)
    out.append(Transition(s.shipment_id, o.node, o.observed_at, o.observed_at))
    return out


def _merge(shipments: dict[str, Shipment], draft: str, fba: str) -> None:
    """A draft id's history becomes the FBA id's (the earlier of each node's entries wins)."""
    old = shipments.pop(draft)
    if fba not in shipments:
        shipments[fba] = dataclasses.replace(old, shipment_id=fba, entered=dict(old.entered))
        return
    _adopt_into(shipments[fba], old)


def _adopt(shipments: dict[str, Shipment], plan: str, sid: str) -> None:
    if sid in shipments:
        _adopt_into(shipments[sid], shipments[plan], keep_node=True)
    else:
        shipments[sid] = dataclasses.replace(shipments[plan], shipment_id=sid, entered=dict(shipments[plan].entered))


def _adopt_into(s: Shipment, old: Shipment, keep_node: bool = False) -> None:
    for node, at in old.entered.items():
        if node not in s.entered or (at is not None and (s.entered[node] is None or at < s.entered[node])):
            s.entered[node] = at
    s.first_observed_at = min(s.first_observed_at, old.first_observed_at)
    s.plan_id = s.plan_id or old.plan_id
    if not keep_node and old.last_observed_at > s.last_observed_at and (rank(old.node) or 0) > s.reached:
        s.node, s.entered_at, s.last_observed_at = old.node, old.entered_at, old.last_observed_at
    s.reached = max(s.reached, old.reached)


def delivered_at(s: Shipment) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(the DELIVERED observation, the date standing in for delivery): when DELIVERED was never
    observed, the first observation of any later node stands in."""
    seen = s.entered.get("delivered")
    if seen is not None:
        return seen, seen
    later = [at for node, at in s.entered.items() if at is not None and (rank(node) or 0) > 8]
    return None, (min(later) if later else None)


__all__ = ["Observation", "Transition", "Shipment", "Ids", "advance", "delivered_at", "EXCEPTION"]
