"""The demo's planted cases: each discrepancy reconciliation must find, and negative controls
that look like one but must not be found, written into the generator's seller on the day they happen.

Every kind of finding is planted at least once when the span holds it; a shorter span plants only
what it can hold. Each planted discrepancy adds its row to `sellerops.demo.expected` as it is written.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from sellerops.demo.files import MARKETPLACE, midnight
from sellerops.demo.generator import Order, Seller


def _plain(o: Order) -> Order:
    for it in o.items:
        it.promo = 0
    return o


def _paid(o: Order) -> int:
    return sum(it.principal + it.shipping - it.promo for it in o.items)


def plant(s: Seller) -> dict[dt.date, list]:
    """The planted discrepancies and negative controls, as actions on the day they happen.
    Each planted discrepancy adds its expected finding when (and only when) it is written."""
    S, A, E = s.start, s.as_of, s.st.end
    plan: dict[dt.date, list] = {}
    p = s.policy
    sku, hot = s.skus[3], s.skus[0]
    s.watched_skus.add(hot.sku)

    def at(day: dt.date, fn, order: Order | None = None):
        plan.setdefault(day, []).append((order, fn))

    def order(day, afn=True, skus=None, qty=1, **kw):
        return _plain(s.new_order(day, afn=afn, skus=skus or [sku], qty=qty, business=kw.pop("business", False), **kw))

    def in_history(day):
        return S <= day and day + dt.timedelta(days=4) < E.date()

    # settlement_total_mismatch: the second settlement's summary deposits 12.34 less than its rows
    if len(s.st.ids) >= 2:
        s.skew = {1: 1234}
        s.expect.add("settlement_total_mismatch", 1234, settlement_id=s.st.ids[1])

    # unsettled_order: shipped, old enough, never settled — FBA, seller-fulfilled, business
    def unsettled(o):
        s.write_order_rows(o)
        s.expect.add("unsettled_order", _paid(o), order_id=o.order_id, sku=sku.sku)

    for day, afn, business in ((S + dt.timedelta(days=3), True, False), (A - dt.timedelta(days=30), False, False),
                               (A - dt.timedelta(days=50), True, True)):
        if S <= day <= A - dt.timedelta(days=p.grace_days_fba):
            at(day, unsettled, order(day, afn=afn, business=business))
    # negative controls: inside the grace period (FBA 21, seller-fulfilled 28, business 45),
    # cancelled, sold outside Amazon, bought before the earliest settlement loaded
    for days_back, afn, business in ((20, True, False), (27, False, False), (40, True, True)):
        day = A - dt.timedelta(days=days_back)
        if day >= S:
            at(day, lambda o: s.write_order_rows(o), order(day, afn=afn, business=business))
    at(S + dt.timedelta(days=4), lambda o: s.write_order_rows(o), order(S + dt.timedelta(days=4), status="Cancelled"))
    at(S + dt.timedelta(days=3), lambda o: s.write_order_rows(o), order(S + dt.timedelta(days=3), channel="Non-Amazon"))
    at(S - dt.timedelta(days=5), lambda o: s.write_order_rows(o), order(S - dt.timedelta(days=5)))

    def settled(o, **kw):
        s.write_order_rows(o)
        return s.settle_order(o, delay_hours=24, **kw) is not None

    def mismatched(o):
        if settled(o, principal_delta={sku.sku: -150}):
            s.expect.add("principal_mismatch", 150, order_id=o.order_id, sku=sku.sku)

    # principal_mismatch: 1.50 short; control: 1 of 2 units settled so far (quantity not covered)
    day = S + dt.timedelta(days=16)
    if in_history(day):
        at(day, mismatched, order(day))
        at(day, lambda o: settled(o, settled_qty={sku.sku: 1}), order(day, qty=2))

    # duplicate_charge (expected when written) and fee_outlier on the busiest SKU
    for offset, kw in ((17, {"duplicate": (hot.sku, "Commission")}),
                       (18, {"duplicate": (hot.sku, "FBAPerUnitFulfillmentFee")}),
                       (19, {"fee_extra": {hot.sku: 200}}), (20, {"rate": {hot.sku: Fraction(20, 100)}})):
        day = S + dt.timedelta(days=offset)
        if in_history(day):
            o = order(day, skus=[hot], qty=2 if offset == 19 else 1)
            if offset >= 19:
                s.outliers.append((o.order_id, "fee" if offset == 19 else "commission"))
            at(day, lambda o, kw=kw: settled(o, **kw), o)

    # refunds, S+1..S+9: planted findings and their controls
    def refunded(o, when, principal=None, ret=None, reimb=None, reversal=None, expect=None):
        s.write_order_rows(o)
        sold = s.settle_order(o, delay_hours=24) is not None
        it = o.items[0]
        if s.refund(o, it, when, principal) and sold and expect:
            expect(o)
        if ret is not None:
            s.fba_return(o, it, ret)
        if reimb is not None:
            rid = s.reimburse(reimb, it.sku, it.qty, it.sku.price, "CustomerReturn", order_id=o.order_id)
            if reversal is not None:
                s.reimburse(reversal, it.sku, it.qty, it.sku.price, "Reimbursement_Reversal", original=rid, sign=-1)

    def t(days, hours=12):
        return midnight(S) + dt.timedelta(days=days, hours=hours)

    opening, closing = p.claim_window_days(MARKETPLACE)
    old_enough = t(8).date() <= A - dt.timedelta(days=opening)
    if old_enough:
        for kw in ({}, {"reimb": t(12), "reversal": t(25)}):  # no return; reimbursed then reversed
            o = order(S + dt.timedelta(days=1))
            refund_day = t(6 if not kw else 7)
            expect = lambda o, d=refund_day.date(): s.expect.add(  # noqa: E731
                "refund_without_return", o.items[0].principal, order_id=o.order_id, sku=sku.sku,
                claim_window_opens=str(d + dt.timedelta(days=opening)),
                claim_window_closes=str(d + dt.timedelta(days=closing)))
            at(o.purchased.date(), lambda o, w=refund_day, kw=kw, e=expect: refunded(o, w, expect=e, **kw), o)
    d2 = S + dt.timedelta(days=2)
    at(d2, lambda o: refunded(o, t(8), ret=t(6)), order(d2))                       # returned
    at(d2, lambda o: refunded(o, t(8), reimb=t(15)), order(d2))                    # reimbursed
    at(d2, lambda o: refunded(o, t(8), principal=o.items[0].principal // 2), order(d2))  # partial
    at(d2, lambda o: refunded(o, t(8)), order(d2, afn=False))                      # seller-fulfilled
    recent = A - dt.timedelta(days=40)
    if recent >= S:
        at(recent, lambda o: refunded(o, midnight(A) - dt.timedelta(days=30)), order(recent))  # too recent
    # a sale older than the loaded history, refunded in it: neither refund rule can judge it
    old = order(S - dt.timedelta(days=20), in_report=False)
    at(old.purchased.date(), lambda o: (s.settle_order(o, delay_hours=24), s.refund(o, o.items[0], t(4))), old)

    # refund_exceeds_sale: 5.00 more refunded than sold (returned, so no claim)
    d3 = S + dt.timedelta(days=3)
    at(d3, lambda o: refunded(o, t(9), principal=o.items[0].principal + 500, ret=t(8), expect=lambda o: s.expect.add(
        "refund_exceeds_sale", 500, order_id=o.order_id, sku=sku.sku)), order(d3))
    return plan
