"""The Amazon source interface: what a flow may ask of Amazon, whatever the data comes through.

Flows never touch report files or the Selling Partner API directly; they ask a source. The interface
is split by what it answers — `ReportSource` (reports and settlements), `InboundSource` (FBA inbound
shipments), `ListingSource` (listing status), `AccountHealthSource` (seller performance) — and
`AmazonSource` is all four, so a procedure depends only on the part it uses. Two implementations exist: `FolderSource` (reports a seller downloaded by hand into a directory)
and `SpApiSource` (the live API through python-amazon-sp-api). Documents come back as raw bytes or a
path — decoding (BOM, UTF-8, cp932 for Japan, ISO-8859-1 fallback) is ingestion's job, so nothing
here guesses an encoding. Report windows are split to each report type's maximum span here, as pure
functions, so every source and the pull flow agree on them.
"""

from __future__ import annotations

import abc
import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Iterator

from sellerops.core.report_types import (ALL_ORDERS, FBA_RETURNS, LEDGER_DETAIL, LEDGER_SUMMARY, REIMBURSEMENTS,
                                         SELLER_PERFORMANCE, SELLER_RETURNS, SETTLEMENT)

# The longest window Amazon accepts in one request, per report type. Types not listed are
# requested in 30-day pieces, which every report type accepts.
MAX_SPAN: dict[str, dt.timedelta] = {
    ALL_ORDERS: dt.timedelta(days=30),
    SELLER_RETURNS: dt.timedelta(days=60),
    FBA_RETURNS: dt.timedelta(days=30),
    REIMBURSEMENTS: dt.timedelta(days=30),
    LEDGER_SUMMARY: dt.timedelta(days=31),
    LEDGER_DETAIL: dt.timedelta(days=31),
}
DEFAULT_MAX_SPAN = dt.timedelta(days=30)

# Report types a pull requests by date window (settlements are listed, never requested).
REQUESTABLE_REPORTS: tuple[str, ...] = (ALL_ORDERS, FBA_RETURNS, SELLER_RETURNS, REIMBURSEMENTS)

# Reports Amazon generates on its own schedule; createReport refuses them.
LISTED_ONLY_REPORTS = frozenset({SETTLEMENT, "GET_V2_SETTLEMENT_REPORT_DATA_XML", "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE"})


class ReportStatus(str, Enum):
    """Amazon's terminal processing statuses. CANCELLED means "no data", not an error."""

    DONE = "DONE"
    CANCELLED = "CANCELLED"
    FATAL = "FATAL"


class SourceError(RuntimeError):
    """Amazon could not give what was asked; the message says what, for which report, and why."""


class ReportFailed(SourceError):
    """Amazon processed the report and gave up (FATAL); `detail` is the text of its error document."""

    def __init__(self, report_type: str, report_id: str, detail: str) -> None:
        self.report_type, self.report_id, self.detail = report_type, report_id, detail
        super().__init__(f"report {report_id} ({report_type}) ended FATAL: {detail}")


class SourceUnreachable(SourceError):
    """Amazon or the network cannot be reached at all (DNS failure, connection refused, no route).

    Retrying at once cannot help, so nothing waits: the pull stops with this one line, naming the URL.
    """

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"cannot reach {url}: {reason} - check the network, or the endpoint setting")


class ReportTimedOut(SourceError):
    """A report stayed IN_QUEUE / IN_PROGRESS longer than the policy allows."""

    def __init__(self, report_type: str, report_id: str, status: str, waited: float) -> None:
        self.report_type, self.report_id, self.status, self.waited = report_type, report_id, status, waited
        super().__init__(
            f"report {report_id} ({report_type}) still {status} after {waited:.0f} s "
            f"(limit SELLEROPS_SPAPI_POLL_TIMEOUT); Amazon has not finished it - pull again later, "
            f"the report id is kept and will be resumed rather than requested again"
        )


def utc(value: dt.datetime | dt.date) -> dt.datetime:
    """A timezone-aware UTC datetime; a date means its midnight UTC; naive datetimes are refused."""
    if not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: pass a timezone-aware time")
    return value.astimezone(dt.timezone.utc)


@dataclass(frozen=True)
class ReportWindow:
    """A half-open data window [start, end) in UTC."""

    start: dt.datetime
    end: dt.datetime


def max_span(report_type: str) -> dt.timedelta:
    """The longest window one request of `report_type` may cover."""
    return MAX_SPAN.get(report_type, DEFAULT_MAX_SPAN)


def split_window(report_type: str, start: dt.datetime, end: dt.datetime) -> list[ReportWindow]:
    """[start, end) cut into consecutive windows no longer than the report type's maximum span."""
    start, end = utc(start), utc(end)
    if end <= start:
        return []
    span = max_span(report_type)
    windows: list[ReportWindow] = []
    cursor = start
    while cursor < end:
        nxt = min(cursor + span, end)
        windows.append(ReportWindow(cursor, nxt))
        cursor = nxt
    return windows


@dataclass
class FetchedReport:
    """One report document as Amazon (or the folder) gave it: raw bytes or a path, never decoded text.

    `status` DONE carries a document; CANCELLED carries none (Amazon had no data for the window).
    """

    report_type: str
    report_id: str
    status: ReportStatus
    content: bytes | None = None
    path: Path | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    document_id: str | None = None
    compression: str | None = None
    content_type: str | None = None
    marketplace_ids: tuple[str, ...] = ()

    @property
    def has_data(self) -> bool:
        return self.status is ReportStatus.DONE and (self.content is not None or self.path is not None)

    def read_bytes(self) -> bytes:
        """The document's bytes exactly as delivered (after gzip decompression)."""
        if self.content is not None:
            return self.content
        if self.path is not None:
            return self.path.read_bytes()
        raise SourceError(f"report {self.report_id} ({self.report_type}) is {self.status.value}: no document")


