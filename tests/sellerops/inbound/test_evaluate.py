"""Findings at their edges: the claim window, the 90-day valuation, stand-in delivery, resolution."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sellerops.inbound.evaluate import (CLOSING, EXCEPTION_KIND, OVERAGE, SHORTAGE, STUCK, Context, Item, OrderPrice,
                                        Prices, Reimbursed, claim_window, evaluate, window_state)
from sellerops.inbound.nodes import Policy
from sellerops.inbound.track import Observation, advance

UTC = dt.timezone.utc
DELIVERED = dt.datetime(2026, 6, 1, 9, tzinfo=UTC)


def shipment(*steps, sid="FBA1"):
    shipments = {}
    advance(shipments, [Observation(observed_at=t, node=n, api_version="v0", shipment_id=sid, destination_fc="PHX7",
                                    status=n.upper()) for t, n in steps])
    return shipments


def closed(delivered=DELIVERED, sid="FBA1"):
    return shipment((delivered - dt.timedelta(days=3), "shipped"), (delivered, "delivered"),
                    (delivered + dt.timedelta(days=4), "closed"), sid=sid)


def ctx(now, orders=(), reimbursements=(), cases=None, policy=Policy()):
    return Context(account="acct", now=now, policy=policy, prices=Prices.of(list(orders)),
                   reimbursements=list(reimbursements), cases=cases or {})


def item(shipped=10, received=7, sku="SKU-A", sid="FBA1", fnsku="X00A"):
    return Item(sid, sku, fnsku, shipped, received, {"file": "items.json", "line": None, "values": {}})


def kinds(ev):
    return sorted(f.kind for f in ev.findings)


@pytest.mark.parametrize("today, state", [
    (dt.date(2026, 6, 15), "not yet open"),  # delivery + 14
    (dt.date(2026, 6, 16), "open"),  # delivery + 15: the first day a claim may be filed
    (dt.date(2026, 7, 31), "open"),  # delivery + 60: the last day, included
    (dt.date(2026, 8, 1), "expired"),  # delivery + 61: expired from the day after it closes
])
def test_window_edges(today, state):
    opens, closes = claim_window(DELIVERED.date(), Policy())
    assert (opens, closes) == (dt.date(2026, 6, 16), dt.date(2026, 7, 31))
    assert window_state(opens, closes, today) == state


def test_shortage_valued_by_the_median_unit_price_of_the_90_days_before_delivery():
    orders = [
        OrderPrice("SKU-A", dt.date(2026, 3, 3), 2000, 2, "USD"),  # delivery - 90 days: inside, 10.00 a unit
        OrderPrice("SKU-A", dt.date(2026, 3, 2), 99900, 1, "USD"),  # delivery - 91: outside
        OrderPrice("SKU-A", dt.date(2026, 5, 31), 1200, 1, "USD"),  # the day before: inside, 12.00
        OrderPrice("SKU-A", dt.date(2026, 6, 1), 99900, 1, "USD"),  # delivery day: not before delivery
        OrderPrice("SKU-A", dt.date(2026, 4, 1), 3300, 3, "USD"),  # 11.00
    ]
    ev = evaluate(closed(), [item(10, 7)], ctx(dt.datetime(2026, 6, 10, tzinfo=UTC), orders))
    (f,) = ev.findings
    # median of 10.00, 11.00, 12.00 = 11.00 a unit; 3 short
    assert (f.kind, f.amount, f.currency, f.shipment_id, f.sku) == (SHORTAGE, Decimal("33.00"), "USD", "FBA1", "SKU-A")
    assert (f.claim_window_opens, f.claim_window_closes) == (dt.date(2026, 6, 16), dt.date(2026, 7, 31))
    assert ev.status[0]["units_short"] == 3 and ev.status[0]["node"] == "closed"


def test_a_shortage_that_cannot_be_valued_says_so_with_amount_zero():
    ev = evaluate(closed(), [item(10, 9)], ctx(dt.datetime(2026, 6, 10, tzinfo=UTC)))
    (f,) = ev.findings
    assert f.amount == Decimal("0.00") and "could not be valued" in f.detail


def test_without_a_delivered_poll_the_first_later_node_stands_in():
    s = shipment((DELIVERED - dt.timedelta(days=3), "in_transit"), (DELIVERED + dt.timedelta(days=2), "receiving"),
                 (DELIVERED + dt.timedelta(days=5), "closed"))
    ev = evaluate(s, [item(10, 8)], ctx(dt.datetime(2026, 6, 10, tzinfo=UTC)))
    (f,) = ev.findings
    # receiving on June 3 stands in: window June 18 to Aug 2; delivered_at stays null
    assert (f.claim_window_opens, f.claim_window_closes) == (dt.date(2026, 6, 18), dt.date(2026, 8, 2))
    assert "DELIVERED was never observed" in f.detail
    assert ev.status[0]["delivered_at"] is None and ev.status[0]["claim_window_closes"] == "2026-08-02"


def test_no_shortage_before_the_shipment_is_closed():
    s = shipment((DELIVERED, "delivered"), (DELIVERED + dt.timedelta(hours=5), "receiving"))
    ev = evaluate(s, [item(10, 3)], ctx(DELIVERED + dt.timedelta(hours=6)))
    assert kinds(ev) == [] and ev.status[0]["units_short"] is None  # null before closed


def test_received_units_covering_it_resolve_it_and_reconcile_the_shipment():
    ev = evaluate(closed(), [item(10, 10)], ctx(dt.datetime(2026, 6, 10, tzinfo=UTC)))
    assert kinds(ev) == [] and ev.status[0]["node"] == "reconciled" and ev.status[0]["node_number"] == 12


@pytest.mark.parametrize("reimbursement, resolved", [
    # matched by the case id recorded on the finding
    (Reimbursed("R1", "C-77", "OTHER", None, dt.date(2026, 5, 1), 1), True),
    # by SKU, approved after delivery, enough units
    (Reimbursed("R2", None, "SKU-A", None, dt.date(2026, 6, 20), 3), True),
    # by FNSKU
    (Reimbursed("R3", None, None, "X00A", dt.date(2026, 6, 20), 5), True),
    # too few units
    (Reimbursed("R4", None, "SKU-A", None, dt.date(2026, 6, 20), 2), False),
    # approved on the delivery day: not after it
    (Reimbursed("R5", None, "SKU-A", None, dt.date(2026, 6, 1), 3), False),
])
def test_a_lost_inbound_reimbursement_resolves_it(reimbursement, resolved):
    ev = evaluate(closed(), [item(10, 7)],
                  ctx(dt.datetime(2026, 6, 25, tzinfo=UTC), reimbursements=[reimbursement],
                      cases={("FBA1", "SKU-A"): "C-77"} if reimbursement.case_id else {}))
    assert (SHORTAGE not in kinds(ev)) is resolved
    assert ev.status[0]["units_short"] == 3  # a reimbursement does not change the units


def test_one_reimbursement_covers_one_shortage_only():
    s = {**closed(sid="FBA1"), **closed(sid="FBA2", delivered=DELIVERED + dt.timedelta(days=1))}
    r = Reimbursed("R1", None, "SKU-A", None, dt.date(2026, 6, 20), 3)
    ev = evaluate(s, [item(sid="FBA1"), item(sid="FBA2")], ctx(dt.datetime(2026, 6, 25, tzinfo=UTC), reimbursements=[r]))
    assert [f.shipment_id for f in ev.findings] == ["FBA2"]  # the earlier delivery took it


def test_overage_is_information_and_shortages_are_not_netted():
    ev = evaluate(closed(), [item(10, 12, sku="SKU-A"), item(5, 4, sku="SKU-B")], ctx(dt.datetime(2026, 6, 10, tzinfo=UTC)))
    assert kinds(ev) == [OVERAGE, SHORTAGE]
    assert next(f for f in ev.findings if f.kind == OVERAGE).amount == 0
    assert ev.status[0]["units_short"] == 1  # SKU-B's 1; SKU-A's 2 extra not netted


@pytest.mark.parametrize("days_left, closing", [(8, False), (7, True), (0, True), (-1, False)])
def test_claim_window_closing_from_seven_days_to_the_last_day(days_left, closing):
    now = dt.datetime.combine(dt.date(2026, 7, 31) - dt.timedelta(days=days_left), dt.time(23, 59), UTC)
    ev = evaluate(closed(), [item()], ctx(now))
    assert (CLOSING in kinds(ev)) is closing
    if closing:
        assert next(f for f in ev.findings if f.kind == CLOSING).amount == 0  # the money is the shortage's


def test_a_claimed_shortage_is_not_flagged_as_closing():
    ev = evaluate(closed(), [item()], ctx(dt.datetime(2026, 7, 30, tzinfo=UTC), cases={("FBA1", "SKU-A"): "C-1"}))
    assert kinds(ev) == [SHORTAGE] and "case C-1" in ev.findings[0].detail


@pytest.mark.parametrize("hours, stuck", [(240, False), (240.1, True)])
def test_stuck_over_the_nodes_sla(hours, stuck):
    s = shipment((DELIVERED, "in_transit"))
    ev = evaluate(s, [], ctx(DELIVERED + dt.timedelta(hours=hours)))
    assert (kinds(ev) == [STUCK]) is stuck
    assert ev.status[0]["sla_breached"] is stuck and ev.status[0]["sla_hours"] == 240
    if stuck:
        assert "in_transit" in ev.findings[0].detail and "logistics" in ev.findings[0].detail


def test_stuck_resolves_when_it_moves_on():
    s = shipment((DELIVERED, "in_transit"), (DELIVERED + dt.timedelta(hours=300), "delivered"))
    assert kinds(evaluate(s, [], ctx(DELIVERED + dt.timedelta(hours=301)))) == []


def test_exception_findings_say_why():
    s = shipment((DELIVERED, "shipped"))
    advance(s, [Observation(DELIVERED + dt.timedelta(hours=1), "exception", "2024-03-20", shipment_id="FBA1", status="MIXED")])
    ev = evaluate(s, [], ctx(DELIVERED + dt.timedelta(hours=2)))
    assert kinds(ev) == [EXCEPTION_KIND] and "MIXED" in ev.findings[0].detail
    assert ev.status[0]["node_number"] is None


def test_keys_are_stable_and_name_the_shipment():
    a = evaluate(closed(), [item()], ctx(dt.datetime(2026, 6, 10, tzinfo=UTC))).findings[0]
    b = evaluate(closed(), [item(10, 5)], ctx(dt.datetime(2026, 6, 20, tzinfo=UTC))).findings[0]
    c = evaluate(closed(sid="FBA2"), [item(sid="FBA2")], ctx(dt.datetime(2026, 6, 10, tzinfo=UTC))).findings[0]
    assert a.key == b.key != c.key  # amount and text never change a key; the shipment does


def _at(hours: float) -> dt.datetime:
    return dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=hours)


@pytest.mark.parametrize("since, now, changed", [
    (1, 2, None),                       # an hour on the same day, labels_ready's 72 h SLA far off
    (1, 25, "a new day"),               # midnight UTC passed: claim windows move by the day
    (5, 3, "the clock went back"),      # an earlier clock than the last run's is judged afresh
])
def test_what_the_clock_alone_changes(since, now, changed):
    from sellerops.inbound.evaluate import clock_change
    from sellerops.inbound.nodes import Policy
    from sellerops.inbound.track import Shipment

    s = {"FBA1": Shipment("FBA1", "v0", "labels_ready", _at(0), _at(0), _at(0))}
    got = clock_change(s, Policy(), _at(since), _at(now))
    assert (got is None) if changed is None else got.startswith(changed)


def test_a_shipment_passing_its_sla_between_two_runs_is_a_change():
    from sellerops.inbound.evaluate import clock_change
    from sellerops.inbound.nodes import Policy
    from sellerops.inbound.track import Shipment

    # labels_ready entered at hour 0 of day 0 has a 72 h SLA: it ends at hour 72 (a day-3 midnight),
    # so take a shipment entered at hour 2 — its SLA ends at hour 74, inside the day
    s = {"FBA1": Shipment("FBA1", "v0", "labels_ready", _at(2), _at(2), _at(2))}
    assert clock_change(s, Policy(), _at(73), _at(74)) == "FBA1 passed its 72 h SLA in labels_ready"
    assert clock_change(s, Policy(), _at(74), _at(75)) is None  # already past at the last run
