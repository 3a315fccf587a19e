"""Each report as Amazon really writes it (DOMAIN.md, "Forms Amazon really writes"), ingested end to
end through `sellerops.ingest` and read back from the database, on SQLite and PostgreSQL.

The seller-fulfilled returns file is in the form of Amazon's own SP-API sample: dates like
`10-Jul-2025` without a time, a blank field written as a single space, every line ending with an
empty last column (a trailing tab), and Amazon's codes for status, label type, reason, type and
resolution. The other four are written here with DOMAIN.md's columns, in DOMAIN.md's order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from sellerops.core import report_types as rt
from sellerops.ingest import LOADED, ingest_paths
from sellerops.storage.engine import get_engine

DATA = Path(__file__).resolve().parent / "data"
UTC = dt.timezone.utc


def ingest(path: Path):
    [o] = ingest_paths([path])
    assert o.status == LOADED, o.reason
    return o


def rows(sql: str) -> list[dict]:
    with get_engine().connect() as c:
        return [dict(r) for r in c.execute(sa.text(sql)).mappings().all()]


def day(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, tzinfo=UTC)


def as_utc(value) -> dt.datetime | None:
    """A stored datetime as tz-aware UTC (SQLite hands back a naive one, PostgreSQL an aware one)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def tsv(path: Path, header: list[str], lines: list[list[str]]) -> Path:
    path.write_text("".join("\t".join(r) + "\n" for r in [header] + lines), encoding="utf-8")
    return path


def test_seller_returns_in_amazons_own_sample_form_load_with_their_values(db_url):
    o = ingest(DATA / "seller_returns_amazon_sample.txt")
    assert (o.report_type, o.rows) == (rt.SELLER_RETURNS, 2)
    got = rows("select * from seller_return order by order_id")
    first, second = got
    # `10-Jul-2025` is a day: midnight UTC
    assert as_utc(first["order_date"]) == day(2025, 7, 10)
    assert as_utc(first["return_request_date"]) == day(2025, 7, 12)
    assert (first["return_request_status"], first["label_type"], first["return_reason"]) == (
        "Approved", "AmazonPrePaidLabel", "AMZ-PG-WJ-TOO-SMALL")
    assert (first["return_type"], first["resolution"], first["in_policy"], first["a_to_z_claim"]) == (
        "C-Returns", "StandardRefund", "Y", "N")
    assert (first["label_cost_cents"], first["order_amount_cents"], first["currency"]) == (519, 1999, "USD")
    # a field written as one space is blank: null, not " " and not zero
    assert first["merchant_rma_id"] is None and first["refunded_amount_cents"] is None
    assert first["return_delivery_date"] is None
    assert (first["amazon_rma_id"], first["merchant_sku"], first["return_quantity"]) == ("DdXk7LmRRMA", "TEE-RED-S", 1)
    assert as_utc(second["return_delivery_date"]) == day(2025, 7, 18)
    assert (second["refunded_amount_cents"], second["return_quantity"], second["in_policy"]) == (3100, 2, "N")


FBA_RETURNS = ["return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity", "fulfillment-center-id",
               "detailed-disposition", "reason", "status", "license-plate-number", "customer-comments"]


GOOD_FBA_RETURNS = [
    ["2026-06-03T10:15:00+00:00", "111-0000001-0000001", "MUG-BLUE", "B0C7654321", "X00ABCDEFG", "Mug", "1",
     "PHX7", "SELLABLE", "UNWANTED_ITEM", "Unit returned to inventory", "LPNRR123456789", ""],
    ["2026-06-04T08:00:00-07:00", "111-0000002-0000002", "TEE-RED-S", "B0C1234567", "X00HIJKLMN", "Tee", "2",
     "ONT8", "CUSTOMER_DAMAGED", "A_REASON_AMAZON_ADDS_LATER", "Reimbursed", "LPNRR987654321", "too small"],
]


def test_fba_returns_as_amazon_writes_them(db_url, tmp_path):
    p = tsv(tmp_path / "fba_returns.txt", FBA_RETURNS, GOOD_FBA_RETURNS)
    assert ingest(p).report_type == rt.FBA_RETURNS
    got = rows("select * from fba_return order by order_id")
    assert [as_utc(r["return_date"]) for r in got] == [dt.datetime(2026, 6, 3, 10, 15, tzinfo=UTC),
                                                      dt.datetime(2026, 6, 4, 15, 0, tzinfo=UTC)]
    # a reason or status Amazon adds later is data, not an error
    assert [(r["quantity"], r["reason"]) for r in got] == [(1, "UNWANTED_ITEM"), (2, "A_REASON_AMAZON_ADDS_LATER")]
    assert got[0]["customer_comments"] is None and got[1]["customer_comments"] == "too small"