@dataclass(frozen=True)
class SettlementRef:
    """A settlement report Amazon generated, as listed by getReports (not yet downloaded)."""

    report_id: str
    document_id: str | None
    created_time: dt.datetime | None
    data_start: dt.datetime | None = None
    data_end: dt.datetime | None = None
    marketplace_ids: tuple[str, ...] = ()
    path: Path | None = None  # set by the folder source


@dataclass
class InboundShipment:
    """An FBA inbound shipment as the API describes it; `raw` keeps Amazon's payload untouched."""

    shipment_id: str
    status: str | None
    name: str | None = None
    destination: str | None = None
    plan_id: str | None = None
    api_version: str = "v0"
    raw: dict[str, Any] = field(default_factory=dict)


class ReportSource(abc.ABC):
    """Reports and settlements: the documents ingestion reads.

    A report is requested for one window (`request_report`), then awaited to its end (`await_report`);
    the two are separate so a pull records the report id in between and a crash resumes that report
    instead of requesting it again. Settlements are listed and fetched, never requested.
    """

    account: str
    marketplace_ids: tuple[str, ...] | list[str] = ()

    @abc.abstractmethod
    def list_settlements(self, since: dt.datetime) -> list[SettlementRef]:
        """Settlement reports Amazon generated since `since` (oldest first); they are never requested."""

    @abc.abstractmethod
    def fetch_settlement(self, ref: SettlementRef) -> FetchedReport:
        """The document of one listed settlement report."""

    @abc.abstractmethod
    def request_report(self, report_type: str, start: dt.datetime | None = None, end: dt.datetime | None = None) -> str:
        """Ask for one report of one window no longer than `max_span(report_type)`; returns its report id."""

    @abc.abstractmethod
    def await_report(
        self, report_type: str, report_id: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> FetchedReport:
        """The requested report once it has ended: DONE with its document, or CANCELLED (no data)."""

    def fetch_report(self, report_type: str, start: dt.datetime, end: dt.datetime) -> FetchedReport:
        """One report for one window no longer than `max_span(report_type)`."""
        return self.await_report(report_type, self.request_report(report_type, start, end), start, end)

    def fetch_reports(self, report_type: str, start: dt.datetime, end: dt.datetime) -> Iterator[FetchedReport]:
        """Every window of [start, end), split to the type's maximum span, one report each."""
        for window in split_window(report_type, start, end):
            yield self.fetch_report(report_type, window.start, window.end)

    def marketplace_code(self, marketplace_ids: tuple[str, ...] | list[str]) -> str:
        """A short name of the marketplace a document is for, used in saved file names."""
        ids = tuple(marketplace_ids) or tuple(self.marketplace_ids)
        return ids[0] if ids else "XX"

    def close(self) -> None:
        """Release connections; a source without any has nothing to do."""

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InboundSource(abc.ABC):
    """FBA inbound shipments and their items, in both Fulfillment Inbound versions."""

    @abc.abstractmethod
    def inbound_shipments(
        self,
        statuses: list[str] | None = None,
        updated_after: dt.datetime | None = None,
        updated_before: dt.datetime | None = None,
    ) -> list[InboundShipment]:
        """FBA inbound shipments (Fulfillment Inbound v0 getShipments), every page."""

    @abc.abstractmethod
    def shipment_items(self, shipment_id: str) -> list[dict[str, Any]]:
        """The items of one v0 inbound shipment: SellerSKU, QuantityShipped, QuantityReceived, …"""

    @abc.abstractmethod
    def inbound_plans(self, status: str | None = None) -> list[dict[str, Any]]:
        """Inbound plans of Fulfillment Inbound 2024-03-20 (listInboundPlans), every page."""

    @abc.abstractmethod
    def plan_shipments(self, inbound_plan_id: str) -> list[InboundShipment]:
        """The shipments of one 2024-03-20 inbound plan, each with its full details."""

    @abc.abstractmethod
    def packing_options(self, inbound_plan_id: str) -> list[dict[str, Any]]:
        """The plan's packing options (listPackingOptions), every page: one ACCEPTED is node 2."""

    @abc.abstractmethod
    def placement_options(self, inbound_plan_id: str) -> list[dict[str, Any]]:
        """The plan's placement options (listPlacementOptions), every page: one ACCEPTED is node 3."""

    @abc.abstractmethod
    def transportation_options(self, inbound_plan_id: str, shipment_id: str) -> list[dict[str, Any]]:
        """One shipment's transportation options (listTransportationOptions), every page."""


class ListingSource(abc.ABC):
    """The seller's listings: their status and issues."""

    @abc.abstractmethod
    def listing_status(self, skus: list[str] | None = None) -> list[dict[str, Any]]:
        """Listing status and issues per SKU (Listings Items 2021-08-01); all listings when `skus` is None."""


class AccountHealthSource(abc.ABC):
    """The account's health as Amazon measures it."""

    @abc.abstractmethod
    def seller_performance(self) -> FetchedReport:
        """The seller performance report (GET_V2_SELLER_PERFORMANCE_REPORT, JSON)."""


class AmazonSource(ReportSource, InboundSource, ListingSource, AccountHealthSource):
    """Everything sellerops asks of Amazon. A procedure that needs one part asks for that part's class."""
