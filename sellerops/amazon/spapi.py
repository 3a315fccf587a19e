"""`SpApiSource`: the Amazon source over the live Selling Partner API (python-amazon-sp-api).

Reports follow Amazon's 2021-06-30 life cycle: createReport, poll getReport until a terminal
status, then getReportDocument and a plain download of its URL. DONE yields the document's raw bytes
(gunzipped when Amazon says GZIP; never decoded — ingestion owns encodings); CANCELLED yields "no data";
FATAL downloads the error document and fails that report alone with Amazon's text. Settlements are
listed with getReports, never requested. Every HTTP call goes through `_call`, which asks the pacer for
a token first (a local token bucket, or Prefect's global rate limits when run from tasks), backs off by
`x-amzn-RateLimit-Limit` on 429, and retries 5xx and network faults with jittered exponential backoff.

The client has no base-URL argument: a sandbox or test server is reached through the two hooks the
library offers — the client's `endpoint` attribute and `auth_token_client_class` for the LWA endpoint.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import httpx
from sp_api.api import FulfillmentInbound, ListingsItems, Reports
from sp_api.auth import AccessTokenClient
from sp_api.auth.exceptions import AuthorizationError
from sp_api.base import Marketplaces
from sp_api.base import exceptions as spx

from sellerops.amazon.source import (
    LISTED_ONLY_REPORTS,
    SELLER_PERFORMANCE,
    SETTLEMENT,
    AmazonSource,
    FetchedReport,
    InboundShipment,
    ReportFailed,
    ReportStatus,
    ReportTimedOut,
    SettlementRef,
    SourceError,
    max_span,
    utc,
)
from sellerops.amazon.pacing import LocalPacer, PacingPolicy, backoff_delay, throttle_delay
from sellerops.amazon.redact import install_redaction

log = logging.getLogger("sellerops.amazon.spapi")

DEFAULT_LWA_URL = "https://api.amazon.com/auth/o2/token"

# Fulfillment Inbound v0 ShipmentStatus values; getShipments needs a status list or a date range.
V0_SHIPMENT_STATUSES = (
    "WORKING", "READY_TO_SHIP", "SHIPPED", "IN_TRANSIT", "DELIVERED", "CHECKED_IN",
    "RECEIVING", "CLOSED", "CANCELLED", "DELETED", "ERROR",
)  # fmt: skip

# Settlements stay retrievable about 90 days; getReports refuses an older createdSince.
SETTLEMENT_RETENTION = dt.timedelta(days=90)

_TRANSIENT = (
    spx.SellingApiServerException,
    spx.SellingApiTemporarilyUnavailableException,
    spx.SellingApiGatewayTimeoutException,
)

install_redaction()


def lwa_client_class(url: str) -> type[AccessTokenClient]:
    """An `AccessTokenClient` that asks `url` (e.g. a test server's /auth/o2/token) for LWA tokens."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"LWA endpoint: expected an absolute URL like {DEFAULT_LWA_URL}, found {url!r}")
    attrs = {"scheme": f"{parts.scheme}://", "host": parts.netloc, "path": parts.path or "/auth/o2/token"}
    return type("SelleropsLwaClient", (AccessTokenClient,), attrs)


def resolve_marketplace(code_or_id: str) -> Marketplaces:
    """A marketplace by country code (`US`, `JP`, `UK`) or by Amazon marketplace id."""
    key = code_or_id.strip()
    if key.upper() in Marketplaces.__members__:
        return Marketplaces[key.upper()]
    if key.upper() == "GB":
        return Marketplaces.UK
    for m in Marketplaces:
        if m.marketplace_id == key:
            return m
    raise ValueError(f"unknown marketplace {code_or_id!r}: expected a country code like US or a marketplace id")


def _iso(value: dt.datetime) -> str:
    return utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class SpApiCredentials:
    """LWA credentials of one selling-partner authorisation. `repr` never shows the secrets."""

    refresh_token: str = field(repr=False)
    lwa_app_id: str
    lwa_client_secret: str = field(repr=False)


class SpApiSource(AmazonSource):
    """The Amazon source over the Selling Partner API for one seller account."""

    def __init__(
        self,
        account: str,
        credentials: SpApiCredentials,
        marketplaces: list[str],
        *,
        region: str | None = None,
        endpoint: str | None = None,
        lwa_endpoint: str | None = None,
        seller_id: str | None = None,
        policy: PacingPolicy | None = None,
        pacer: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 30.0,
    ) -> None:
        if not marketplaces:
            raise ValueError(f"account {account!r}: at least one marketplace is required")
        self.account = account
        self.marketplaces = [resolve_marketplace(m) for m in marketplaces]
        self.marketplace_ids = [m.marketplace_id for m in self.marketplaces]
        self.region = region or self.marketplaces[0].region
        self.endpoint = endpoint.rstrip("/") if endpoint else None
        self.seller_id = seller_id
        self.policy = policy or PacingPolicy.from_env()
        self._pacer = pacer or LocalPacer()
        self._sleep, self._clock, self._timeout = sleep, clock, timeout
        self._credentials = credentials
        self._auth_class = lwa_client_class(lwa_endpoint) if lwa_endpoint else AccessTokenClient
        self._clients: dict[str, Any] = {}
        self._http = httpx.Client(timeout=self.policy.download_timeout, follow_redirects=True)
        install_redaction((credentials.refresh_token, credentials.lwa_client_secret))

    def __repr__(self) -> str:
        return f"SpApiSource(account={self.account!r}, marketplaces={self.marketplace_ids!r}, endpoint={self.endpoint!r})"

    def close(self) -> None:
        self._http.close()
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self) -> "SpApiSource":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------------

    def _client(self, kind: str) -> Any:
        client = self._clients.get(kind)
        if client is None:
            kwargs: dict[str, Any] = dict(
                marketplace=self.marketplaces[0],
                refresh_token=self._credentials.refresh_token,
                credentials={
                    "refresh_token": self._credentials.refresh_token,
                    "lwa_app_id": self._credentials.lwa_app_id,
                    "lwa_client_secret": self._credentials.lwa_client_secret,
                },
                auth_token_client_class=self._auth_class,
                timeout=self._timeout,
            )
            if kind == "reports":
                client = Reports(**kwargs)
            elif kind == "inbound_v0":
                client = FulfillmentInbound(version="v0", **kwargs)
            elif kind == "inbound_2024":
                client = FulfillmentInbound(version="2024-03-20", **kwargs)
            elif kind == "listings":
                client = ListingsItems(version="2021-08-01", **kwargs)
            else:  # pragma: no cover - programming error
                raise KeyError(kind)
            if self.endpoint:
                client.endpoint = self.endpoint
            install_redaction()  # loggers of modules imported by the client
            self._clients[kind] = client
        return client

    def _call(self, operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One SP-API operation, paced, with 429 / 5xx / network retries. Raises SourceError at the end."""
        policy = self.policy
        last = ""
        for attempt in range(policy.max_attempts):
            self._pacer(operation)
            try:
                return fn(*args, **kwargs)
            except spx.SellingApiRequestThrottledException as exc:
                header = (exc.headers or {}).get("x-amzn-RateLimit-Limit")
                delay = throttle_delay(header, attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                last = f"throttled (429, x-amzn-RateLimit-Limit={header})"
            except _TRANSIENT as exc:
                delay = backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                last = f"HTTP {exc.code}: {getattr(exc, 'message', '') or exc.error}"
            except spx.SellingApiException as exc:
                if type(exc) is not spx.SellingApiException:  # 400/403/404/409/…: retrying will not help
                    raise SourceError(
                        f"SP-API {operation} refused (HTTP {exc.code}, {getattr(exc, 'amzn_code', '')}): "
                        f"{getattr(exc, 'message', '') or exc.error}"
                    ) from None
                # An unmapped status (502 and friends): treat as transient.
                delay = backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                last = f"server error: {getattr(exc, 'message', '') or exc.error}"
            except AuthorizationError as exc:
                raise SourceError(
                    f"account {self.account!r}: Login with Amazon refused the credentials "
                    f"(HTTP {exc.status_code}, {exc.error_code}): {exc.message}"
                ) from None
            except httpx.TransportError as exc:
                delay = backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                last = f"network error: {type(exc).__name__}: {exc}"
            except json.JSONDecodeError:
                # Login with Amazon answered with something other than JSON (an error page).
                delay = backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                last = "the token endpoint answered with a non-JSON body"
            if attempt + 1 < policy.max_attempts:
                log.info("SP-API %s: %s; retry %d/%d in %.2f s", operation, last, attempt + 1, policy.max_attempts - 1, delay)
                self._sleep(delay)
        raise SourceError(f"SP-API {operation} failed after {policy.max_attempts} attempts: {last}")

    def _download(self, url: str, what: str) -> httpx.Response:
        """GET a pre-signed document URL (no SP-API token), retrying transient faults."""
        policy = self.policy
        last = ""
        for attempt in range(policy.max_attempts):
            try:
                response = self._http.get(url)
                if response.status_code < 400:
                    return response
                last = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    break
            except httpx.TransportError as exc:
                last = f"network error: {type(exc).__name__}"
            if attempt + 1 < policy.max_attempts:
                delay = backoff_delay(attempt, base=policy.backoff_base, cap=policy.backoff_cap)
                log.info("download of %s: %s; retry in %.2f s", what, last, delay)
                self._sleep(delay)
        # The URL is pre-signed: it is a credential of sorts, so it stays out of the message.
        raise SourceError(f"download of {what} failed: {last}")

    # -- reports --------------------------------------------------------------------------------

    def request_report(
        self, report_type: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> str:
        """createReport for one window; returns Amazon's report id."""
        if report_type in LISTED_ONLY_REPORTS:
            raise ValueError(f"{report_type}: settlement reports are generated by Amazon; list them, never request them")
        body: dict[str, Any] = {"reportType": report_type, "marketplaceIds": list(self.marketplace_ids)}
        if start is not None and end is not None:
            if utc(end) - utc(start) > max_span(report_type):
                raise ValueError(
                    f"{report_type}: window {_iso(start)}..{_iso(end)} is longer than its maximum span "
                    f"{max_span(report_type).days} days; split it with split_window()"
                )
        if start is not None:
            body["dataStartTime"] = _iso(start)
        if end is not None:
            body["dataEndTime"] = _iso(end)
        response = self._call("createReport", self._client("reports").create_report, **body)
        report_id = (response.payload or {}).get("reportId")
        if not report_id:
            raise SourceError(f"createReport {report_type}: Amazon returned no reportId ({response.payload!r})")
        return str(report_id)

    def await_report(
        self,
        report_type: str,
        report_id: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> FetchedReport:
        """Poll getReport until DONE / CANCELLED / FATAL, then fetch the document (or the error)."""
        reports = self._client("reports")
        began = self._clock()
        while True:
            report = self._call("getReport", reports.get_report, report_id).payload or {}
            status = str(report.get("processingStatus", "")).upper()
            if status == ReportStatus.DONE.value:
                return self._fetch_document(
                    report_type, report_id, report.get("reportDocumentId"), start, end,
                    tuple(report.get("marketplaceIds") or self.marketplace_ids),
                )  # fmt: skip
            if status == ReportStatus.CANCELLED.value:
                log.info("report %s (%s) CANCELLED: Amazon has no data for this window", report_id, report_type)
                return FetchedReport(report_type, report_id, ReportStatus.CANCELLED, start=start, end=end)
            if status == ReportStatus.FATAL.value:
                raise ReportFailed(report_type, report_id, self._error_text(report.get("reportDocumentId")))
            waited = self._clock() - began
            log.debug("report %s (%s) %s after %.2f s", report_id, report_type, status or "UNKNOWN", waited)
            if waited >= self.policy.poll_timeout:
                raise ReportTimedOut(report_type, report_id, status or "UNKNOWN", waited)
            self._sleep(max(0.0, min(self.policy.poll_interval, self.policy.poll_timeout - waited)))

    def fetch_report(self, report_type: str, start: dt.datetime, end: dt.datetime) -> FetchedReport:
        report_id = self.request_report(report_type, start, end)
        return self.await_report(report_type, report_id, start, end)

    def _document(self, document_id: str) -> tuple[bytes, dict[str, Any]]:
        meta = self._call("getReportDocument", self._client("reports").get_report_document, document_id).payload or {}
        url = meta.get("url")
        if not url:
            raise SourceError(f"report document {document_id}: Amazon returned no URL")
        response = self._download(url, f"report document {document_id}")
        data = response.content
        compression = str(meta.get("compressionAlgorithm") or "").upper()
        if compression == "GZIP" or (not compression and data[:2] == b"\x1f\x8b"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:
                raise SourceError(f"report document {document_id}: GZIP document does not decompress: {exc}") from None
        meta = dict(meta, content_type=response.headers.get("content-type"))
        return data, meta

    def _fetch_document(self, report_type, report_id, document_id, start, end, marketplace_ids) -> FetchedReport:
        if not document_id:
            raise SourceError(f"report {report_id} ({report_type}) is DONE but carries no reportDocumentId")
        data, meta = self._document(document_id)
        return FetchedReport(
            report_type, report_id, ReportStatus.DONE, content=data, start=start, end=end,
            document_id=document_id, compression=meta.get("compressionAlgorithm"),
            content_type=meta.get("content_type"), marketplace_ids=marketplace_ids,
        )  # fmt: skip

    def _error_text(self, document_id: str | None) -> str:
        """The text of a FATAL report's error document (Amazon's JSON `errorDetails` when present)."""
        if not document_id:
            return "Amazon gave no error document"
        try:
            data, _ = self._document(document_id)
        except SourceError as exc:
            return f"the error document could not be fetched: {exc}"
        text = data.decode("utf-8", errors="replace").strip()
        try:
            parsed = json.loads(text)
        except ValueError:
            return text or "the error document is empty"
        if isinstance(parsed, dict) and parsed.get("errorDetails"):
            return str(parsed["errorDetails"])
        return text

    # -- settlements ----------------------------------------------------------------------------

    def list_settlements(self, since: dt.datetime) -> list[SettlementRef]:
        floor = dt.datetime.now(dt.timezone.utc) - SETTLEMENT_RETENTION + dt.timedelta(minutes=5)
        created_since = max(utc(since), floor)
        params: dict[str, Any] = {
            "reportTypes": SETTLEMENT,
            "processingStatuses": "DONE",
            "marketplaceIds": ",".join(self.marketplace_ids),
            "createdSince": _iso(created_since),
            "pageSize": 100,
        }
        refs: list[SettlementRef] = []
        for page in self._pages("getReports", self._client("reports").get_reports, params, "nextToken"):
            for r in (page.payload or {}).get("reports") or []:
                created = _parse_time(r.get("createdTime"))
                if created is not None and created < utc(since):
                    continue
                refs.append(
                    SettlementRef(
                        report_id=str(r["reportId"]),
                        document_id=r.get("reportDocumentId"),
                        created_time=created,
                        data_start=_parse_time(r.get("dataStartTime")),
                        data_end=_parse_time(r.get("dataEndTime")),
                        marketplace_ids=tuple(r.get("marketplaceIds") or ()),
                    )
                )
        epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        return sorted(refs, key=lambda ref: (ref.created_time or epoch, ref.report_id))

    def fetch_settlement(self, ref: SettlementRef) -> FetchedReport:
        document_id = ref.document_id
        if not document_id:  # listed before its document was attached: ask for the report itself
            document_id = (self._call("getReport", self._client("reports").get_report, ref.report_id).payload or {}).get(
                "reportDocumentId"
            )
        return self._fetch_document(SETTLEMENT, ref.report_id, document_id, ref.data_start, ref.data_end, ref.marketplace_ids)

    def _pages(self, operation: str, fn: Callable[..., Any], params: dict[str, Any], token_param: str) -> Iterator[Any]:
        """Every page of a paginated operation; the follow-up requests carry only the token."""
        response = self._call(operation, fn, **params)
        yield response
        seen: set[str] = set()
        while response.next_token and response.next_token not in seen:
            seen.add(response.next_token)
            response = self._call(operation, fn, **{token_param: response.next_token})
            yield response

    # -- inbound --------------------------------------------------------------------------------

    def inbound_shipments(self, statuses=None, updated_after=None, updated_before=None) -> list[InboundShipment]:
        client = self._client("inbound_v0")
        marketplace = self.marketplace_ids[0]
        if updated_after is not None:
            params: dict[str, Any] = {
                "QueryType": "DATE_RANGE",
                "LastUpdatedAfter": _iso(updated_after),
                "LastUpdatedBefore": _iso(updated_before or dt.datetime.now(dt.timezone.utc)),
                "MarketplaceId": marketplace,
            }
            if statuses:
                params["ShipmentStatusList"] = ",".join(statuses)
        else:
            params = {
                "QueryType": "SHIPMENT",
                "ShipmentStatusList": ",".join(statuses or V0_SHIPMENT_STATUSES),
                "MarketplaceId": marketplace,
            }
        shipments: list[InboundShipment] = []
        response = self._call("getShipments", client.get_shipments, **params)
        while True:
            payload = response.payload or {}
            for s in payload.get("ShipmentData") or []:
                shipments.append(
                    InboundShipment(
                        shipment_id=str(s.get("ShipmentId")),
                        status=s.get("ShipmentStatus"),
                        name=s.get("ShipmentName"),
                        destination=s.get("DestinationFulfillmentCenterId"),
                        api_version="v0",
                        raw=s,
                    )
                )
            token = payload.get("NextToken")
            if not token:
                return shipments
            response = self._call(
                "getShipments", client.get_shipments, QueryType="NEXT_TOKEN", NextToken=token, MarketplaceId=marketplace
            )

    def shipment_items(self, shipment_id: str) -> list[dict[str, Any]]:
        client = self._client("inbound_v0")
        marketplace = self.marketplace_ids[0]
        items: list[dict[str, Any]] = []
        response = self._call(
            "getShipmentItemsByShipmentId", client.shipment_items_by_shipment, shipment_id, MarketplaceId=marketplace
        )
        while True:
            payload = response.payload or {}
            items.extend(payload.get("ItemData") or [])
            token = payload.get("NextToken")
            if not token:
                return items
            response = self._call(
                "getShipmentItems", client.shipment_items, QueryType="NEXT_TOKEN", NextToken=token, MarketplaceId=marketplace
            )

    def inbound_plans(self, status: str | None = None) -> list[dict[str, Any]]:
        client = self._client("inbound_2024")
        params: dict[str, Any] = {"pageSize": 30}
        if status:
            params["status"] = status
        plans: list[dict[str, Any]] = []
        for page in self._pages("listInboundPlans", client.list_inbound_plans, params, "paginationToken"):
            plans.extend((page.payload or {}).get("inboundPlans") or [])
        return plans

    def plan_shipments(self, inbound_plan_id: str) -> list[InboundShipment]:
        # 2024-03-20 has no flat listShipments: the plan names its shipments, getShipment details each.
        client = self._client("inbound_2024")
        plan = self._call("getInboundPlan", client.get_inbound_plan, inbound_plan_id).payload or {}
        shipments: list[InboundShipment] = []
        for entry in plan.get("shipments") or []:
            shipment_id = entry.get("shipmentId")
            detail = self._call("getShipment", client.get_shipment, inbound_plan_id, shipment_id).payload or {}
            destination = (detail.get("destination") or {}).get("warehouseId")
            shipments.append(
                InboundShipment(
                    shipment_id=str(shipment_id),
                    status=detail.get("status") or entry.get("status"),
                    name=detail.get("name"),
                    destination=destination,
                    plan_id=inbound_plan_id,
                    api_version="2024-03-20",
                    raw=detail or entry,
                )
            )
        return shipments

    # -- account health and listings -------------------------------------------------------------

    def seller_performance(self) -> FetchedReport:
        report_id = self.request_report(SELLER_PERFORMANCE)
        return self.await_report(SELLER_PERFORMANCE, report_id)

    def listing_status(self, skus: list[str] | None = None) -> list[dict[str, Any]]:
        if not self.seller_id:
            raise SourceError(f"account {self.account!r}: listing status needs the seller id (SellerAccount.seller_id)")
        client = self._client("listings")
        common = {"marketplaceIds": ",".join(self.marketplace_ids), "includedData": "summaries,issues"}
        if skus is not None:
            return [
                self._call("getListingsItem", client.get_listings_item, self.seller_id, sku, **common).payload or {}
                for sku in skus
            ]
        items: list[dict[str, Any]] = []
        params = dict(common, pageSize=20)
        while True:
            response = self._call("searchListingsItems", client.search_listings_items, self.seller_id, **params)
            payload = response.payload or {}
            items.extend(payload.get("items") or [])
            token = (response.pagination or payload.get("pagination") or {}).get("nextToken")
            if not token:
                return items
            params = dict(common, pageSize=20, pageToken=token)