REIMBURSEMENTS = ["approval-date", "reimbursement-id", "case-id", "amazon-order-id", "reason", "sku", "fnsku", "asin",
                  "product-name", "condition", "currency-unit", "amount-per-unit", "amount-total",
                  "quantity-reimbursed-cash", "quantity-reimbursed-inventory", "quantity-reimbursed-total",
                  "original-reimbursement-id", "original-reimbursement-type"]


GOOD_REIMBURSEMENTS = [
    ["2026-06-05T12:00:00+00:00", "2468013579", "", "", "Lost_Warehouse", "MUG-BLUE", "X00ABCDEFG",
     "B0C7654321", "Mug", "New", "USD", "12.50", "25.00", "2", "0", "2", "", ""],
    ["2026-06-06T12:00:00+00:00", "2468013580", "1234567890", "111-0000001-0000001", "CustomerReturn",
     "TEE-RED-S", "X00HIJKLMN", "B0C1234567", "Tee", "New", "USD", "-9.99", "-9.99", "-1", "0", "-1",
     "2468013000", "Reimbursement_Reversal"],
]


def test_reimbursements_as_amazon_writes_them(db_url, tmp_path):
    p = tsv(tmp_path / "reimbursements.txt", REIMBURSEMENTS, GOOD_REIMBURSEMENTS)
    assert ingest(p).report_type == rt.REIMBURSEMENTS
    got = rows("select * from reimbursement order by reimbursement_id")
    assert [(r["amount_total_cents"], r["quantity_reimbursed_total"], r["currency"]) for r in got] == [
        (2500, 2, "USD"), (-999, -1, "USD")]
    assert got[0]["amazon_order_id"] is None  # a warehouse reimbursement has no order
    assert got[1]["original_reimbursement_id"] == "2468013000"


ORDERS = ["amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
          "fulfillment-channel", "sales-channel", "order-channel", "ship-service-level", "product-name", "sku", "asin",
          "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price", "shipping-tax",
          "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount", "ship-promotion-discount", "ship-city",
          "ship-state", "ship-postal-code", "ship-country", "promotion-ids", "is-business-order",
          "purchase-order-number", "price-designation"]


GOOD_ORDERS = [
    ["112-0000001-0000001", "", "2026-06-01T09:30:00+00:00", "2026-06-02T10:00:00+00:00", "Shipped", "Amazon",
     "Amazon.com", "", "Expedited", "Mug", "MUG-BLUE", "B0C7654321", "Shipped", "2", "USD", "25.98", "2.08",
     "0.00", "0.00", "", "", "-2.00", "", "SEATTLE", "WA", "98101", "US", "", "false", "", ""],
    ["112-0000002-0000002", "", "2026-06-01T11:00:00+00:00", "2026-06-01T12:00:00+00:00", "Cancelled",
     "Merchant", "Amazon.com", "", "Standard", "Tee", "TEE-RED-S", "B0C1234567", "Cancelled", "0", "USD", "", "",
     "", "", "", "", "", "", "", "", "", "US", "", "true", "PO-1", ""],
]


def test_all_orders_as_amazon_writes_them(db_url, tmp_path):
    p = tsv(tmp_path / "orders.txt", ORDERS, GOOD_ORDERS)
    assert ingest(p).report_type == rt.ALL_ORDERS
    got = rows("select * from order_line order by amazon_order_id")
    assert [(r["item_price_cents"], r["item_promotion_discount_cents"], r["quantity"]) for r in got] == [
        (2598, -200, 2), (None, None, 0)]  # a cancelled order has no price: null, not zero
    assert [bool(r["is_business_order"]) for r in got] == [False, True]
    assert as_utc(got[0]["purchase_date"]) == dt.datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


SETTLEMENT = ["settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date", "total-amount",
              "currency", "transaction-type", "order-id", "merchant-order-id", "adjustment-id", "shipment-id",
              "marketplace-name", "amount-type", "amount-description", "amount", "fulfillment-id", "posted-date",
              "posted-date-time", "order-item-code", "merchant-order-item-id", "merchant-adjustment-item-id", "sku",
              "quantity-purchased", "promotion-id"]


def _settlement_line(tt, order_id, a_type, desc, amount, sku="MUG-BLUE", qty="1"):
    return ["7001", "", "", "", "", "", tt, order_id, "", "", "", "Amazon.com", a_type, desc, amount, "AFN",
            "2026-06-02", "2026-06-02 10:00:00 UTC", "", "", "", sku, qty, ""]


