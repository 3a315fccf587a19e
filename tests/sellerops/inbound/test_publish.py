"""What the tracker publishes: node events named for automations, time in node, shortages by deadline."""

from __future__ import annotations

import datetime as dt

from sellerops.inbound.publish import hours_per_node, node_events, node_table, shortages_markdown
from sellerops.inbound.track import Observation, advance

T0 = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)


def tracked():
    shipments = {}
    transitions = advance(shipments, [Observation(T0 + dt.timedelta(hours=h), n, "v0", shipment_id="FBA1")
                                      for h, n in ((0, "shipped"), (10, "delivered"), (40, "checked_in"))])
    return shipments, transitions


def test_one_event_per_transition_with_the_shipment_as_resource():
    _, transitions = tracked()
    events = node_events(transitions)
    assert [e["event"] for e in events] == ["sellerops.inbound.node.shipped", "sellerops.inbound.node.in_transit",
                                            "sellerops.inbound.node.delivered", "sellerops.inbound.node.checked_in"]
    assert {e["resource"]["prefect.resource.id"] for e in events} == {"sellerops.inbound.shipment.FBA1"}
    skipped = events[1]
    assert skipped["payload"]["skipped"] is True and skipped["payload"]["entered_at"] is None


def test_time_in_node_until_the_next_node_seen_or_now():
    shipments, _ = tracked()
    now = T0 + dt.timedelta(hours=45)
    # shipped 0->10 h (in_transit jumped over: no time of its own), delivered 10->40, checked_in 40->now
    assert hours_per_node(shipments["FBA1"], now) == {"shipped": 10.0, "in_transit": None, "delivered": 30.0,
                                                     "checked_in": 5.0}
    (row,) = node_table(shipments, [], now)
    assert (row["in_transit"], row["receiving"], row["checked_in"]) == ("-", "", 5.0)


def test_open_shortages_nearest_deadline_first():
    base = {"kind": "inbound_shortage", "status": "open", "amount": "5.00", "currency": "USD", "sku": "S"}
    md = shortages_markdown([dict(base, id="b" * 24, shipment_id="FBA2", claim_window_closes="2026-08-01"),
                             dict(base, id="a" * 24, shipment_id="FBA1", claim_window_closes="2026-07-20"),
                             dict(base, id="c" * 24, shipment_id="FBA3", status="resolved")], dt.date(2026, 7, 15))
    lines = [line for line in md.splitlines() if line.startswith("| 2026")]
    assert lines == ["| 2026-07-20 | 5 | FBA1 | S | 5.00 USD | aaaaaaaaaa |",
                     "| 2026-08-01 | 17 | FBA2 | S | 5.00 USD | bbbbbbbbbb |"]
    assert "No open shortage." in shortages_markdown([], dt.date(2026, 7, 15))


def test_a_skipped_run_still_tells_sla_breaches_from_the_shipments_alone():
    from sellerops.inbound.nodes import Policy
    from sellerops.inbound.publish import clock_status

    shipments, _ = tracked()  # checked_in since hour 40, its SLA 72 h
    assert clock_status(shipments, Policy(), T0 + dt.timedelta(hours=100)) == [
        {"shipment_id": "FBA1", "node": "checked_in", "sla_breached": False}]  # 60 h in node
    assert clock_status(shipments, Policy(), T0 + dt.timedelta(hours=113))[0]["sla_breached"]  # 73 h
