"""Transitions across polls: first seen mid-way, jumps, out of order, repeats, merges of ids."""

from __future__ import annotations

import datetime as dt

from sellerops.inbound.track import Ids, Observation, advance, delivered_at

T0 = dt.datetime(2026, 9, 1, 12, tzinfo=dt.timezone.utc)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def obs(hours, node, sid="FBA1", **kw):
    return Observation(observed_at=at(hours), node=node, api_version=kw.pop("api_version", "v0"), shipment_id=sid, **kw)


def entries(transitions):
    return [(t.node, t.entered_at) for t in transitions]


def test_first_seen_mid_way_enters_at_its_first_poll_only():
    shipments = {}
    got = advance(shipments, [obs(0, "shipped")])
    # nothing before `shipped` is invented for a shipment first seen there
    assert entries(got) == [("shipped", at(0))]
    assert shipments["FBA1"].entered_at == at(0) and shipments["FBA1"].node_number == 6


def test_a_jump_passes_the_skipped_nodes_with_no_time():
    shipments = {}
    advance(shipments, [obs(0, "shipped")])
    got = advance(shipments, [obs(5, "checked_in")])
    assert entries(got) == [("in_transit", None), ("delivered", None), ("checked_in", at(5))]
    assert delivered_at(shipments["FBA1"]) == (None, at(5))  # checked_in stands in for the delivery


def test_repeated_polls_change_nothing():
    shipments = {}
    advance(shipments, [obs(0, "shipped"), obs(1, "in_transit")])
    before = {k: (v.node, v.entered_at, dict(v.entered)) for k, v in shipments.items()}
    assert advance(shipments, [obs(1, "in_transit"), obs(2, "in_transit")]) == []
    assert {k: (v.node, v.entered_at, dict(v.entered)) for k, v in shipments.items()} == before


def test_an_older_observation_never_moves_back():
    shipments = {}
    advance(shipments, [obs(0, "shipped"), obs(10, "delivered")])
    # a poll from hour 5 arrives late: in_transit stays skipped, the shipment stays delivered
    assert advance(shipments, [obs(5, "in_transit")]) == []
    s = shipments["FBA1"]
    assert (s.node, s.entered_at, s.entered["in_transit"]) == ("delivered", at(10), None)


def test_a_newer_poll_showing_an_earlier_status_is_ignored():
    shipments = {}
    advance(shipments, [obs(0, "receiving")])
    assert advance(shipments, [obs(3, "in_transit")]) == []
    assert shipments["FBA1"].node == "receiving"


def test_cancelled_is_terminal():
    shipments = {}
    advance(shipments, [obs(0, "labels_ready"), obs(1, "cancelled")])
    assert advance(shipments, [obs(2, "shipped")]) == []
    assert shipments["FBA1"].node == "cancelled" and shipments["FBA1"].node_number is None


def test_an_exception_holds_until_the_shipment_is_back_on_the_line():
    shipments = {}
    advance(shipments, [obs(0, "shipped"), obs(1, "exception", status="ERROR")])
    assert shipments["FBA1"].node == "exception"
    got = advance(shipments, [obs(2, "in_transit")])
    assert entries(got) == [("in_transit", at(2))] and shipments["FBA1"].node == "in_transit"


def test_a_draft_shipment_merges_into_its_fba_id_once_confirmed():
    shipments = {}
    v2 = dict(api_version="2024-03-20", plan_id="wf1")
    advance(shipments, [obs(0, "packing_confirmed", sid=None, draft_id="sh1", **v2)])
    assert list(shipments) == ["sh1"]  # before confirmation it goes by its shipmentId
    got = advance(shipments, [obs(5, "labels_ready", sid="FBA9", draft_id="sh1", **v2)])
    assert list(shipments) == ["FBA9"]
    s = shipments["FBA9"]
    assert s.entered["packing_confirmed"] == at(0) and s.node == "labels_ready"
    assert entries(got) == [("placement_confirmed", None), ("transport_confirmed", None), ("labels_ready", at(5))]
    # v0 lists the confirmed shipment too: still one shipment, still 2024-03-20
    advance(shipments, [obs(6, "shipped", sid="FBA9")])
    assert list(shipments) == ["FBA9"] and shipments["FBA9"].api_version == "2024-03-20"


def test_a_plan_without_shipments_is_listed_under_its_plan_id_then_handed_to_them():
    shipments = {}
    plan = dict(api_version="2024-03-20", plan_id="wf7", sid=None)
    advance(shipments, [obs(0, "plan_created", **plan)])
    assert list(shipments) == ["wf7"]
    advance(shipments, [obs(3, "packing_confirmed", draft_id="shA", **plan)])
    assert list(shipments) == ["shA"]
    assert shipments["shA"].entered["plan_created"] == at(0)


def test_loading_everything_at_once_equals_poll_by_poll():
    polls = [obs(0, "shipped"), obs(4, "delivered"), obs(2, "in_transit"), obs(9, "closed"), obs(9, "closed")]
    one = {}
    advance(one, polls)
    many = {}
    for p in polls:
        advance(many, [p], Ids(polls))
    assert {k: (v.node, v.entered) for k, v in one.items()} == {k: (v.node, v.entered) for k, v in many.items()}
    # the late hour-2 poll arrived after hour 4: in_transit stays skipped
    assert one["FBA1"].entered["in_transit"] is None


def test_calls_of_one_poll_share_its_time_and_only_move_forward():
    shipments = {}
    plan = dict(api_version="2024-03-20", plan_id="wf1", sid=None)
    ids = Ids([obs(0, "plan_created", **plan), obs(0, "transport_confirmed", draft_id="sh1", **plan)])
    # the plan listing and the shipment's own call, taken in the same poll
    got = advance(shipments, [obs(0, "plan_created", **plan), obs(0, "transport_confirmed", draft_id="sh1", **plan)], ids)
    assert shipments["sh1"].node == "transport_confirmed"
    assert entries(got)[0] == ("plan_created", at(0)) and entries(got)[-1] == ("transport_confirmed", at(0))
    # the same poll's plan listing read again: nothing moves back
    assert advance(shipments, [obs(0, "plan_created", **plan)], ids) == []
