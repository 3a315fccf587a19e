"""The frames the reconciliation rules read: one DataFrame per stored table, columns named as
the model fields (sellerops/storage/tables.py) plus `file`, the source file's path for evidence.

The loader builds them from the database; tests and the benchmark build them from dicts or from
generated report files. `coerce` gives every column the dtype the rules rely on: nullable `Int64`
for money (`*_cents`, null = blank in the report) and counts, tz-aware UTC for times, plain
objects for strings and dates — except that a categorical text column (the demo reader's) stays
categorical: same values, a fraction of the memory. No database code here: the column lists are
the contract, and a test checks them against the models.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import pandas as pd

from sellerops.reports.read import categories_of, mapped

_COMMON = ("account", "marketplace")

COLUMNS: dict[str, tuple[str, ...]] = {
    "settlements": _COMMON + (
        "settlement_id", "settlement_start_date", "settlement_end_date", "deposit_date",
        "total_amount_cents", "currency", "report_file_id", "summary_line",
    ),
    "settlement_lines": _COMMON + (
        "settlement_id", "line_no", "report_file_id", "transaction_type", "order_id",
        "merchant_order_id", "adjustment_id", "shipment_id", "marketplace_name", "amount_type",
        "amount_description", "amount_cents", "currency", "fulfillment_id", "posted_date",
        "posted_date_time", "order_item_code", "merchant_order_item_id",
        "merchant_adjustment_item_id", "sku", "quantity_purchased", "promotion_id", "raw_digest",
    ),
    "orders": _COMMON + (
        "amazon_order_id", "sku", "merchant_order_id", "purchase_date", "last_updated_date",
        "order_status", "fulfillment_channel", "sales_channel", "order_channel",
        "ship_service_level", "product_name", "asin", "item_status", "quantity", "currency",
        "item_price_cents", "item_tax_cents", "shipping_price_cents", "shipping_tax_cents",
        "gift_wrap_price_cents", "gift_wrap_tax_cents", "item_promotion_discount_cents",
        "ship_promotion_discount_cents", "ship_country", "is_business_order", "report_file_id",
        "line_no",
    ),
    "fba_returns": _COMMON + (
        "return_date", "order_id", "sku", "asin", "fnsku", "product_name", "quantity",
        "fulfillment_center_id", "detailed_disposition", "reason", "status",
        "license_plate_number", "customer_comments", "report_file_id", "line_no",
    ),
    "seller_returns": _COMMON + (
        "order_id", "amazon_rma_id", "merchant_sku", "order_date", "return_request_date",
        "return_request_status", "merchant_rma_id", "label_type", "label_cost_cents", "currency",
        "return_carrier", "tracking_id", "a_to_z_claim", "asin", "item_name", "return_quantity",
        "return_reason", "in_policy", "return_type", "resolution", "return_delivery_date",
        "order_amount_cents", "order_quantity", "refunded_amount_cents", "report_file_id",
        "line_no",
    ),
    "reimbursements": _COMMON + (
        "approval_date", "reimbursement_id", "case_id", "amazon_order_id", "reason", "sku",
        "fnsku", "asin", "product_name", "condition", "currency", "amount_per_unit_cents",
        "amount_total_cents", "quantity_reimbursed_cash", "quantity_reimbursed_inventory",
        "quantity_reimbursed_total", "original_reimbursement_id", "original_reimbursement_type",
        "report_file_id", "line_no",
    ),
}

_INTEGER = {
    "report_file_id", "summary_line", "line_no", "quantity_purchased", "quantity",
    "return_quantity", "order_quantity", "quantity_reimbursed_cash",
    "quantity_reimbursed_inventory", "quantity_reimbursed_total",
}
_DATETIME = {
    "settlement_start_date", "settlement_end_date", "deposit_date", "posted_date_time",
    "purchase_date", "last_updated_date", "return_date", "order_date", "return_request_date",
    "return_delivery_date", "approval_date",
}


def coerce(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every contract column present (missing ones null) in the dtype rules expect."""
    out = frame.copy(deep=False)  # copy-on-write: replacing a column never touches `frame`
    for column in COLUMNS[table] + ("file",):
        integer = column.endswith("_cents") or column in _INTEGER
        if column not in out.columns:
            out[column] = None
            if not (integer or column in _DATETIME or column == "is_business_order"):
                continue  # a column of None already is the blank text column (converting it costs 2.5 M checks)
        if integer:
            if not isinstance(out[column].dtype, pd.Int64Dtype) or not len(out):  # a copy's Int64 is kept, not copied
                out[column] = pd.array(out[column], dtype="Int64") if len(out) else pd.array([], dtype="Int64")
        elif column in _DATETIME:
            out[column] = pd.to_datetime(out[column], utc=True)
        elif column == "is_business_order":
            out[column] = booleans(out[column])
        elif isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = _categorical(column, out[column])
        elif column == "posted_date":
            out[column] = pd.to_datetime(out[column]).dt.date if len(out) else out[column].astype(object)
        elif column == "raw_digest" and pd.api.types.is_integer_dtype(out[column].dtype):
            pass  # the database loader's digests, as integers: compared only
        else:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


_TRUE, _FALSE = {True, 1, "true", "1", "yes", "y", "t"}, {False, 0, "false", "0", "no", "n", "f"}


def booleans(values: pd.Series) -> pd.Series:
    """A yes/no column as pandas' nullable `boolean`, whatever held it: Python or numpy booleans
    (a report's conversion), 0/1 (SQLite through the driver), their text, blanks; one mapping per
    distinct value. A value that is none of these is blank."""
    if isinstance(values.dtype, pd.BooleanDtype):
        return values
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    mapped_ = [True if _key(u) in _TRUE else False if _key(u) in _FALSE else None for u in uniques]
    table = pd.array(mapped_ + [None], dtype="boolean")
    return pd.Series(table[codes], index=values.index)


def _key(u):
    if isinstance(u, str):
        return u.strip().lower()
    try:
        return bool(u) if isinstance(u, (bool,)) or type(u).__name__ == "bool_" else int(u)
    except (TypeError, ValueError):
        return None


def _categorical(column: str, values: pd.Series) -> pd.Series:
    """A categorical text column stays categorical (its values are what the rules compare; a
    code per row keeps millions of rows small); posted_date's categories become dates."""
    if column != "posted_date" or not len(values.cat.categories):
        return values
    days = pd.to_datetime(values.cat.categories.to_series()).dt.date.to_numpy(dtype=object)
    if pd.notna(days).all() and pd.Index(days).is_unique:  # a day per text (ISO dates): the codes stand as they are
        return pd.Series(categories_of(values.cat.codes.to_numpy(), days), index=values.index)
    return mapped(values.cat.codes.to_numpy(), days, values.index)


def make_frame(table: str, rows: Iterable[Mapping]) -> pd.DataFrame:
    """A contract frame from a list of dicts (tests): unnamed columns are null."""
    return coerce(table, pd.DataFrame(list(rows)))


def empty_frame(table: str) -> pd.DataFrame:
    return coerce(table, pd.DataFrame(columns=list(COLUMNS[table]) + ["file"]))
