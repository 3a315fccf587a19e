"""Every status of both API generations maps to its node (the issue's table)."""

from __future__ import annotations

import pytest

from sellerops.inbound.nodes import (CANCELLED, EXCEPTION, NODES, PLAN_STATUSES, V0_STATUSES,
                                     V2024_SHIPMENT_STATUSES, Policy, UnknownStatus, plan_node, rank,
                                     shipment_node, v0_node)


def test_the_twelve_nodes_owners_and_slas():
    assert [(n.number, n.name, n.owner, n.sla_hours) for n in NODES] == [
        (1, "plan_created", "operations", 72), (2, "packing_confirmed", "operations", 48),
        (3, "placement_confirmed", "operations", 48), (4, "transport_confirmed", "logistics", 48),
        (5, "labels_ready", "warehouse", 72), (6, "shipped", "logistics", 240), (7, "in_transit", "logistics", 240),
        (8, "delivered", "amazon", 72), (9, "checked_in", "amazon", 72), (10, "receiving", "amazon", 336),
        (11, "closed", "inventory", None), (12, "reconciled", "finance", None)]


@pytest.mark.parametrize("status, node", [
    ("WORKING", "placement_confirmed"),  # the table: v0 WORKING is node 3
    ("READY_TO_SHIP", "labels_ready"), ("SHIPPED", "shipped"), ("IN_TRANSIT", "in_transit"),
    ("DELIVERED", "delivered"), ("CHECKED_IN", "checked_in"), ("RECEIVING", "receiving"), ("CLOSED", "closed"),
    ("CANCELLED", CANCELLED), ("DELETED", CANCELLED),  # terminal
    ("ERROR", EXCEPTION),  # needs a person
])
def test_v0_status(status, node):
    assert v0_node(status) == node


def test_every_v0_status_is_mapped():
    assert {v0_node(s) for s in V0_STATUSES} <= {n.name for n in NODES} | {CANCELLED, EXCEPTION}
    assert len(V0_STATUSES) == 11


@pytest.mark.parametrize("status, placement, transport, node", [
    ("UNCONFIRMED", False, False, "packing_confirmed"),  # packing accepted, shipment not confirmed
    ("UNCONFIRMED", True, False, "placement_confirmed"),  # placement option ACCEPTED
    ("WORKING", True, False, "placement_confirmed"),
    ("WORKING", True, True, "transport_confirmed"),  # getShipment shows selectedTransportationOptionId
    ("UNCONFIRMED", True, True, "transport_confirmed"),
    ("READY_TO_SHIP", True, True, "labels_ready"), ("SHIPPED", True, True, "shipped"),
    ("IN_TRANSIT", True, True, "in_transit"), ("DELIVERED", True, True, "delivered"),
    ("CHECKED_IN", True, True, "checked_in"), ("RECEIVING", True, True, "receiving"), ("CLOSED", True, True, "closed"),
    ("CANCELLED", True, False, CANCELLED), ("DELETED", False, False, CANCELLED), ("ABANDONED", False, False, CANCELLED),
    ("ERROR", True, True, EXCEPTION), ("MIXED", True, True, EXCEPTION),
])
def test_2024_shipment_status(status, placement, transport, node):
    assert shipment_node(status, "ACTIVE", placement, transport) == node


def test_every_2024_shipment_status_is_mapped():
    assert len(V2024_SHIPMENT_STATUSES) == 14
    for s in V2024_SHIPMENT_STATUSES:
        assert shipment_node(s, "ACTIVE") in {n.name for n in NODES} | {CANCELLED, EXCEPTION}


@pytest.mark.parametrize("plan, node", [
    ("VOIDED", CANCELLED),  # a voided plan cancels its shipments, whatever they say
    ("ERRORED", EXCEPTION),  # an errored plan needs a person
    ("SHIPPED", "shipped"),  # a shipped plan leaves the shipment's own status in charge
])
def test_plan_state_over_shipment_status(plan, node):
    assert shipment_node("SHIPPED", plan) == node


@pytest.mark.parametrize("plan, packing, placement, node", [
    ("ACTIVE", False, False, "plan_created"),  # node 1: no packing option accepted
    ("ACTIVE", True, False, "packing_confirmed"),  # node 2: a packing option ACCEPTED
    ("ACTIVE", True, True, "placement_confirmed"),
    ("VOIDED", False, False, CANCELLED), ("ERRORED", True, False, EXCEPTION),
])
def test_plan_without_shipments(plan, packing, placement, node):
    assert plan_node(plan, packing, placement) == node
    assert set(PLAN_STATUSES) == {"ACTIVE", "SHIPPED", "VOIDED", "ERRORED"}


@pytest.mark.parametrize("call", [lambda: v0_node("UNCONFIRMED"), lambda: shipment_node("LOST"),
                                  lambda: plan_node("DRAFT", False)])
def test_unknown_status_is_refused_by_name(call):
    with pytest.raises(UnknownStatus, match="unknown"):
        call()


def test_cancelled_and_exception_have_no_number():
    assert rank(CANCELLED) is None and rank(EXCEPTION) is None and rank("receiving") == 10


def test_policy_overrides_only_what_it_sets():
    p = Policy().with_overrides(sla_hours={"in_transit": 300}, claim_closes_days=75)
    assert p.sla("in_transit") == 300 and p.sla("shipped") == 240  # the rest keep the defaults
    assert p.claim_closes_days == 75 and p.claim_opens_days == 15
    assert p.sla("closed") is None
    with pytest.raises(ValueError, match="unknown node"):
        Policy().with_overrides(sla_hours={"closed": 5})
