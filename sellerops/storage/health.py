"""The tables of the account-health watch's inputs: what the measurements (sellerops.health.measure) read.

Amazon's seller performance metrics, the FBA manage-inventory snapshot, the Sponsored Products
search-term rows, and the seller's own cycle counts and purchase orders — each loaded by
`sellerops ingest` (sellerops.health.inputs). Same conventions as `sellerops.storage.tables`: every
docstring states the grain and natural key, money is integer cents beside its currency, times are
timezone-aware UTC (`UtcDateTime`), plain dates are `date`. A metric's value is kept as its exact
decimal text: SQLite would keep a NUMERIC as a float, and a rate of 0.011 must stay 0.011.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sellerops.storage.tables import UtcDateTime, _money


class PerformanceMetric(SQLModel, table=True):
    """One row per metric of one seller performance report file, per marketplace and channel.
    Natural key: (account, report_file_id, marketplace_id, metric, channel).

    `metric` is the watch's signal name (odr, late_shipment_rate, cancel_rate, valid_tracking_rate,
    ip_complaints); `channel` is afn | mfn for the order defect rate, else empty. `value` is the
    decimal text as the file wrote it (a fraction for rates: 0.011 is 1.1 %; a count for IP
    complaints). `report_at` is the report's time: its `observed_at` when the pull saved it, else
    the latest `reportingDateTo` among its metrics. `status` is Amazon's free string.
    """

    __tablename__ = "performance_metric"
    __table_args__ = (sa.UniqueConstraint("account", "report_file_id", "marketplace_id", "metric", "channel",
                                          name="uq_performance_metric"),
                      sa.Index("ix_performance_metric_lookup", "account", "metric", "marketplace_id", "report_at"))

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace_id: str
    metric: str
    channel: str = ""
    value: str
    status: Optional[str] = None
    target: Optional[str] = None
    reporting_from: Optional[dt.datetime] = Field(default=None, sa_type=UtcDateTime())
    reporting_to: Optional[dt.datetime] = Field(default=None, sa_type=UtcDateTime())
    report_at: dt.datetime = Field(sa_type=UtcDateTime())
    report_file_id: int = Field(foreign_key="report_file.id", index=True)


class FbaInventory(SQLModel, table=True):
    """One row per SKU of one manage-inventory file (GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA).
    Natural key: (account, report_file_id, sku).

    Each file is a snapshot: the watch reads the most recently loaded one. A quantity the file
    has no column for is NULL (on hand then falls back to fulfillable + unsellable + reserved).
    """

    __tablename__ = "fba_inventory"
    __table_args__ = (sa.UniqueConstraint("account", "report_file_id", "sku", name="uq_fba_inventory"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    sku: str
    asin: Optional[str] = None
    fnsku: Optional[str] = None
    product_name: Optional[str] = None
    afn_warehouse_quantity: Optional[int] = None
    afn_fulfillable_quantity: Optional[int] = None
    afn_unsellable_quantity: Optional[int] = None
    afn_reserved_quantity: Optional[int] = None
    afn_total_quantity: Optional[int] = None
    report_file_id: int = Field(foreign_key="report_file.id", index=True)
    line_no: int


class AdSearchTerm(SQLModel, table=True):
    """One row per day, campaign, ad group, targeting, match type and customer search term of the
    Sponsored Products search-term report. Natural key: (account, date, campaign_name,
    ad_group_name, targeting, match_type, customer_search_term).

    A later export of an overlapping period replaces the days it repeats, so reruns and
    overlapping downloads never count a click twice.
    """

    __tablename__ = "ad_search_term"
    __table_args__ = (sa.UniqueConstraint("account", "date", "campaign_name", "ad_group_name", "targeting",
                                          "match_type", "customer_search_term", name="uq_ad_search_term"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    date: dt.date = Field(index=True)
    campaign_name: str
    ad_group_name: str
    targeting: str
    match_type: str
    customer_search_term: str
    impressions: Optional[int] = None
    clicks: int = 0
    orders: int = 0
    spend_cents: Optional[int] = _money()
    sales_cents: Optional[int] = _money()
    currency: Optional[str] = None
    report_file_id: int = Field(foreign_key="report_file.id")
    line_no: int


class CycleCount(SQLModel, table=True):
    """One row per cycle count of a SKU at a location on a day (the seller's own file).
    Natural key: (account, count_date, location, sku); a later file's count replaces the earlier.
    """

    __tablename__ = "cycle_count"
    __table_args__ = (sa.UniqueConstraint("account", "count_date", "location", "sku", name="uq_cycle_count"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    count_date: dt.date = Field(index=True)
    location: str
    sku: str
    counted_quantity: int
    system_quantity: int
    report_file_id: int = Field(foreign_key="report_file.id")
    line_no: int


class PurchaseOrderLine(SQLModel, table=True):
    """One row per purchase-order line (the seller's own file). Natural key: (account, po_number, sku).

    A later file's row for the same PO and SKU replaces the earlier (an arrival filled in later);
    a blank `actual_arrival_date` is a line not arrived yet.
    """

    __tablename__ = "purchase_order_line"
    __table_args__ = (sa.UniqueConstraint("account", "po_number", "sku", name="uq_purchase_order_line"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    po_number: str
    supplier: str = Field(index=True)
    sku: str
    quantity: int
    order_date: dt.date
    expected_arrival_date: dt.date
    actual_arrival_date: Optional[dt.date] = None
    report_file_id: int = Field(foreign_key="report_file.id")
    line_no: int
