"""A local Selling Partner API for tests: the real wire formats, behaviour steered from Python.

It speaks Login with Amazon (`POST /auth/o2/token`), Reports 2021-06-30 (createReport, getReport,
getReports, getReportDocument, with the document itself served at `/documents/<id>` like a pre-signed
URL, gzip-compressed when the document says GZIP), Fulfillment Inbound v0 (getShipments,
getShipmentItemsByShipmentId, getShipmentItems) and 2024-03-20 (listInboundPlans, getInboundPlan,
getShipment) and Listings Items 2021-08-01. Tests steer it through `app.state.fake` (a `FakeSpApi`):
throttle an operation N times (429 with `x-amzn-RateLimit-Limit`), fail it with 5xx N times, leave a
report type IN_QUEUE forever, end it CANCELLED or FATAL (with an error document), serve gzip or cp932
bytes, make Login with Amazon echo the request it refused (`echo_token_errors`, as a careless token
endpoint would). Every call is recorded in `fake.calls` so tests can count requests. The pytest
fixtures at the end serve it on a loopback port once a session; test modules import them by name.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import threading
from urllib.parse import parse_qs
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

ACCESS_TOKEN = "Atza|IwEBIfake-access-token-do-not-log-0123456789"
REFRESH_TOKEN = "Atzr|IwEBIfake-refresh-token-do-not-log-9876543210"
LWA_APP_ID = "amzn1.application-oa2-client.fake"
LWA_CLIENT_SECRET = "fake-client-secret-do-not-log"
# What a pre-signed S3 URL carries: an AWS session token and a signature, secrets too.
PRESIGNED_QUERY_SECRET = "FwoGZXIvYXdzEfakeSessionToken"
PRESIGNED_QUERY = (
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAFAKE%2F20261124%2Fus-east-1%2Fs3%2Faws4_request"
    f"&X-Amz-Security-Token={PRESIGNED_QUERY_SECRET}&X-Amz-Signature=0f1e2d3c4b5a"
)
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"

DEFAULT_DOCUMENT = (
    b"amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tsku\tquantity\n"
    b"111-0000001-0000001\t\t2026-06-01T10:00:00+00:00\t2026-06-01T10:00:00+00:00\tShipped\tSKU-1\t1\n"
)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"code": code, "message": message}]}, status_code=status, headers=headers)


@dataclass
class FakeSpApi:
    """The server's state and the knobs tests turn. `reset()` between tests."""

    base_url: str = ""
    rate_limit_header: str = "100.0"
    polls_before_done: int = 1
    page_size_cap: int = 2
    documents_by_type: dict[str, bytes] = field(default_factory=dict)
    outcome_by_type: dict[str, str] = field(default_factory=dict)  # DONE | CANCELLED | FATAL | IN_QUEUE
    fatal_text: dict[str, str] = field(default_factory=dict)
    gzip_types: set[str] = field(default_factory=set)
    throttle: dict[str, int] = field(default_factory=dict)  # operation -> 429s still to send
    fail: dict[str, int] = field(default_factory=dict)  # operation -> 500s still to send
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    shipments_v0: list[dict[str, Any]] = field(default_factory=list)
    items_v0: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    plans: list[dict[str, Any]] = field(default_factory=list)
    plan_shipments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    packing_options: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # plan id -> options
    placement_options: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # plan id -> options
    transportation_options: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # shipment id -> options
    listings: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    token_requests: int = 0
    echo_token_errors: bool = False  # a refused token request answers with the request body it got
    _ids: Any = field(default_factory=lambda: itertools.count(50000))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        base = self.base_url
        self.__init__()  # type: ignore[misc]
        self.base_url = base

    # -- helpers for tests ----------------------------------------------------------------------

    def count(self, operation: str) -> int:
        return sum(1 for op, _ in self.calls if op == operation)

    def params(self, operation: str) -> list[dict[str, Any]]:
        return [p for op, p in self.calls if op == operation]

    def add_document(self, content: bytes, *, gzip_it: bool = False) -> str:
        doc_id = f"amzn1.spdoc.1.4.na.{next(self._ids)}"
        stored = gzip.compress(content) if gzip_it else content
        self.documents[doc_id] = {"bytes": stored, "gzip": gzip_it}
        return doc_id

    def add_settlement(self, content: bytes, created: dt.datetime, *, gzip_it: bool = False) -> str:
        """A settlement report Amazon generated by itself (DONE, listed by getReports)."""
        report_id = str(next(self._ids))
        self.reports[report_id] = {
            "reportId": report_id,
            "reportType": SETTLEMENT,
            "processingStatus": "DONE",
            "reportDocumentId": self.add_document(content, gzip_it=gzip_it),
            "createdTime": _iso(created),
            "dataStartTime": _iso(created - dt.timedelta(days=14)),
            "dataEndTime": _iso(created),
            "marketplaceIds": ["ATVPDKIKX0DER"],
            "_terminal": "DONE",
            "_polls": 0,
        }
        return report_id

    # -- behaviour ------------------------------------------------------------------------------

    def gate(self, operation: str, params: dict[str, Any]) -> JSONResponse | None:
        """Record the call; answer 429 or 500 when told to."""
        with self._lock:
            self.calls.append((operation, params))
            if self.throttle.get(operation, 0) > 0:
                self.throttle[operation] -= 1
                return _error(
                    429, "QuotaExceeded", "You exceeded your quota for the requested resource.",
                    {"x-amzn-RateLimit-Limit": self.rate_limit_header},
                )  # fmt: skip
            if self.fail.get(operation, 0) > 0:
                self.fail[operation] -= 1
                return _error(500, "InternalFailure", "We encountered an internal error. Please try again.")
        return None

    def create_report(self, body: dict[str, Any]) -> dict[str, Any]:
        report_type = body["reportType"]
        report_id = str(next(self._ids))
        outcome = self.outcome_by_type.get(report_type, "DONE")
        report: dict[str, Any] = {
            "reportId": report_id,
            "reportType": report_type,
            "processingStatus": "IN_QUEUE",
            "createdTime": _iso(dt.datetime.now(dt.timezone.utc)),
            "marketplaceIds": body.get("marketplaceIds") or [],
            "_terminal": outcome,
            "_polls": 0,
        }
        for key in ("dataStartTime", "dataEndTime"):
            if body.get(key):
                report[key] = body[key]
        if outcome == "DONE":
            content = self.documents_by_type.get(report_type, DEFAULT_DOCUMENT)
            report["_document"] = self.add_document(content, gzip_it=report_type in self.gzip_types)
        elif outcome == "FATAL":
            text = self.fatal_text.get(report_type, "The report could not be generated.")
            report["_document"] = self.add_document(json.dumps({"errorDetails": text}).encode())
        self.reports[report_id] = report
        return {"reportId": report_id}

    def poll(self, report_id: str) -> dict[str, Any] | None:
        report = self.reports.get(report_id)
        if report is None:
            return None
        report["_polls"] += 1
        terminal = report["_terminal"]
        if report["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS") and terminal != "IN_QUEUE":
            if report["_polls"] > self.polls_before_done:
                report["processingStatus"] = terminal
                if report.get("_document"):
                    report["reportDocumentId"] = report["_document"]
                report["processingEndTime"] = _iso(dt.datetime.now(dt.timezone.utc))
            elif report["_polls"] > 1:
                report["processingStatus"] = "IN_PROGRESS"
        return {k: v for k, v in report.items() if not k.startswith("_")}


