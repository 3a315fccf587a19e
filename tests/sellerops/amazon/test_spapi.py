"""SpApiSource against the local SP-API server, through the real python-amazon-sp-api client."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging

import pytest
from tests import spapi_server

from sellerops.amazon.source import (
    ALL_ORDERS,
    FBA_RETURNS,
    REIMBURSEMENTS,
    SELLER_PERFORMANCE,
    SETTLEMENT,
    ReportFailed,
    ReportStatus,
    ReportTimedOut,
    SourceError,
)

UTC = dt.timezone.utc
JUNE_1 = dt.datetime(2026, 6, 1, tzinfo=UTC)
JUNE_10 = dt.datetime(2026, 6, 10, tzinfo=UTC)


def test_happy_path_creates_polls_and_downloads(make_source, fake):
    fake.polls_before_done = 2  # IN_QUEUE, IN_PROGRESS, then DONE
    report = make_source().fetch_report(ALL_ORDERS, JUNE_1, JUNE_10)

    assert report.status is ReportStatus.DONE
    assert report.read_bytes() == spapi_server.DEFAULT_DOCUMENT
    assert report.report_id and report.document_id
    assert (report.start, report.end) == (JUNE_1, JUNE_10)
    assert fake.count("createReport") == 1
    assert fake.count("getReport") == 3
    body = fake.params("createReport")[0]
    assert body["reportType"] == ALL_ORDERS
    assert body["marketplaceIds"] == ["ATVPDKIKX0DER"]
    assert body["dataStartTime"] == "2026-06-01T00:00:00Z" and body["dataEndTime"] == "2026-06-10T00:00:00Z"
    assert fake.token_requests <= 1  # the LWA token is fetched from our endpoint and cached


def test_gzip_document_is_decompressed_to_the_exact_bytes(make_source, fake):
    content = b"return-date\torder-id\tsku\n" + b"2026-06-02\t111-1\tSKU-\xe9\n" * 500
    fake.documents_by_type[FBA_RETURNS] = content
    fake.gzip_types.add(FBA_RETURNS)

    report = make_source().fetch_report(FBA_RETURNS, JUNE_1, JUNE_10)

    assert report.compression == "GZIP"
    stored = fake.documents[report.document_id]["bytes"]
    assert stored[:2] == b"\x1f\x8b" and gzip.decompress(stored) == content  # it really went over the wire gzipped
    assert report.read_bytes() == content  # latin-1 byte \xe9 untouched: ingestion decodes


def test_cp932_bytes_are_preserved_not_decoded(make_source, fake):
    content = "amazon-order-id\tproduct-name\n250-0000000-0000000\t日本語の商品名\n".encode("cp932")
    fake.documents_by_type[ALL_ORDERS] = content
    fake.gzip_types.add(ALL_ORDERS)  # Japanese documents arrive gzipped too

    report = make_source(marketplaces=["JP"]).fetch_report(ALL_ORDERS, JUNE_1, JUNE_10)

    assert isinstance(report.content, bytes)
    assert report.read_bytes() == content
    assert report.marketplace_ids == ("A1VC38T7YXB528",)


def test_cancelled_means_no_data_not_an_error(make_source, fake):
    fake.outcome_by_type[REIMBURSEMENTS] = "CANCELLED"

    report = make_source().fetch_report(REIMBURSEMENTS, JUNE_1, JUNE_10)

    assert report.status is ReportStatus.CANCELLED
    assert not report.has_data and report.content is None
    assert fake.count("getReportDocument") == 0


def test_fatal_fails_that_report_only_with_amazons_text(make_source, fake):
    fake.outcome_by_type[FBA_RETURNS] = "FATAL"
    fake.fatal_text[FBA_RETURNS] = "Report could not be generated: the seller is not enrolled in FBA."
    source = make_source()

    with pytest.raises(ReportFailed) as failed:
        source.fetch_report(FBA_RETURNS, JUNE_1, JUNE_10)
    assert failed.value.detail == "Report could not be generated: the seller is not enrolled in FBA."
    assert FBA_RETURNS in str(failed.value) and failed.value.report_id in str(failed.value)

    # The same source goes on serving the other report types.
    assert source.fetch_report(ALL_ORDERS, JUNE_1, JUNE_10).status is ReportStatus.DONE


def test_in_queue_past_the_limit_fails_with_a_clear_message(make_source, fake, fast_policy):
    fake.outcome_by_type[ALL_ORDERS] = "IN_QUEUE"

    with pytest.raises(ReportTimedOut) as timed_out:
        make_source().fetch_report(ALL_ORDERS, JUNE_1, JUNE_10)

    message = str(timed_out.value)
    assert "still IN_QUEUE" in message and timed_out.value.report_id in message
    assert "SELLEROPS_SPAPI_POLL_TIMEOUT" in message
    assert timed_out.value.waited >= fast_policy.poll_timeout
    assert fake.count("createReport") == 1  # polled, never re-requested


def test_throttled_request_backs_off_by_the_rate_limit_header_then_succeeds(make_source, fake):
    fake.throttle["createReport"] = 2
    fake.throttle["getReport"] = 1
    fake.rate_limit_header = "50"  # 1 / 50 s = 20 ms floor per retry
    waits: list[float] = []

    report = make_source(sleep=waits.append).fetch_report(ALL_ORDERS, JUNE_1, JUNE_10)

    assert report.status is ReportStatus.DONE
    assert fake.count("createReport") == 3  # two 429s, then accepted
    throttle_waits = waits[:2]
    assert all(w >= 1 / 50 for w in throttle_waits)  # never shorter than one token at the announced rate


def test_throttling_that_never_ends_gives_up_with_the_reason(make_source, fake, fast_policy):
    fake.throttle["createReport"] = 99

    with pytest.raises(SourceError, match=r"createReport failed after 4 attempts: throttled \(429"):
        make_source(sleep=lambda s: None).fetch_report(ALL_ORDERS, JUNE_1, JUNE_10)
    assert fake.count("createReport") == fast_policy.max_attempts


def test_server_errors_are_retried_with_backoff(make_source, fake):
    fake.fail["getReport"] = 2
    fake.fail["getReportDocument"] = 1
    waits: list[float] = []

    report = make_source(sleep=waits.append).fetch_report(ALL_ORDERS, JUNE_1, JUNE_10)

    assert report.status is ReportStatus.DONE
    assert fake.count("getReportDocument") == 2
    assert all(0 <= w <= 0.02 for w in waits)  # jittered, capped by the (test) policy


def test_client_errors_are_not_retried(make_source, fake):
    with pytest.raises(ValueError, match="list them, never request them"):
        make_source().request_report(SETTLEMENT)
    assert fake.count("createReport") == 0


def test_settlements_are_listed_never_requested(make_source, fake):
    now = dt.datetime.now(UTC)
    old = fake.add_settlement(b"settlement-id\n1\n", now - dt.timedelta(days=40))
    mid = fake.add_settlement(b"settlement-id\n2\n", now - dt.timedelta(days=20), gzip_it=True)
    new = fake.add_settlement(b"settlement-id\n3\n", now - dt.timedelta(days=6))
    source = make_source()

    refs = source.list_settlements(now - dt.timedelta(days=30))

    assert [r.report_id for r in refs] == [mid, new]  # oldest first, older than `since` left out
    assert fake.count("createReport") == 0
    assert fake.count("getReports") == 1
    assert fake.params("getReports")[0]["reportTypes"] == SETTLEMENT
    assert source.fetch_settlement(refs[0]).read_bytes() == b"settlement-id\n2\n"
    assert old not in [r.report_id for r in refs]


def test_settlement_listing_follows_next_token(make_source, fake):
    now = dt.datetime.now(UTC)
    ids = [fake.add_settlement(f"settlement-id\n{i}\n".encode(), now - dt.timedelta(days=i)) for i in range(1, 6)]

    refs = make_source().list_settlements(now - dt.timedelta(days=80))

    assert sorted(r.report_id for r in refs) == sorted(ids)
    assert fake.count("getReports") == 3  # pages of 2: 2 + 2 + 1
    assert set(fake.params("getReports")[1]) == {"nextToken"}  # a follow-up carries only the token


def test_orders_window_is_split_into_30_day_pieces(make_source, fake):
    start, end = dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 4, 1, tzinfo=UTC)  # 90 days

    reports = list(make_source().fetch_reports(ALL_ORDERS, start, end))

    windows = [(p["dataStartTime"], p["dataEndTime"]) for p in fake.params("createReport")]
    assert windows == [
        ("2026-01-01T00:00:00Z", "2026-01-31T00:00:00Z"),
        ("2026-01-31T00:00:00Z", "2026-03-02T00:00:00Z"),
        ("2026-03-02T00:00:00Z", "2026-04-01T00:00:00Z"),
    ]
    assert len(reports) == 3


def test_a_window_longer_than_the_maximum_span_is_refused(make_source, fake):
    with pytest.raises(ValueError, match="longer than its maximum span 30 days"):
        make_source().request_report(ALL_ORDERS, JUNE_1, JUNE_1 + dt.timedelta(days=31))


def test_seller_performance_report_is_json(make_source, fake):
    doc = {"performanceMetrics": [{"orderDefectRate": {"afn": {"rate": 0.002, "status": "GOOD"}}}]}
    fake.documents_by_type[SELLER_PERFORMANCE] = json.dumps(doc).encode()

    report = make_source().seller_performance()

    assert json.loads(report.read_bytes()) == doc
    assert "dataStartTime" not in fake.params("createReport")[0]


def test_inbound_shipments_v0_and_items(make_source, fake):
    fake.shipments_v0 = [
        {"ShipmentId": f"FBA{i}", "ShipmentName": f"s{i}", "ShipmentStatus": status, "DestinationFulfillmentCenterId": "PHX7"}
        for i, status in enumerate(["CLOSED", "RECEIVING", "CLOSED", "WORKING"])
    ]
    fake.items_v0["FBA0"] = [{"ShipmentId": "FBA0", "SellerSKU": "SKU-1", "QuantityShipped": 10, "QuantityReceived": 8}]
    source = make_source()

    closed = source.inbound_shipments(statuses=["CLOSED"])
    everything = source.inbound_shipments()
    items = source.shipment_items("FBA0")

    assert [s.shipment_id for s in closed] == ["FBA0", "FBA2"]
    assert len(everything) == 4  # two pages of two, followed by NextToken
    assert fake.params("getShipments")[-1]["QueryType"] == "NEXT_TOKEN"
    assert items[0]["QuantityShipped"] - items[0]["QuantityReceived"] == 2


def test_inbound_plans_2024_03_20_and_their_shipments(make_source, fake):
    fake.plans = [{"inboundPlanId": f"wf{i}", "status": "ACTIVE", "name": f"plan {i}"} for i in range(3)]
    fake.plan_shipments["wf1"] = [
        {"shipmentId": "sh1", "status": "READY_TO_SHIP", "name": "Box 1", "destination": {"warehouseId": "LGB8"}},
        {"shipmentId": "sh2", "status": "SHIPPED", "name": "Box 2", "destination": {"warehouseId": "ONT8"}},
    ]
    source = make_source()

    plans = source.inbound_plans()
    shipments = source.plan_shipments("wf1")

    assert [p["inboundPlanId"] for p in plans] == ["wf0", "wf1", "wf2"]
    assert [(s.shipment_id, s.status, s.destination, s.api_version) for s in shipments] == [
        ("sh1", "READY_TO_SHIP", "LGB8", "2024-03-20"),
        ("sh2", "SHIPPED", "ONT8", "2024-03-20"),
    ]


def test_listing_status(make_source, fake):
    fake.listings = {
        "SKU-1": {"sku": "SKU-1", "summaries": [{"status": ["BUYABLE"]}], "issues": []},
        "SKU-2": {"sku": "SKU-2", "summaries": [{"status": ["DISCOVERABLE"]}],
                  "issues": [{"code": "18027", "severity": "ERROR", "enforcements": {"actions": [{"action": "LISTING_SUPPRESSED"}]}}]},
        "SKU-3": {"sku": "SKU-3", "summaries": [], "issues": []},
    }  # fmt: skip
    source = make_source()

    one = source.listing_status(["SKU-2"])
    everything = source.listing_status()

    assert one[0]["issues"][0]["severity"] == "ERROR"
    assert [i["sku"] for i in everything] == ["SKU-1", "SKU-2", "SKU-3"]
    assert fake.params("getListingsItem")[0]["includedData"] == "summaries,issues"


def test_bad_credentials_fail_clearly_without_retrying(make_source, fake):
    from sellerops.amazon.spapi import SpApiCredentials

    bad = SpApiCredentials("Atzr|not-the-right-one", spapi_server.LWA_APP_ID, spapi_server.LWA_CLIENT_SECRET)
    with pytest.raises(SourceError, match="Login with Amazon refused the credentials"):
        make_source(credentials=bad).fetch_report(ALL_ORDERS, JUNE_1, JUNE_10)
    assert fake.count("createReport") == 0


def test_tokens_never_reach_the_logs(make_source, fake, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("sp_api", "sp_api.base.client", "sp_api.auth.access_token_client", "httpx"):
        caplog.set_level(logging.DEBUG, logger=name)
    fake.throttle["getReport"] = 1  # the retry path logs too
    source = make_source()

    source.fetch_report(ALL_ORDERS, JUNE_1, JUNE_10)
    source.inbound_shipments()

    messages = [r.getMessage() for r in caplog.records]
    header_lines = [m for m in messages if m.startswith("Request Headers")]
    assert header_lines, "sp_api logged no request headers: the redaction was not exercised"
    assert all("***REDACTED***" in m for m in header_lines)
    downloads = [m for m in messages if "X-Amz-" in m and m.startswith("HTTP Request")]
    assert downloads and all("X-Amz-Signature=***REDACTED***" in m for m in downloads)
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + repr(record.__dict__)
        for secret in (spapi_server.ACCESS_TOKEN, spapi_server.REFRESH_TOKEN, spapi_server.LWA_CLIENT_SECRET,
                       spapi_server.PRESIGNED_QUERY_SECRET):  # fmt: skip
            assert secret not in text, f"{secret[:6]}… leaked via {record.name}: {record.getMessage()[:120]}"
    assert spapi_server.ACCESS_TOKEN not in caplog.text
    assert spapi_server.REFRESH_TOKEN not in caplog.text
    assert "Atza|" not in repr(source) and "Atzr|" not in repr(source.client.credentials)


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("where", ["unresolvable host", "closed port"])
@pytest.mark.parametrize("what", ["SP-API", "Login with Amazon"])
def test_an_unreachable_host_fails_at_once_naming_it(make_source, fake, where, what):
    import uuid

    from sellerops.amazon.source import SourceUnreachable
    from sellerops.amazon.spapi import SpApiCredentials

    dead = "http://sellerops-test.invalid" if where == "unresolvable host" else f"http://127.0.0.1:{_closed_port()}"
    paced: list[str] = []
    waits: list[float] = []
    overrides = dict(pacer=paced.append, sleep=waits.append)
    if what == "SP-API":
        overrides["endpoint"] = dead
    else:
        overrides["lwa_endpoint"] = f"{dead}/auth/o2/token"
        # a refresh token the library has never cached an access token for, so Login with Amazon is asked
        overrides["credentials"] = SpApiCredentials(f"Atzr|{uuid.uuid4()}", spapi_server.LWA_APP_ID, "s3cret-x")

    with pytest.raises(SourceUnreachable) as unreachable:
        make_source(**overrides).request_report(ALL_ORDERS, JUNE_1, JUNE_10)

    assert dead in str(unreachable.value)  # the error names what it could not use
    assert paced == ["createReport"] and waits == []  # one attempt, no backoff: waiting cannot help
    assert fake.count("createReport") == 0


def test_a_dropped_connection_is_still_retried_with_backoff(make_source, fake, fast_policy):
    import httpx

    calls: list[int] = []

    def flaky(**body):
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ReadError("connection reset by peer")
        return source.client.api("reports").create_report(**body)

    waits: list[float] = []
    source = make_source(sleep=waits.append)
    response = source.client.call("createReport", flaky, reportType=ALL_ORDERS, marketplaceIds=["ATVPDKIKX0DER"])

    assert response.payload["reportId"] and len(calls) == 2 and len(waits) == 1  # the server was reached: retry


def test_refused_token_request_that_echoes_the_secrets_leaves_none_in_the_error(make_source, fake, caplog):
    import uuid

    from sellerops.amazon.spapi import SpApiCredentials

    caplog.set_level(logging.DEBUG)
    fake.echo_token_errors = True
    refresh, secret = f"Atzr|{uuid.uuid4()}", f"client-secret-{uuid.uuid4()}"

    with pytest.raises(SourceError) as refused:
        make_source(credentials=SpApiCredentials(refresh, spapi_server.LWA_APP_ID, secret)).request_report(
            ALL_ORDERS, JUNE_1, JUNE_10
        )

    text = str(refused.value)
    assert "Login with Amazon refused the credentials" in text and "/auth/o2/token" in text
    assert fake.token_requests == 1  # the echo really was served
    for leaked in (refresh, secret, refresh.replace("|", "%7C")):
        assert leaked not in text and leaked not in caplog.text
    assert refused.value.__context__ is None and refused.value.__cause__ is None  # no chained library error
