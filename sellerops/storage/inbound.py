"""The inbound procedure's tables: saved SP-API responses, what they showed, and the shipments tracked.

Loaded by `sellerops ingest` (a saved response is a report file like any other: `report_file` keeps
its outcome) and written by the tracker (`sellerops.inbound.store`). Same conventions as
`sellerops.storage.tables`: grain and natural key in each docstring, times `UtcDateTime`, every row
carries the seller account; quantities are units, and the one amount (an inbound problem's fee) is
integer cents with its currency.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from sellerops.storage.tables import UtcDateTime, _money, _utc


class InboundResponse(SQLModel, table=True):
    """One row per saved SP-API inbound response loaded. Natural key: report_file_id (the file).

    `body` is the response exactly as Amazon sent it (JSON text), kept as the claim pack's evidence.
    """

    __tablename__ = "inbound_response"
    __table_args__ = (sa.UniqueConstraint("report_file_id", name="uq_inbound_response_file"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str = Field(index=True)
    marketplace_id: Optional[str] = None
    report_file_id: int = Field(foreign_key="report_file.id")
    observed_at: dt.datetime = Field(sa_type=UtcDateTime())
    operation: str
    api_version: str
    plan_id: Optional[str] = None
    shipment_ref: Optional[str] = None  # the request's shipment id, when the call names one
    body: str


class InboundObservation(SQLModel, table=True):
    """One row per shipment (or plan listing no shipment) per saved response: the node it showed.
    Natural key: (response_id, position). Read in `response_id` order: the order polls arrived."""

    __tablename__ = "inbound_observation"
    __table_args__ = (sa.UniqueConstraint("response_id", "position", name="uq_inbound_observation"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str = Field(index=True)
    response_id: int = Field(foreign_key="inbound_response.id")
    position: int
    observed_at: dt.datetime = Field(sa_type=UtcDateTime())
    node: str
    status: Optional[str] = None
    api_version: str
    marketplace_id: Optional[str] = None
    shipment_id: Optional[str] = None  # the FBA shipment id
    draft_id: Optional[str] = None  # a 2024-03-20 shipmentId
    plan_id: Optional[str] = None
    destination_fc: Optional[str] = None


class InboundItem(SQLModel, table=True):
    """One row per (account, shipment_ref, sku, api_version): the newest quantities a response showed.
    `shipment_ref` is the FBA id (v0) or the 2024-03-20 shipmentId; `quantity_received` only from v0."""

    __tablename__ = "inbound_item"
    __table_args__ = (sa.UniqueConstraint("account", "shipment_ref", "sku", "api_version", name="uq_inbound_item"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    shipment_ref: str
    sku: str
    api_version: str
    fnsku: Optional[str] = None
    quantity_shipped: int = 0
    quantity_received: Optional[int] = None
    quantity_in_case: Optional[int] = None
    observed_at: dt.datetime = Field(sa_type=UtcDateTime())
    response_id: int = Field(foreign_key="inbound_response.id")


class InboundShipment(SQLModel, table=True):
    """One row per tracked shipment: where it stands. Natural key: (account, shipment_id), the FBA
    shipment id (a 2024-03-20 shipmentId before confirmation, a plan id while it lists none)."""

    __tablename__ = "inbound_shipment"
    __table_args__ = (sa.UniqueConstraint("account", "shipment_id", name="uq_inbound_shipment"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    shipment_id: str
    api_version: str
    marketplace_id: Optional[str] = None
    plan_id: Optional[str] = None
    destination_fc: Optional[str] = None
    node: str
    status: Optional[str] = None
    entered_at: Optional[dt.datetime] = _utc()
    first_observed_at: dt.datetime = Field(sa_type=UtcDateTime())
    last_observed_at: dt.datetime = Field(sa_type=UtcDateTime())
    reached: int = 0


class InboundNodeEvent(SQLModel, table=True):
    """One row per node a shipment passed. Natural key: (account, shipment_id, node).
    `entered_at` is the first poll that saw it there; null when jumped over between two polls."""

    __tablename__ = "inbound_node_event"
    __table_args__ = (sa.UniqueConstraint("account", "shipment_id", "node", name="uq_inbound_node_event"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    shipment_id: str
    node: str
    entered_at: Optional[dt.datetime] = _utc()
    recorded_at: dt.datetime = Field(sa_type=UtcDateTime())


class InboundProblem(SQLModel, table=True):
    """One row per problem line of the FBA inbound performance report. Natural key: (account,
    fba_shipment_id, fba_carton_id, sku, problem_type, issue_reported_date) — the daily downloads
    overlap and upsert; a shipment-level problem has no carton or SKU (blank, not null, in the key).
    Evidence only: the tracker shows it, the API's quantities decide."""

    __tablename__ = "inbound_problem"
    __table_args__ = (sa.UniqueConstraint("account", "fba_shipment_id", "fba_carton_id", "sku", "problem_type",
                                          "issue_reported_date", name="uq_inbound_problem"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    marketplace: str
    issue_reported_date: dt.datetime = Field(sa_type=UtcDateTime())
    shipment_creation_date: Optional[dt.datetime] = Field(default=None, sa_type=UtcDateTime())
    fba_shipment_id: str = Field(index=True)
    fba_carton_id: str = ""
    fulfillment_center_id: Optional[str] = None
    sku: str = ""
    fnsku: Optional[str] = None
    asin: Optional[str] = None
    product_name: Optional[str] = None
    problem_type: str
    problem_quantity: Optional[int] = None
    expected_quantity: Optional[int] = None
    received_quantity: Optional[int] = None
    performance_measurement_unit: Optional[str] = None
    coaching_level: Optional[str] = None
    fee_type: Optional[str] = None
    currency: Optional[str] = None
    fee_total_cents: Optional[int] = _money()
    problem_level: Optional[str] = None
    alert_status: Optional[str] = None
    report_file_id: int = Field(foreign_key="report_file.id")
    line_no: int


class InboundClaim(SQLModel, table=True):
    """One row per shortage claimed in Seller Central. Natural key: (account, shipment_id, sku)."""

    __tablename__ = "inbound_claim"
    __table_args__ = (sa.UniqueConstraint("account", "shipment_id", "sku", name="uq_inbound_claim"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    shipment_id: str
    sku: str
    case_id: str
    filed_at: dt.datetime = Field(sa_type=UtcDateTime())


class InboundRun(SQLModel, table=True):
    """One row per tracker run. Natural key: id (runs are events). `data_version` is the newest
    response loaded when it ran: with none newer, the next run records no transition again."""

    __tablename__ = "inbound_run"

    id: Optional[int] = Field(default=None, primary_key=True)
    account: str
    started_at: dt.datetime = Field(sa_type=UtcDateTime())
    now: dt.datetime = Field(sa_type=UtcDateTime())
    data_version: int = 0
    transitions: int = 0
    findings_open: int = 0
    # what else the run read (other reports, claims, policy) as a fingerprint: unchanged, and no
    # response newer than data_version, only the clock can have moved since
    inputs: Optional[str] = None
