"""Each reconciliation rule on small hand-made frames, the expected values explained, with the
negative controls the reconciliation must not mistake for findings (cancelled, inside the grace period, non-Amazon channel, a return or
a reimbursement present, a partial refund, a sale older than the loaded history, other-transaction
rows, a legitimately repeated but not identical fee)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from decimal import Decimal
from itertools import count

import pytest

from sellerops.reconciliation import FindingRecord, Policy, ReconcileInput, build_context, reconcile
from sellerops.reconciliation import fees, orders, refunds, settlements
from sellerops.reconciliation.frames import COLUMNS, make_frame

START, END = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc)
AS_OF = END.date()  # the default as-of: the latest settlement-end-date loaded
_line_no = count(3)
_digest = count(1)


def settlement(sid="S1", total=None, start=START, end=END):
    return {"account": "acct", "marketplace": "Amazon.com", "settlement_id": sid, "settlement_start_date": start,
            "settlement_end_date": end, "total_amount_cents": total, "currency": "USD", "summary_line": 2,
            "file": f"{sid}.txt"}


def line(amount, tt="Order", at="ItemPrice", desc="Principal", order="O1", sku="A", qty=1, sid="S1",
         posted=dt.datetime(2026, 2, 1, 10, tzinfo=dt.timezone.utc), ful="AFN", digest=None, **kw):
    return {"account": "acct", "marketplace": "Amazon.com", "settlement_id": sid, "line_no": next(_line_no),
            "transaction_type": tt, "order_id": order, "sku": sku, "amount_type": at, "amount_description": desc,
            "amount_cents": amount, "currency": "USD", "fulfillment_id": ful, "posted_date_time": posted,
            "posted_date": posted.date(), "quantity_purchased": qty if tt == "Order" else None,
            "raw_digest": digest or f"d{next(_digest)}", "file": f"{sid}.txt", **kw}


def order(oid="O1", sku="A", price=2000, days_before=30, qty=1, channel="Amazon", **kw):
    return {"account": "acct", "marketplace": "Amazon.com", "amazon_order_id": oid, "sku": sku,
            "purchase_date": dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), dt.time(8), dt.timezone.utc),
            "order_status": "Shipped", "item_status": "Shipped", "fulfillment_channel": channel,
            "sales_channel": "Amazon.com", "quantity": qty, "currency": "USD", "item_price_cents": price,
            "is_business_order": False, "line_no": 2, "file": "orders.txt", **kw}


def inp(settlements=None, lines=(), orders=(), fba_returns=(), seller_returns=(), reimbursements=()):
    return ReconcileInput(
        settlements=make_frame("settlements", settlements or [settlement()]),
        settlement_lines=make_frame("settlement_lines", lines), orders=make_frame("orders", orders),
        fba_returns=make_frame("fba_returns", fba_returns), seller_returns=make_frame("seller_returns", seller_returns),
        reimbursements=make_frame("reimbursements", reimbursements))


def run(rule, data, as_of=None, policy=Policy()):
    return rule(data, build_context(data, as_of, policy))


def subjects(findings):
    return sorted((f.kind, f.order_id, f.sku, f.amount) for f in findings)


# -- settlement_total_mismatch ------------------------------------------------------------------
def test_total_mismatch_counts_every_row_and_tolerates_one_cent():
    rows = [line(2000), line(-300, at="ItemFees", desc="Commission"),
            line(-3999, tt="other-transaction", at="other-transaction", desc="Subscription Fee", order=None, sku=None)]
    # rows sum to 20.00 - 3.00 - 39.99 = -22.99; a summary of -23.01 is 0.02 off: owed 0.02
    found = run(settlements.settlement_total_mismatch, inp([settlement(total=-2301)], rows))
    assert [(f.kind, f.settlement_id, f.amount) for f in found] == [("settlement_total_mismatch", "S1", Decimal("0.02"))]
    assert found[0].evidence[0]["line"] == 2 and found[0].evidence[0]["values"]["total_amount"] == "-23.01"
    # 0.01 off is within the tolerance (the rule says "more than 0.01")
    assert run(settlements.settlement_total_mismatch, inp([settlement(total=-2300)], rows)) == []


def test_total_mismatch_includes_duplicate_copies():
    fee = dict(at="ItemFees", desc="Commission", digest="same")
    rows = [line(2000), line(-300, **fee), line(-300, **fee)]
    # Amazon deposited 14.00 = 20.00 - 3.00 - 3.00: the copy is in the total, so no mismatch here
    assert run(settlements.settlement_total_mismatch, inp([settlement(total=1400)], rows)) == []


# -- duplicate_charge ---------------------------------------------------------------------------
def test_each_extra_identical_fee_copy_is_one_finding():
    fee = dict(at="ItemFees", desc="Commission", digest="same")
    first, second, third = line(-150, **fee), line(-150, **fee), line(-150, **fee)
    rows = [line(1000), first, second, third,
            # identical Principal rows are not fees: not this rule's business
            line(1000, digest="p"), line(1000, digest="p"),
            # a fee repeated with another posted time is a different raw row: legitimate
            line(-500, tt="other-transaction", at="ShipmentFees", desc="FBAInboundTransportationFee", order="FBA17X"),
            line(-500, tt="other-transaction", at="ShipmentFees", desc="FBAInboundTransportationFee", order="FBA17X"),
            # the same raw digest in another settlement is another settlement's row
            line(-150, sid="S2", **fee)]
    found = run(settlements.duplicate_charge, inp([settlement(), settlement("S2")], rows))
    # two extra copies of a 1.50 commission: 1.50 owed for each, keyed by the copy's line
    assert [(f.line_no, f.amount) for f in found] == [(second["line_no"], Decimal("1.50")), (third["line_no"], Decimal("1.50"))]
    assert len({f.key for f in found}) == 2


# -- fee_outlier --------------------------------------------------------------------------------
def _fba_line(order_id, fee, qty=1, sku="A", posted=dt.datetime(2026, 2, 1, 10, tzinfo=dt.timezone.utc)):
    return [line(1000 * qty, order=order_id, sku=sku, qty=qty, posted=posted),
            line(-fee, at="ItemFees", desc="FBAPerUnitFulfillmentFee", order=order_id, sku=sku, qty=qty, posted=posted)]


def test_fba_fee_outlier_charged_per_unit_above_the_median():
    rows = [r for i in range(5) for r in _fba_line(f"N{i}", 300)] + _fba_line("X", 800, qty=2)
    # median per-unit fee 3.00; X pays 8.00 for 2 units = 4.00 a unit: 2.00 over for the line
    found = run(fees.fee_outlier, inp(lines=rows))
    assert subjects(found) == [("fee_outlier", "X", "A", Decimal("2.00"))]
    assert found[0].settlement_id == "S1" and found[0].evidence


def test_fba_fee_within_tolerance_or_too_few_lines_is_no_finding():
    # 3.05 against a median of 3.00 is exactly the 0.05 tolerance: not more than it
    rows = [r for i in range(5) for r in _fba_line(f"N{i}", 300)] + _fba_line("X", 610, qty=2)
    assert run(fees.fee_outlier, inp(lines=rows)) == []
    # 4 lines of the SKU (3 normal + the outlier) are fewer than 5: no judgement
    rows = [r for i in range(3) for r in _fba_line(f"N{i}", 300)] + _fba_line("X", 800, qty=2)
    assert run(fees.fee_outlier, inp(lines=rows)) == []


def test_fee_periods_split_on_fee_change_dates():
    before = dt.datetime(2026, 1, 10, tzinfo=dt.timezone.utc)
    after = dt.datetime(2026, 1, 20, tzinfo=dt.timezone.utc)
    rows = [r for i in range(5) for r in _fba_line(f"B{i}", 300, posted=before)]
    rows += [r for i in range(5) for r in _fba_line(f"A{i}", 315, posted=after)]
    # Amazon raised the fee 0.15 on January 15: each period has its own median, nothing is off
    assert run(fees.fee_outlier, inp(lines=rows)) == []
    # without the split all ten share a median of 3.075 and every line is 0.075 off
    assert len(run(fees.fee_outlier, inp(lines=rows), policy=Policy(fee_period_splits=()))) == 10


def _commission_line(order_id, commission, principal=2000, promo=0):
    rows = [line(principal, order=order_id), line(-commission, at="ItemFees", desc="Commission", order=order_id)]
    if promo:
        rows.append(line(-promo, at="Promotion", desc="Principal", order=order_id))
    return rows


def test_commission_rate_outlier_on_what_the_buyer_paid():
    rows = [r for i in range(5) for r in _commission_line(f"N{i}", 300)]
    # 20.00 less a 5.00 promotion = 15.00 paid; 15% of it = 2.25, so 2.25 is no outlier
    rows += _commission_line("P", 225, promo=500)
    # 4.00 on 20.00 is 20% against a median of 15%: 4.00 - 0.15 x 20.00 = 1.00 over
    rows += _commission_line("X", 400)
    assert subjects(run(fees.fee_outlier, inp(lines=rows))) == [("fee_outlier", "X", "A", Decimal("1.00"))]


def test_identical_fee_copies_are_left_out_before_the_fee_rules():
    rows = [r for i in range(5) for r in _commission_line(f"N{i}", 300)]
    rows += [line(2000, order="D"), line(-300, at="ItemFees", desc="Commission", order="D", digest="c"),
             line(-300, at="ItemFees", desc="Commission", order="D", digest="c")]
    # counted twice, D's commission would be 6.00 = 30%; the copy is a duplicate_charge instead
    found = reconcile(inp([settlement(total=None)], rows))
    assert [(f.kind, f.order_id) for f in found] == [("duplicate_charge", "D")]


# -- unsettled_order ----------------------------------------------------------------------------
@pytest.mark.parametrize("days_before, extra, flagged", [
    (21, {}, True),                                   # FBA: 21 days before as-of, inclusive
    (20, {}, False),                                  # FBA inside its grace period
    (28, {"fulfillment_channel": "Merchant"}, True),  # seller-fulfilled: 28 days
    (27, {"fulfillment_channel": "Merchant"}, False),
    (45, {"is_business_order": True}, True),          # invoiced business orders: 45 days
    (44, {"is_business_order": True}, False),
    (30, {"order_status": "Cancelled", "item_status": "Cancelled", "item_price_cents": None}, False),
    (30, {"sales_channel": "Non-Amazon"}, False),
    (30, {"item_price_cents": 0}, False),             # a free replacement is never paid
    (100, {}, False),                                 # bought before the earliest settlement loaded
])
def test_unsettled_order(days_before, extra, flagged):
    data = inp(orders=[order(days_before=days_before, **extra)])
    found = run(orders.unsettled_order, data)
    assert [f.order_id for f in found] == (["O1"] if flagged else [])


def test_unsettled_order_amount_and_settled_orders():
    o = order(days_before=30, fulfillment_channel="Merchant", shipping_price_cents=399,
              item_promotion_discount_cents=-200)
    settled = order(oid="O2", days_before=30)
    rows = [line(2000, order="O2"), line(-300, tt="Refund", order="O1")]  # a refund is not an Order transaction
    found = run(orders.unsettled_order, inp(lines=rows, orders=[o, settled]))
    # the buyer paid 20.00 + 3.99 shipping - 2.00 promotion = 21.99 before tax
    assert subjects(found) == [("unsettled_order", "O1", "A", Decimal("21.99"))]


# -- principal_mismatch -------------------------------------------------------------------------
def test_principal_mismatch_only_once_the_quantity_is_covered():
    data = inp(lines=[line(950, qty=1, sid="S1"), line(950, qty=1)], orders=[order(price=2000, qty=2)])
    # 2 units ordered at 20.00, 2 settled over two rows for 19.00: 1.00 short
    assert subjects(run(orders.principal_mismatch, data)) == [("principal_mismatch", "O1", "A", Decimal("1.00"))]
    # only 1 of 2 units settled so far: the rest may still come
    assert run(orders.principal_mismatch, inp(lines=[line(1000, qty=1)], orders=[order(price=2000, qty=2)])) == []
    # 0.01 off is within tolerance
    assert run(orders.principal_mismatch, inp(lines=[line(1999)], orders=[order(price=2000)])) == []


# -- refunds ------------------------------------------------------------------------------------
def _refund_day(days_before):
    return dt.datetime.combine(AS_OF - dt.timedelta(days=days_before), dt.time(12), dt.timezone.utc)


def _sale_and_refund(refund=2000, days_before=60, ful="AFN", sale=2000, order_id="O1"):
    rows = [line(-refund, tt="Refund", order=order_id, ful=ful, posted=_refund_day(days_before))]
    if sale is not None:
        rows.insert(0, line(sale, order=order_id, ful=ful, posted=_refund_day(days_before + 10)))
    return rows


def test_refund_without_return_and_its_claim_window():
    found = run(refunds.refund_without_return, inp(lines=_sale_and_refund()))
    # refunded 20.00 on as-of - 60 (2026-01-31): the US window opens 60 days later, closes at 120
    assert subjects(found) == [("refund_without_return", "O1", "A", Decimal("20.00"))]
    assert (found[0].claim_window_opens, found[0].claim_window_closes) == (dt.date(2026, 4, 1), dt.date(2026, 5, 31))


@pytest.mark.parametrize("case", ["recent", "fba_return", "seller_return", "reimbursed", "partial", "mfn",
                                  "sale_unknown"])
def test_refund_without_return_negative_controls(case):
    kw = {"recent": {"days_before": 59}, "partial": {"refund": 1000}, "mfn": {"ful": "MFN"},
          "sale_unknown": {"sale": None}}.get(case, {})
    extra = {
        "fba_return": {"fba_returns": [{"account": "acct", "marketplace": "Amazon.com", "order_id": "O1", "sku": "A",
                                        "quantity": 1, "return_date": _refund_day(62)}]},
        "seller_return": {"seller_returns": [{"account": "acct", "marketplace": "Amazon.com", "order_id": "O1",
                                              "merchant_sku": "A", "amazon_rma_id": "R1"}]},
        "reimbursed": {"reimbursements": [{"account": "acct", "marketplace": "Amazon.com", "reimbursement_id": "1",
                                           "amazon_order_id": "O1", "sku": "A", "amount_total_cents": 2000,
                                           "approval_date": _refund_day(50)}]},
    }.get(case, {})
    assert run(refunds.refund_without_return, inp(lines=_sale_and_refund(**kw), **extra)) == []


def test_reversed_reimbursement_leaves_the_refund_unpaid():
    reimbursements = [
        {"account": "acct", "marketplace": "Amazon.com", "reimbursement_id": "1", "amazon_order_id": "O1", "sku": "A",
         "amount_total_cents": 2000, "approval_date": _refund_day(50)},
        # the reversal carries no order id, only the original reimbursement's id
        {"account": "acct", "marketplace": "Amazon.com", "reimbursement_id": "2", "amazon_order_id": None, "sku": "A",
         "amount_total_cents": -2000, "original_reimbursement_id": "1", "approval_date": _refund_day(40)},
    ]
    found = run(refunds.refund_without_return, inp(lines=_sale_and_refund(), reimbursements=reimbursements))
    assert subjects(found) == [("refund_without_return", "O1", "A", Decimal("20.00"))]


def test_a_refund_within_a_cent_of_the_sale_is_full():
    # 19.99 refunded of 20.00 sold: at least the sale - 0.01
    found = run(refunds.refund_without_return, inp(lines=_sale_and_refund(refund=1999)))
    assert subjects(found) == [("refund_without_return", "O1", "A", Decimal("19.99"))]


def test_refund_exceeds_sale():
    found = run(refunds.refund_exceeds_sale, inp(lines=_sale_and_refund(refund=2002, days_before=5)))
    # 20.02 refunded against 20.00 sold: 0.02 owed back
    assert subjects(found) == [("refund_exceeds_sale", "O1", "A", Decimal("0.02"))]
    assert run(refunds.refund_exceeds_sale, inp(lines=_sale_and_refund(refund=2001, days_before=5))) == []
    # the sale is older than the loaded history: the refund cannot be compared
    assert run(refunds.refund_exceeds_sale, inp(lines=_sale_and_refund(refund=9999, sale=None))) == []


# -- the whole, keys, contract ------------------------------------------------------------------
def test_as_of_argument_overrides_the_latest_settlement_end():
    data = inp(orders=[order(days_before=25)])
    assert len(run(orders.unsettled_order, data)) == 1
    # five days earlier the same FBA order is still inside its 21 days
    assert run(orders.unsettled_order, data, as_of=AS_OF - dt.timedelta(days=5)) == []


def test_key_is_stable_and_about_the_subject_only():
    base = FindingRecord("duplicate_charge", "acct", "Amazon.com", "S1", "O1", "A", 7, Decimal("1.00"), "USD", "x")
    assert base.key == dataclasses.replace(base, amount=Decimal("2.00"), detail="y").key
    assert base.key != dataclasses.replace(base, line_no=8).key
    assert len(base.key) == 24 and int(base.key, 16) >= 0


def test_frame_columns_are_the_model_fields():
    from sellerops.storage import tables

    tables = {"settlements": tables.Settlement, "settlement_lines": tables.SettlementLine, "orders": tables.OrderLine,
              "fba_returns": tables.FbaReturn, "seller_returns": tables.SellerReturn,
              "reimbursements": tables.Reimbursement}
    for name, model in tables.items():
        assert set(COLUMNS[name]) == set(model.model_fields) - {"id"}, name


def test_rules_import_no_prefect_and_no_database_code():
    code = "import sys, sellerops.reconciliation; print(sorted(m for m in ('prefect', 'sqlmodel', 'sqlalchemy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_exact_medians_equal_the_median_of_fractions():
    """fee_outlier's medians are picked by float order and made exact from the middle lines only:
    equal to statistics.median over Fractions, with ties, even and odd groups, and values one
    cent apart at large bases."""
    import random
    import statistics
    from fractions import Fraction

    import pandas as pd

    from sellerops.reconciliation.fees import _exact_medians

    rnd = random.Random(5)
    rows = []
    for group in range(300):
        for _ in range(rnd.randint(1, 12)):
            den = rnd.choice([1, 2, 3, 7, 9_999_999, 10_000_000])
            num = -rnd.choice([rnd.randint(0, 5_000), 1_499_999, 1_500_000, 1_500_001])
            rows.append(dict(cmp_group=group, n=num, d=den))
    members = pd.DataFrame(rows)
    members["value"] = -members["n"].to_numpy(dtype="float64") / members["d"].to_numpy(dtype="float64")
    got = _exact_medians(members.sample(frac=1, random_state=3), "n", "d")
    want = {g: statistics.median(Fraction(-int(a), int(b)) for a, b in zip(df["n"], df["d"]))
            for g, df in members.groupby("cmp_group")}
    assert got == want