def create_app(fake: FakeSpApi | None = None) -> FastAPI:
    fake = fake or FakeSpApi()
    app = FastAPI(title="fake SP-API")
    app.state.fake = fake

    def authorised(request: Request) -> JSONResponse | None:
        if request.headers.get("x-amz-access-token") != ACCESS_TOKEN:
            return _error(403, "Unauthorized", "Access to requested resource is denied.")
        return None

    def ok(body: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers={"x-amzn-RateLimit-Limit": fake.rate_limit_header})

    @app.post("/auth/o2/token")
    async def token(request: Request) -> JSONResponse:
        raw = (await request.body()).decode()
        form = {k: v[0] for k, v in parse_qs(raw).items()}
        fake.token_requests += 1
        if fake.echo_token_errors:
            # The request echoed back twice: as sent (URL-encoded) and decoded.
            return JSONResponse({"error": "invalid_client", "error_description": f"cannot use {raw} ({form})"},
                                status_code=401)  # fmt: skip
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != REFRESH_TOKEN
            or form.get("client_id") != LWA_APP_ID
            or form.get("client_secret") != LWA_CLIENT_SECRET
        ):
            return JSONResponse({"error": "invalid_grant", "error_description": "bad credentials"}, status_code=400)
        return JSONResponse(
            {"access_token": ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN, "token_type": "bearer", "expires_in": 3600}
        )

    @app.post("/reports/2021-06-30/reports")
    async def create_report(request: Request) -> JSONResponse:
        body = await request.json()
        if (denied := authorised(request)) or (denied := fake.gate("createReport", body)):
            return denied
        if body.get("reportType") == SETTLEMENT:
            return _error(400, "InvalidInput", "Report type GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 cannot be requested.")
        return ok(fake.create_report(body), 202)

    @app.get("/reports/2021-06-30/reports/{report_id}")
    async def get_report(report_id: str, request: Request) -> JSONResponse:
        if (denied := authorised(request)) or (denied := fake.gate("getReport", {"reportId": report_id})):
            return denied
        report = fake.poll(report_id)
        if report is None:
            return _error(404, "NotFound", f"Report {report_id} not found")
        return ok(report)

    @app.get("/reports/2021-06-30/reports")
    async def get_reports(request: Request) -> JSONResponse:
        params = dict(request.query_params)
        if (denied := authorised(request)) or (denied := fake.gate("getReports", params)):
            return denied
        if "nextToken" in params:
            offset = int(params["nextToken"].split(":", 1)[1])
            types = params["nextToken"].split(":", 1)[0].split("|")
            since = None
        else:
            if not params.get("reportTypes"):
                return _error(400, "InvalidInput", "reportTypes or nextToken is required")
            offset, types = 0, params["reportTypes"].split(",")
            since = dt.datetime.fromisoformat(params["createdSince"].replace("Z", "+00:00")) if params.get("createdSince") else None
        matching = [
            {k: v for k, v in r.items() if not k.startswith("_")}
            for r in sorted(fake.reports.values(), key=lambda r: r["createdTime"], reverse=True)
            if r["reportType"] in types
            and (since is None or dt.datetime.fromisoformat(r["createdTime"]) >= since)
            and r["processingStatus"] == "DONE"
        ]
        page = matching[offset : offset + fake.page_size_cap]
        body: dict[str, Any] = {"reports": page}
        if offset + fake.page_size_cap < len(matching):
            body["nextToken"] = f"{'|'.join(types)}:{offset + fake.page_size_cap}"
        return ok(body)

    @app.get("/reports/2021-06-30/documents/{document_id}")
    async def get_report_document(document_id: str, request: Request) -> JSONResponse:
        if (denied := authorised(request)) or (denied := fake.gate("getReportDocument", {"reportDocumentId": document_id})):
            return denied
        doc = fake.documents.get(document_id)
        if doc is None:
            return _error(404, "NotFound", f"Document {document_id} not found")
        body = {"reportDocumentId": document_id, "url": f"{fake.base_url}/documents/{document_id}?{PRESIGNED_QUERY}"}
        if doc["gzip"]:
            body["compressionAlgorithm"] = "GZIP"
        return ok(body)

    @app.get("/documents/{document_id}")
    async def download(document_id: str) -> Response:
        # The pre-signed S3 URL: no SP-API token, raw bytes as stored.
        doc = fake.documents.get(document_id)
        if doc is None:
            return Response(b"<Error><Code>NoSuchKey</Code></Error>", status_code=404)
        fake.calls.append(("download", {"reportDocumentId": document_id}))
        return Response(doc["bytes"], media_type="application/octet-stream")

    @app.get("/fba/inbound/v0/shipments")
    async def get_shipments(request: Request) -> JSONResponse:
        params = dict(request.query_params)
        if (denied := authorised(request)) or (denied := fake.gate("getShipments", params)):
            return denied
        if params.get("QueryType") == "NEXT_TOKEN":
            offset = int(params["NextToken"])
            statuses = None
        else:
            offset = 0
            statuses = set(params.get("ShipmentStatusList", "").split(",")) - {""} or None
        matching = [s for s in fake.shipments_v0 if statuses is None or s["ShipmentStatus"] in statuses]
        page = matching[offset : offset + fake.page_size_cap]
        payload: dict[str, Any] = {"ShipmentData": page}
        if offset + fake.page_size_cap < len(matching):
            payload["NextToken"] = str(offset + fake.page_size_cap)
        return ok({"payload": payload})

    @app.get("/fba/inbound/v0/shipments/{shipment_id}/items")
    async def get_shipment_items(shipment_id: str, request: Request) -> JSONResponse:
        params = dict(request.query_params)
        if (denied := authorised(request)) or (denied := fake.gate("getShipmentItemsByShipmentId", params)):
            return denied
        return ok({"payload": {"ItemData": fake.items_v0.get(shipment_id, [])}})

    @app.get("/inbound/fba/2024-03-20/inboundPlans")
    async def list_inbound_plans(request: Request) -> JSONResponse:
        params = dict(request.query_params)
        if (denied := authorised(request)) or (denied := fake.gate("listInboundPlans", params)):
            return denied
        offset = int(params.get("paginationToken", 0))
        matching = [p for p in fake.plans if not params.get("status") or p["status"] == params["status"]]
        body: dict[str, Any] = {"inboundPlans": matching[offset : offset + fake.page_size_cap]}
        if offset + fake.page_size_cap < len(matching):
            body["pagination"] = {"nextToken": str(offset + fake.page_size_cap)}
        return ok(body)

    @app.get("/inbound/fba/2024-03-20/inboundPlans/{plan_id}")
    async def get_inbound_plan(plan_id: str, request: Request) -> JSONResponse:
        if (denied := authorised(request)) or (denied := fake.gate("getInboundPlan", {"inboundPlanId": plan_id})):
            return denied
        plan = next((p for p in fake.plans if p["inboundPlanId"] == plan_id), None)
        if plan is None:
            return _error(404, "NotFound", f"Inbound plan {plan_id} not found")
        shipments = [{"shipmentId": s["shipmentId"], "status": s["status"]} for s in fake.plan_shipments.get(plan_id, [])]
        return ok(dict(plan, shipments=shipments))

    def option_page(operation: str, key: str, rows: list[dict[str, Any]], request: Request, **gate) -> JSONResponse:
        params = dict(request.query_params)
        if (denied := authorised(request)) or (denied := fake.gate(operation, {**params, **gate})):
            return denied
        offset = int(params.get("paginationToken", 0))
        body: dict[str, Any] = {key: rows[offset : offset + fake.page_size_cap]}
        if offset + fake.page_size_cap < len(rows):
            body["pagination"] = {"nextToken": str(offset + fake.page_size_cap)}
        return ok(body)

    @app.get("/inbound/fba/2024-03-20/inboundPlans/{plan_id}/packingOptions")
    async def list_packing_options(plan_id: str, request: Request) -> JSONResponse:
        return option_page("listPackingOptions", "packingOptions", fake.packing_options.get(plan_id, []), request,
                           inboundPlanId=plan_id)

    @app.get("/inbound/fba/2024-03-20/inboundPlans/{plan_id}/placementOptions")
    async def list_placement_options(plan_id: str, request: Request) -> JSONResponse:
        return option_page("listPlacementOptions", "placementOptions", fake.placement_options.get(plan_id, []),
                           request, inboundPlanId=plan_id)

    @app.get("/inbound/fba/2024-03-20/inboundPlans/{plan_id}/transportationOptions")
    async def list_transportation_options(plan_id: str, request: Request) -> JSONResponse:
        shipment = request.query_params.get("shipmentId", "")
        return option_page("listTransportationOptions", "transportationOptions",
                           fake.transportation_options.get(shipment, []), request, inboundPlanId=plan_id)

    @app.get("/inbound/fba/2024-03-20/inboundPlans/{plan_id}/shipments/{shipment_id}")
    async def get_shipment(plan_id: str, shipment_id: str, request: Request) -> JSONResponse:
        if (denied := authorised(request)) or (denied := fake.gate("getShipment", {"shipmentId": shipment_id})):
            return denied
        for s in fake.plan_shipments.get(plan_id, []):
            if s["shipmentId"] == shipment_id:
                return ok(s)
        return _error(404, "NotFound", f"Shipment {shipment_id} not found")

    @app.get("/listings/2021-08-01/items/{seller_id}/{sku}")
    async def get_listings_item(seller_id: str, sku: str, request: Request) -> JSONResponse:
        if (denied := authorised(request)) or (denied := fake.gate("getListingsItem", dict(request.query_params))):
            return denied
        if sku not in fake.listings:
            return _error(404, "NotFound", f"SKU {sku} not found")
        return ok(fake.listings[sku])

    @app.get("/listings/2021-08-01/items/{seller_id}")
    async def search_listings_items(seller_id: str, request: Request) -> JSONResponse:
        params = dict(request.query_params)
        if (denied := authorised(request)) or (denied := fake.gate("searchListingsItems", params)):
            return denied
        items = list(fake.listings.values())
        offset = int(params.get("pageToken", 0))
        body: dict[str, Any] = {"numberOfResults": len(items), "items": items[offset : offset + fake.page_size_cap]}
        if offset + fake.page_size_cap < len(items):
            body["pagination"] = {"nextToken": str(offset + fake.page_size_cap)}
        return ok(body)

    return app


