"""The returns procedure's tables: the two order reports that carry a customer key, the return
requests (RMAs) and what sellerops decided for each, and the actions returned units call for.

Same conventions as `sellerops.storage.tables`: every docstring states the grain and natural key,
money is integer cents beside its currency, times are timezone-aware UTC (`UtcDateTime`). No column
holds a buyer's e-mail, name, phone or street: `buyer_key` is the salted hash of the relay e-mail
(sellerops.customers), and only the city, state and postal code a return label names are kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sellerops.storage.tables import UtcDateTime, _money, _utc


class ActionableOrderLine(SQLModel, table=True):
    """One row per item of a seller-fulfilled order (the actionable-orders report). Natural key:
    (account, order_id, order_item_id) — overlapping downloads upsert."""

    __tablename__ = "actionable_order_line"
    __table_args__ = (sa.UniqueConstraint("account", "order_id", "order_item_id", name="uq_actionable_order_line"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    order_id: str = Field(index=True)
    order_item_id: str
    purchase_date: dt.datetime = Field(sa_type=UtcDateTime())
    payments_date: Optional[dt.datetime] = _utc()
    promise_date: Optional[dt.datetime] = _utc()
    buyer_key: Optional[str] = Field(default=None, index=True)
    sku: str
    product_name: Optional[str] = None
    quantity_purchased: Optional[int] = None
    quantity_shipped: Optional[int] = None
    quantity_to_ship: Optional[int] = None
    ship_service_level: Optional[str] = None
    ship_city: Optional[str] = None
    ship_state: Optional[str] = None
    ship_postal_code: Optional[str] = None
    ship_country: Optional[str] = None
    sales_channel: Optional[str] = None
    is_business_order: Optional[bool] = None
    report_file_id: int = Field(foreign_key="report_file.id")
    line_no: int


class FulfilledShipmentLine(SQLModel, table=True):
    """One row per item of an Amazon-fulfilled shipment. Natural key: (account, shipment_id,
    shipment_item_id) — overlapping downloads upsert."""

    __tablename__ = "fulfilled_shipment_line"
    __table_args__ = (sa.UniqueConstraint("account", "shipment_id", "shipment_item_id",
                                          name="uq_fulfilled_shipment_line"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    amazon_order_id: str = Field(index=True)
    merchant_order_id: Optional[str] = None
    shipment_id: str
    shipment_item_id: str
    amazon_order_item_id: Optional[str] = None
    purchase_date: dt.datetime = Field(sa_type=UtcDateTime())
    payments_date: Optional[dt.datetime] = _utc()
    shipment_date: Optional[dt.datetime] = _utc()
    buyer_key: Optional[str] = Field(default=None, index=True)
    sku: str
    product_name: Optional[str] = None
    quantity_shipped: Optional[int] = None
    currency: Optional[str] = None
    item_price_cents: Optional[int] = _money()
    item_tax_cents: Optional[int] = _money()
    shipping_price_cents: Optional[int] = _money()
    item_promotion_discount_cents: Optional[int] = _money()
    ship_city: Optional[str] = None
    ship_state: Optional[str] = None
    ship_postal_code: Optional[str] = None
    ship_country: Optional[str] = None
    fulfillment_center_id: Optional[str] = None
    fulfillment_channel: Optional[str] = None
    sales_channel: Optional[str] = None
    report_file_id: int = Field(foreign_key="report_file.id")
    line_no: int


class ReturnRequest(SQLModel, table=True):
    """One row per (RMA, SKU) a buyer asked to return, and what became of it. Natural key:
    (account, rma_id, sku) — an RMA can span several SKUs.

    `status` is pending | authorized | needs_person | rejected; `reasons` a comma-separated list
    (out_of_policy, over_value_limit, review_reason, …); `decided_by` amazon | auto | a person.
    `first_seen_at` is when sellerops first saw the request (its clock: a run's `--now`), the start
    of the 6-hour target; `requested_at` is the report's day. `vip` is null when the order has no
    customer key (`vip_reason` says why). `label_path` is the PDF's absolute path.
    """

    __tablename__ = "return_request"
    __table_args__ = (sa.UniqueConstraint("account", "rma_id", "sku", name="uq_return_request"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    rma_id: str = Field(index=True)
    sku: str
    order_id: str
    quantity: int
    requested_at: Optional[dt.datetime] = _utc()
    amazon_status: Optional[str] = None
    in_policy: Optional[str] = None
    return_reason: Optional[str] = None
    amount_cents: Optional[int] = _money()
    currency: Optional[str] = None
    status: str = Field(index=True)
    reasons: str = ""
    buyer_key: Optional[str] = None
    vip: Optional[bool] = None
    vip_reason: Optional[str] = None
    clv_cents: Optional[int] = _money()
    orders_365d: Optional[int] = None
    care_script: Optional[str] = None
    label_path: Optional[str] = None
    decision_id: Optional[int] = None
    care_decision_id: Optional[int] = None
    form_run_id: Optional[str] = None  # the flow run whose form waits for the person's answer
    first_seen_at: dt.datetime = Field(sa_type=UtcDateTime())
    decided_at: Optional[dt.datetime] = _utc()
    decided_by: Optional[str] = None
    note: Optional[str] = None


class ReturnUnitAction(SQLModel, table=True):
    """One row per FBA returned unit line and what its disposition calls for. Natural key:
    (account, order_id, sku, returned_at, license_plate_number).

    `action` is `restock` (SELLABLE: back to stock) or `supplier_or_grading` (damaged or defective:
    a supplier claim or a grading for the SKU); other dispositions are `none`."""

    __tablename__ = "return_unit_action"
    __table_args__ = (sa.UniqueConstraint("account", "order_id", "sku", "returned_at", "license_plate_number",
                                          name="uq_return_unit_action"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    order_id: str
    sku: str = Field(index=True)
    returned_at: dt.datetime = Field(sa_type=UtcDateTime())
    license_plate_number: str = ""
    quantity: int
    disposition: Optional[str] = None
    action: str
    recorded_at: dt.datetime = Field(sa_type=UtcDateTime())