GOOD_SETTLEMENT = [
    ["7001", "2026-06-01 00:00:00 UTC", "2026-06-15 00:00:00 UTC", "2026-06-17 00:00:00 UTC", "8.53", "USD"]
    + [""] * 18,
    _settlement_line("Order", "112-0000001-0000001", "ItemPrice", "Principal", "12.99"),
    _settlement_line("Order", "112-0000001-0000001", "ItemFees", "FBAPerUnitFulfillmentFee", "-3.22"),
    _settlement_line("Order", "112-0000001-0000001", "ItemFees", "Commission", "-1.94"),
    # an FBA shipment id in order-id, and an amount type Amazon adds later: data
    _settlement_line("other-transaction", "FBA15ABCDEF", "A new amount type", "Inbound Transportation Fee",
                     "0.70", sku="", qty=""),
]


def test_settlement_as_amazon_writes_it(db_url, tmp_path):
    p = tsv(tmp_path / "settlement.txt", SETTLEMENT, GOOD_SETTLEMENT)
    assert ingest(p).report_type == rt.SETTLEMENT
    [s] = rows("select * from settlement")
    assert (s["total_amount_cents"], s["currency"]) == (853, "USD")
    assert as_utc(s["deposit_date"]) == day(2026, 6, 17)
    from tests.sellerops.storage.lines import stored_lines

    lines = stored_lines()
    assert [r["amount_cents"] for r in lines] == [1299, -322, -194, 70]
    assert lines[-1]["amount_type"] == "A new amount type" and lines[-1]["order_id"] == "FBA15ABCDEF"


# The inbound performance report's columns as Amazon writes them (SP-API report-type values, FBA),
# a shipment-level problem with no carton and no SKU, and a fee line; CRLF as downloads come.
INBOUND_PERFORMANCE = ["issue-reported-date", "shipment-creation-date", "fba-shipment-id", "fba-carton-id",
                       "fulfillment-center-id", "sku", "fnsku", "asin", "product-name", "problem-type",
                       "problem-quantity", "expected-quantity", "received-quantity", "performance-measurement-unit",
                       "coaching-level", "fee-type", "currency", "fee-total", "problem-level", "alert-status"]
GOOD_INBOUND_PERFORMANCE = [
    ["2026-08-20", "2026-08-10", "FBA15TEST0001", "FBA15TEST0001U000001", "ONT8", "MUG-BLUE", "X00ABCDEFG",
     "B0C7654321", "Mug", "Missing units", "3", "24", "21", "Units", "Product", "", "", "", "Product", "Active"],
    ["2026-08-21", "2026-08-10", "FBA15TEST0001", "", "ONT8", "", "", "", "", "Missing box content information",
     "1", "", "", "Shipments", "Shipment", "Manual processing fee", "USD", "12.40", "Shipment", "Resolved"],
]


def test_inbound_performance_as_amazon_writes_it(db_url, tmp_path):
    path = tmp_path / "inbound-performance.txt"
    path.write_bytes("".join("\t".join(r) + "\r\n" for r in [INBOUND_PERFORMANCE] + GOOD_INBOUND_PERFORMANCE)
                     .encode())
    assert ingest(path).report_type == rt.INBOUND_PERFORMANCE
    got = rows("select * from inbound_problem order by issue_reported_date")
    product, shipment = got
    assert (product["fba_shipment_id"], product["sku"], product["problem_type"]) == (
        "FBA15TEST0001", "MUG-BLUE", "Missing units")
    assert (product["problem_quantity"], product["expected_quantity"], product["received_quantity"]) == (3, 24, 21)
    assert as_utc(product["issue_reported_date"]) == day(2026, 8, 20)
    # a shipment-level problem: blank carton and SKU (the key holds them as ""), its fee in cents
    assert (shipment["sku"], shipment["fba_carton_id"], shipment["expected_quantity"]) == ("", "", None)
    assert (shipment["fee_total_cents"], shipment["currency"]) == (1240, "USD")
    # the next day's download repeats yesterday's lines: they upsert, never duplicate
    again = tmp_path / "inbound-performance-next-day.txt"
    again.write_text("".join("\t".join(r) + "\n" for r in [INBOUND_PERFORMANCE] + GOOD_INBOUND_PERFORMANCE
                             + [GOOD_INBOUND_PERFORMANCE[0][:9] + ["Unlabeled", "1", "24", "21", "Units",
                                                                   "Product", "", "", "", "Product", "Active"]]))
    assert ingest(again).rows == 3
    assert len(rows("select * from inbound_problem")) == 3
