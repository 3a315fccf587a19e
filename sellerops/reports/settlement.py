"""Settlement V2 flat file (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2): format and expectations.

The first data row is the summary (settlement id, dates, total-amount, currency); every other row is
one money movement. Its suite checks, besides the columns and keys, that the file holds exactly one
summary row, one settlement id, and that the keys are filled on every transaction row.
"""

from __future__ import annotations

from sellerops.core import report_types
from sellerops.reports.base import CURRENCY_CODES, DATE, DATETIME, INT, MONEY, Col, ReportFormat, contract

REPORT_TYPE = report_types.SETTLEMENT
# Rows whose total-amount is filled are summary rows; the validator adds this marker column.
SUMMARY_MARK = "is_summary"

FORMAT = ReportFormat(
    report_type=REPORT_TYPE,
    title="Settlement (V2 flat file)",
    table="SettlementLine",
    columns=(
        Col("settlement-id", "settlement_id", required=True),
        Col("settlement-start-date", "settlement_start_date", DATETIME, required=True),
        Col("settlement-end-date", "settlement_end_date", DATETIME, required=True),
        Col("deposit-date", "deposit_date", DATETIME, required=True),
        Col("total-amount", "total_amount_cents", MONEY, required=True),
        Col("currency", "currency", required=True, allowed=CURRENCY_CODES),
        Col("transaction-type", "transaction_type", key=True),
        Col("order-id", "order_id", required=True),
        Col("merchant-order-id", "merchant_order_id"),
        Col("adjustment-id", "adjustment_id"),
        Col("shipment-id", "shipment_id"),
        Col("marketplace-name", "marketplace_name"),
        Col("amount-type", "amount_type", key=True),
        Col("amount-description", "amount_description", key=True),
        Col("amount", "amount_cents", MONEY, key=True),
        Col("fulfillment-id", "fulfillment_id", required=True),
        Col("posted-date", "posted_date", DATE, required=True),
        Col("posted-date-time", "posted_date_time", DATETIME),
        Col("order-item-code", "order_item_code"),
        Col("merchant-order-item-id", "merchant_order_item_id"),
        Col("merchant-adjustment-item-id", "merchant_adjustment_item_id"),
        Col("sku", "sku", required=True),
        Col("quantity-purchased", "quantity_purchased", INT, required=True),
        Col("promotion-id", "promotion_id"),
    ),
    natural_key=(),  # whole settlements are loaded once; see sellerops.ingest
)


def expectations(gxe, m) -> list:
    """The suite: the columns' contract, settlement-id on every row, one summary row with its total,
    one id, and the keys filled on every transaction row (the summary row has none). Transaction,
    amount types and descriptions are open lists: any value is data."""
    from great_expectations.expectations.row_conditions import Column

    cond = dict(row_condition=Column(SUMMARY_MARK) == 0)
    out = contract(FORMAT, gxe, m, row_keys=False) + [
        gxe.ExpectColumnValuesToNotBeNull(column="settlement-id"),
        # a row count under a condition, not a column sum: GX's pandas sum first looks at every
        # value in Python for a Decimal, slow over a month of lines
        gxe.ExpectTableRowCountToEqual(value=1, row_condition=Column(SUMMARY_MARK) == 1,
                                       description=f"Exactly one settlement summary row ({SUMMARY_MARK} == 1: "
                                                   "total-amount filled).",
                                       meta={"message": "exactly one settlement summary row (total-amount filled)"}),
        gxe.ExpectColumnUniqueValueCountToBeBetween(column="settlement-id", min_value=0, max_value=1,
                                                    meta={"message": "one settlement id per file"}),
    ]
    for key in ("transaction-type", "amount-type", "amount-description", "amount"):
        out.append(gxe.ExpectColumnValuesToNotBeNull(column=key, **cond))
    return out
