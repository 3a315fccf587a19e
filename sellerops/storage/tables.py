"""The stored tables: what sellerops knows about a seller, one SQLModel class a table.

Every table states its grain and natural key in its docstring, and every row carries the seller
account and the marketplace. Money is integer hundredths (`*_cents`) beside its currency,
Decimal at every edge;
times are timezone-aware UTC (`UtcDateTime`); plain dates are `date`. The schema is owned by the
Alembic migrations in `sellerops/storage/migrations`; these classes are its Python face.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Money is stored as integer hundredths of the currency unit (cents; yen x 100), exact on every
# backend — SQLite would keep NUMERIC as a float. `sellerops.core.money` converts to and from Decimal.
MONEY = sa.BigInteger()


class UtcDateTime(TypeDecorator):
    """A timezone-aware datetime, stored as UTC on every backend (SQLite keeps no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: sellerops stores timezone-aware times only")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def _money(**kw):
    return Field(default=None, sa_type=MONEY, **kw)


def _utc(**kw):
    return Field(default=None, sa_type=UtcDateTime(), **kw)


class ReportFile(SQLModel, table=True):
    """One row per distinct (path, sha256) ever offered to ingestion. Natural key: (path, sha256).

    A row keeps its first outcome: `status` is loaded | duplicate | quarantined, `rows` counts the
    data rows loaded (header and settlement summary row excluded; 0 unless loaded).
    """

    __tablename__ = "report_file"
    __table_args__ = (sa.UniqueConstraint("path", "sha256", name="uq_report_file_path_sha"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str = Field(index=True)
    marketplace: Optional[str] = None
    path: str
    sha256: str = Field(index=True)
    size_bytes: int = 0
    report_type: Optional[str] = None
    encoding: Optional[str] = None
    status: str
    rows: int = 0
    reason: Optional[str] = None
    settlement_id: Optional[str] = Field(default=None, index=True)
    duplicate_of: Optional[int] = None
    seen_at: dt.datetime = Field(sa_type=UtcDateTime())


class Settlement(SQLModel, table=True):
    """One row per settlement (the file's summary row). Natural key: (account, settlement_id)."""

    __tablename__ = "settlement"
    __table_args__ = (sa.UniqueConstraint("account", "settlement_id", name="uq_settlement"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    settlement_id: str
    settlement_start_date: Optional[dt.datetime] = _utc()
    settlement_end_date: Optional[dt.datetime] = _utc()
    deposit_date: Optional[dt.datetime] = _utc()
    total_amount_cents: Optional[int] = _money()
    currency: str
    report_file_id: int = Field(foreign_key="report_file.id")
    summary_line: int = 2


class SettlementLine(SQLModel, table=True):
    """One row per transaction line of a settlement file (the summary row excluded).

    Natural key: (account, settlement_id, line_no) — the file's line number (header = 1) is part of
    the key, so two identical rows in one file stay two rows. `raw_digest` hashes every raw column
    of the line, so identical copies can be found without keeping the raw text.
    """

    __tablename__ = "settlement_line"
    __table_args__ = (
        sa.UniqueConstraint("account", "settlement_id", "line_no", name="uq_settlement_line"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    settlement_id: str
    line_no: int
    report_file_id: int = Field(foreign_key="report_file.id")
    transaction_type: Optional[str] = None
    order_id: Optional[str] = None
    merchant_order_id: Optional[str] = None
    adjustment_id: Optional[str] = None
    shipment_id: Optional[str] = None
    marketplace_name: Optional[str] = None
    amount_type: Optional[str] = None
    amount_description: Optional[str] = None
    amount_cents: Optional[int] = _money()
    currency: str
    fulfillment_id: Optional[str] = None
    posted_date: Optional[dt.date] = None
    posted_date_time: Optional[dt.datetime] = _utc()
    order_item_code: Optional[str] = None
    merchant_order_item_id: Optional[str] = None
    merchant_adjustment_item_id: Optional[str] = None
    sku: Optional[str] = None
    quantity_purchased: Optional[int] = None
    promotion_id: Optional[str] = None
    raw_digest: str


class OrderLine(SQLModel, table=True):
    """One row per order item of the all-orders report. Natural key: (account, amazon_order_id, sku).

    Re-downloaded reports upsert: the row with the newest last_updated_date wins.
    """

    __tablename__ = "order_line"
    __table_args__ = (
        sa.UniqueConstraint("account", "amazon_order_id", "sku", name="uq_order_line"),
        # a bounded night reads by key: the orders whose grace ends tonight, the rows a new file wrote
        sa.Index("ix_order_line_account_purchase_date", "account", "purchase_date"),
        sa.Index("ix_order_line_report_file_id", "report_file_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    amazon_order_id: str
    sku: str
    merchant_order_id: Optional[str] = None
    purchase_date: dt.datetime = Field(sa_type=UtcDateTime())
    last_updated_date: Optional[dt.datetime] = _utc()
    order_status: str
    fulfillment_channel: Optional[str] = None
    sales_channel: Optional[str] = None
    order_channel: Optional[str] = None
    ship_service_level: Optional[str] = None
    product_name: Optional[str] = None
    asin: Optional[str] = None
    item_status: Optional[str] = None
    quantity: Optional[int] = None
    currency: Optional[str] = None
    item_price_cents: Optional[int] = _money()
    item_tax_cents: Optional[int] = _money()
    shipping_price_cents: Optional[int] = _money()
    shipping_tax_cents: Optional[int] = _money()
    gift_wrap_price_cents: Optional[int] = _money()
    gift_wrap_tax_cents: Optional[int] = _money()
    item_promotion_discount_cents: Optional[int] = _money()
    ship_promotion_discount_cents: Optional[int] = _money()
    ship_country: Optional[str] = None
    is_business_order: Optional[bool] = None
    report_file_id: int = Field(foreign_key="report_file.id")
    line_no: int


class FbaReturn(SQLModel, table=True):
    """One row per FBA customer return line. Natural key:
    (account, order_id, sku, return_date, license_plate_number) — overlapping downloads upsert."""

    __tablename__ = "fba_return"
    __table_args__ = (
        sa.UniqueConstraint("account", "order_id", "sku", "return_date", "license_plate_number", name="uq_fba_return"),
        sa.Index("ix_fba_return_report_file_id", "report_file_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    return_date: dt.datetime = Field(sa_type=UtcDateTime())
    order_id: str
    sku: str
    asin: Optional[str] = None
    fnsku: Optional[str] = None
    product_name: Optional[str] = None
    quantity: int
    fulfillment_center_id: Optional[str] = None
    detailed_disposition: Optional[str] = None
    reason: Optional[str] = None
    status: Optional[str] = None
    license_plate_number: str = ""
    customer_comments: Optional[str] = None
    report_file_id: int = Field(foreign_key="report_file.id")
    line_no: int


class SellerReturn(SQLModel, table=True):
    """One row per seller-fulfilled return (RMA) line. Natural key:
    (account, order_id, amazon_rma_id, merchant_sku) — overlapping downloads upsert."""

    __tablename__ = "seller_return"
    __table_args__ = (
        sa.UniqueConstraint("account", "order_id", "amazon_rma_id", "merchant_sku", name="uq_seller_return"),
        sa.Index("ix_seller_return_report_file_id", "report_file_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    order_id: str
    amazon_rma_id: str
    merchant_sku: str = ""
    order_date: Optional[dt.datetime] = _utc()
    return_request_date: Optional[dt.datetime] = _utc()
    return_request_status: Optional[str] = None
    merchant_rma_id: Optional[str] = None
    label_type: Optional[str] = None
    label_cost_cents: Optional[int] = _money()
    currency: Optional[str] = None
    return_carrier: Optional[str] = None
    tracking_id: Optional[str] = None
    a_to_z_claim: Optional[str] = None
    asin: Optional[str] = None
    item_name: Optional[str] = None
    return_quantity: Optional[int] = None
    return_reason: Optional[str] = None
    in_policy: Optional[str] = None
    return_type: Optional[str] = None
    resolution: Optional[str] = None
    return_delivery_date: Optional[dt.datetime] = _utc()
    order_amount_cents: Optional[int] = _money()
    order_quantity: Optional[int] = None
    refunded_amount_cents: Optional[int] = _money()
    report_file_id: int = Field(foreign_key="report_file.id")
    line_no: int


class Reimbursement(SQLModel, table=True):
    """One row per reimbursement line. Natural key: (account, reimbursement_id, sku) — overlapping
    downloads upsert. Reversals are their own lines (original_reimbursement_id set, amounts negative)."""

    __tablename__ = "reimbursement"
    __table_args__ = (
        sa.UniqueConstraint("account", "reimbursement_id", "sku", name="uq_reimbursement"),
        sa.Index("ix_reimbursement_report_file_id", "report_file_id"),
        sa.Index("ix_reimbursement_account_order", "account", "amazon_order_id"),
        sa.Index("ix_reimbursement_account_original", "account", "original_reimbursement_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    approval_date: dt.datetime = Field(sa_type=UtcDateTime())
    reimbursement_id: str
    case_id: Optional[str] = None
    amazon_order_id: Optional[str] = None
    reason: Optional[str] = None
    sku: str
    fnsku: Optional[str] = None
    asin: Optional[str] = None
    product_name: Optional[str] = None
    condition: Optional[str] = None
    currency: Optional[str] = None
    amount_per_unit_cents: Optional[int] = _money()
    amount_total_cents: Optional[int] = _money()
    quantity_reimbursed_cash: Optional[int] = None
    quantity_reimbursed_inventory: Optional[int] = None
    quantity_reimbursed_total: Optional[int] = None
    original_reimbursement_id: Optional[str] = None
    original_reimbursement_type: Optional[str] = None
    report_file_id: int = Field(foreign_key="report_file.id")
    line_no: int


class Finding(SQLModel, table=True):
    """One row per discrepancy found. Natural key: `key` — a stable digest of (account, kind, subject):
    the settlement; or order-id and sku; plus settlement and line for duplicate copies. A rerun of its
    `procedure` updates last_seen; a finding that no longer holds becomes `resolved`.

    A claim is kept beside the evidence and never moves `status`: `claim_state` is none | claimed |
    reimbursed | denied, `claimed_at` when it was filed (under `case_id`), `claim_closed_at` when
    Amazon answered."""

    __tablename__ = "finding"
    __table_args__ = (sa.UniqueConstraint("key", name="uq_finding_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str
    account: str
    marketplace: str
    kind: str = Field(index=True)
    settlement_id: Optional[str] = None
    order_id: Optional[str] = None
    sku: Optional[str] = None
    line_no: Optional[int] = None
    shipment_id: Optional[str] = None
    amount_cents: int = Field(sa_type=sa.BigInteger())
    currency: str
    detail: str
    evidence: str = "[]"  # JSON list of source rows: {file, line, values}
    status: str = Field(default="open", index=True)
    first_seen: dt.datetime = Field(sa_type=UtcDateTime())
    last_seen: dt.datetime = Field(sa_type=UtcDateTime())
    resolved_at: Optional[dt.datetime] = _utc()
    claim_window_opens: Optional[dt.date] = None
    claim_window_closes: Optional[dt.date] = None
    procedure: str = Field(index=True)
    claim_state: str = Field(default="none", sa_column_kwargs={"server_default": "none"})
    case_id: Optional[str] = None
    claimed_at: Optional[dt.datetime] = _utc()
    claim_closed_at: Optional[dt.datetime] = _utc()


class ReconcileRun(SQLModel, table=True):
    """One row per reconciliation run. Natural key: id (runs are events).

    `data_version` is the newest report file loaded when the run started and `policy_digest` the
    policy's digest: a night with no new file and the same as-of and policy recomputes nothing.
    """

    __tablename__ = "reconcile_run"

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    started_at: dt.datetime = Field(sa_type=UtcDateTime())
    finished_at: Optional[dt.datetime] = _utc()
    as_of: Optional[dt.date] = None
    data_version: int = 0
    policy_digest: str = ""
    findings_open: int = 0
    findings_new: int = 0
    findings_resolved: int = 0
    skipped: bool = False
