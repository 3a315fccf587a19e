"""The twelve nodes of the inbound SOP, their owners and SLAs, and which node an Amazon status means.

Both API generations map here: v0 `ShipmentStatus`, and 2024-03-20 plan and shipment states with
the packing and placement options ACCEPTED and a `selectedTransportationOptionId`. The tracker
(`sellerops.inbound.track`) only ever sees node names; `InboundPolicy` (blocks/inbound_policy.py)
overrides the SLA hours and windows defined here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

CANCELLED, EXCEPTION = "cancelled", "exception"


@dataclass(frozen=True)
class Node:
    number: int
    name: str
    owner: str
    sla_hours: int | None  # None: no maximum dwell (closed, reconciled)


NODES: tuple[Node, ...] = (
    Node(1, "plan_created", "operations", 72),
    Node(2, "packing_confirmed", "operations", 48),
    Node(3, "placement_confirmed", "operations", 48),
    Node(4, "transport_confirmed", "logistics", 48),
    Node(5, "labels_ready", "warehouse", 72),
    Node(6, "shipped", "logistics", 240),
    Node(7, "in_transit", "logistics", 240),
    Node(8, "delivered", "amazon", 72),
    Node(9, "checked_in", "amazon", 72),
    Node(10, "receiving", "amazon", 336),
    Node(11, "closed", "inventory", None),
    Node(12, "reconciled", "finance", None),
)
BY_NAME: dict[str, Node] = {n.name: n for n in NODES}
DELIVERED, CLOSED, RECONCILED = BY_NAME["delivered"], BY_NAME["closed"], BY_NAME["reconciled"]


@dataclass(frozen=True)
class Policy:
    """The inbound procedure's settings; a saved `InboundPolicy` block overrides what it sets."""

    sla_hours: dict[str, int] = field(default_factory=lambda: {n.name: n.sla_hours for n in NODES
                                                              if n.sla_hours is not None})
    claim_opens_days: int = 15  # missing inbound units: 15 to 60 days after delivery (since Sept 2024)
    claim_closes_days: int = 60
    valuation_days: int = 90
    closing_soon_days: int = 7

    def sla(self, node: str) -> int | None:
        return self.sla_hours.get(node)

    def with_overrides(self, **overrides) -> "Policy":
        sla = dict(self.sla_hours, **(overrides.pop("sla_hours", None) or {}))
        unknown = set(sla) - {n.name for n in NODES[:10]}
        if unknown:
            raise ValueError(f"SLA for unknown node(s) {sorted(unknown)}: nodes 1-10 have SLAs")
        return dataclasses.replace(self, sla_hours=sla, **overrides)


def rank(node: str) -> int | None:
    """The node's number (1-12); None for cancelled and exception, which are off the line."""
    n = BY_NAME.get(node)
    return n.number if n else None


# v0 ShipmentStatus; 2024-03-20 shipments report the same names plus UNCONFIRMED, ABANDONED, MIXED
_BY_STATUS = {
    "WORKING": "placement_confirmed", "READY_TO_SHIP": "labels_ready", "SHIPPED": "shipped",
    "IN_TRANSIT": "in_transit", "DELIVERED": "delivered", "CHECKED_IN": "checked_in",
    "RECEIVING": "receiving", "CLOSED": "closed",
    "CANCELLED": CANCELLED, "DELETED": CANCELLED, "ABANDONED": CANCELLED,
    "ERROR": EXCEPTION, "MIXED": EXCEPTION,
}
V0_STATUSES = ("WORKING", "READY_TO_SHIP", "SHIPPED", "IN_TRANSIT", "DELIVERED", "CHECKED_IN", "RECEIVING",
               "CLOSED", "CANCELLED", "DELETED", "ERROR")
V2024_SHIPMENT_STATUSES = V0_STATUSES + ("UNCONFIRMED", "ABANDONED", "MIXED")
PLAN_STATUSES = ("ACTIVE", "SHIPPED", "VOIDED", "ERRORED")


class UnknownStatus(ValueError):
    pass


def v0_node(status: str) -> str:
    """The node a v0 `ShipmentStatus` means."""
    if status not in V0_STATUSES:
        raise UnknownStatus(f"unknown v0 ShipmentStatus {status!r} (expected one of {', '.join(V0_STATUSES)})")
    return _BY_STATUS[status]


def plan_node(plan_status: str, packing_accepted: bool, placement_accepted: bool = False) -> str:
    """The node of a 2024-03-20 inbound plan that lists no shipment yet (nodes 1-3)."""
    if plan_status not in PLAN_STATUSES:
        raise UnknownStatus(f"unknown inbound plan status {plan_status!r} (expected one of {', '.join(PLAN_STATUSES)})")
    if plan_status == "VOIDED":
        return CANCELLED
    if plan_status == "ERRORED":
        return EXCEPTION
    if placement_accepted:
        return "placement_confirmed"
    return "packing_confirmed" if packing_accepted else "plan_created"


def shipment_node(status: str, plan_status: str | None = None, placement_accepted: bool = False,
                  transport_selected: bool = False) -> str:
    """The node of a 2024-03-20 shipment: its status, read with its plan's state, the placement
    option and whether `getShipment` shows a `selectedTransportationOptionId`."""
    if status not in V2024_SHIPMENT_STATUSES:
        raise UnknownStatus(f"unknown 2024-03-20 shipment status {status!r} "
                            f"(expected one of {', '.join(V2024_SHIPMENT_STATUSES)})")
    if plan_status == "VOIDED":
        return CANCELLED
    if plan_status == "ERRORED":
        return EXCEPTION
    if status in ("UNCONFIRMED", "WORKING"):
        if transport_selected:
            return "transport_confirmed"
        if status == "WORKING" or placement_accepted:
            return "placement_confirmed"
        return "packing_confirmed"
    return _BY_STATUS[status]