# -- pytest fixtures --------------------------------------------------------------------------------

import pytest  # noqa: E402  (only the fixtures need it)


@pytest.fixture(scope="session")
def spapi_http():
    """The fake SP-API served by uvicorn on a free loopback port, in a thread, for the whole session."""
    import socket
    import time

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app()
    app.state.fake.base_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake SP-API server did not start within 10 s")
        time.sleep(0.01)
    yield app.state.fake
    server.should_exit = True
    thread.join(timeout=5)
    sock.close()


@pytest.fixture
def fake(spapi_http):
    """The server's state, reset for this test."""
    spapi_http.reset()
    yield spapi_http
    spapi_http.reset()


@pytest.fixture
def fast_policy():
    from sellerops.amazon.pacing import PacingPolicy

    # Tiny waits: a test never sleeps more than a few hundredths of a second at a time.
    return PacingPolicy(max_attempts=4, backoff_base=0.005, backoff_cap=0.02, poll_interval=0.01, poll_timeout=0.3)


@pytest.fixture
def make_source(fake, fast_policy):
    """Build an SpApiSource aimed at the fake server (endpoint + LWA endpoint hooks only), with the log
    redaction installed as the edges that start a pull install it."""
    from sellerops.amazon.redact import install_redaction
    from sellerops.amazon.spapi import SpApiCredentials, SpApiSource

    made = []

    def _make(**overrides):
        kwargs = dict(
            account="acme-us",
            credentials=SpApiCredentials(refresh_token=REFRESH_TOKEN, lwa_app_id=LWA_APP_ID,
                                         lwa_client_secret=LWA_CLIENT_SECRET),
            marketplaces=["US"],
            endpoint=fake.base_url,
            lwa_endpoint=f"{fake.base_url}/auth/o2/token",
            seller_id="A1SELLER",
            policy=fast_policy,
            pacer=lambda operation: None,
        )  # fmt: skip
        kwargs.update(overrides)
        source = SpApiSource(**kwargs)
        install_redaction(source.secrets())
        made.append(source)
        return source

    yield _make
    for source in made:
        source.close()
