"""The `sellerops-pull` flow, run under Prefect against the local SP-API server, into ingestion."""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from tests import spapi_server
from tests.spapi_server import fake, spapi_http  # noqa: F401  (fixtures)

from sellerops.amazon.source import (ALL_ORDERS, FBA_RETURNS, REIMBURSEMENTS, SELLER_PERFORMANCE, SELLER_RETURNS,
                                     SETTLEMENT)
from sellerops.core.report_types import ACTIONABLE_ORDERS, FULFILLED_SHIPMENTS

UTC = dt.timezone.utc

SETTLEMENT_COLUMNS = (
    "settlement-id settlement-start-date settlement-end-date deposit-date total-amount currency transaction-type "
    "order-id merchant-order-id adjustment-id shipment-id marketplace-name amount-type amount-description amount "
    "fulfillment-id posted-date posted-date-time order-item-code merchant-order-item-id merchant-adjustment-item-id "
    "sku quantity-purchased"
).split()
ORDER_COLUMNS = (
    "amazon-order-id merchant-order-id purchase-date last-updated-date order-status fulfillment-channel sales-channel "
    "order-channel ship-service-level product-name sku asin item-status quantity currency item-price item-tax "
    "shipping-price shipping-tax gift-wrap-price gift-wrap-tax item-promotion-discount ship-promotion-discount "
    "ship-city ship-state ship-postal-code ship-country promotion-ids is-business-order purchase-order-number "
    "price-designation"
).split()


def _tsv(columns: list[str], rows: list[dict[str, str]]) -> bytes:
    lines = ["\t".join(columns)] + ["\t".join(r.get(c, "") for c in columns) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def settlement_document(settlement_id: str) -> bytes:
    summary = {"settlement-id": settlement_id, "settlement-start-date": "2026-10-01 00:00:00 UTC",
               "settlement-end-date": "2026-10-15 00:00:00 UTC", "deposit-date": "2026-10-17 00:00:00 UTC",
               "total-amount": "17.00", "currency": "USD"}  # fmt: skip
    line = {"settlement-id": settlement_id, "transaction-type": "Order", "order-id": "111-0000001-0000001",
            "marketplace-name": "Amazon.com", "fulfillment-id": "AFN", "posted-date": "2026-10-02",
            "posted-date-time": "2026-10-02 10:00:00 UTC", "sku": "SKU-1", "quantity-purchased": "1"}  # fmt: skip
    return _tsv(SETTLEMENT_COLUMNS, [
        summary,
        dict(line, **{"amount-type": "ItemPrice", "amount-description": "Principal", "amount": "20.00"}),
        dict(line, **{"amount-type": "ItemFees", "amount-description": "Commission", "amount": "-3.00"}),
    ])  # fmt: skip


ORDERS_DOCUMENT = _tsv(ORDER_COLUMNS, [{
    "amazon-order-id": "111-0000001-0000001", "purchase-date": "2026-10-02T10:00:00+00:00",
    "last-updated-date": "2026-10-03T10:00:00+00:00", "order-status": "Shipped", "fulfillment-channel": "Amazon",
    "sales-channel": "Amazon.com", "sku": "SKU-1", "asin": "B000000001", "item-status": "Shipped", "quantity": "1",
    "currency": "USD", "item-price": "20.00", "ship-country": "US", "is-business-order": "false",
}])  # fmt: skip

# Amazon's seller performance report, its metrics reported up to a day long gone: the report's time
# must be the pull's clock (its observed_at), not that day. Numbers as Amazon writes them.
PERFORMANCE_DOCUMENT = b"""{"performanceMetrics": [{"marketplaceId": "ATVPDKIKX0DER",
  "orderDefectRate": {"afn": {"reportingDateRange": {"reportingDateFrom": "2026-01-01T00:00Z",
      "reportingDateTo": "2026-02-01T23:59Z"}, "status": "BAD", "rate": 0.0115, "targetValue": 0.01}},
  "lateShipmentRate": {"reportingDateRange": {"reportingDateFrom": "2026-01-01T00:00Z",
      "reportingDateTo": "2026-02-01T23:59Z"}, "status": "GOOD", "rate": 0.03203973037}}]}"""

EMAIL = "4tq8x2mvkpy3zqw@marketplace.amazon.com"
ACTIONABLE_COLUMNS = (
    "order-id order-item-id purchase-date payments-date reporting-date promise-date days-past-promise buyer-email "
    "buyer-name buyer-phone-number sku product-name quantity-purchased quantity-shipped quantity-to-ship "
    "ship-service-level recipient-name ship-address-1 ship-address-2 ship-address-3 ship-city ship-state "
    "ship-postal-code ship-country is-business-order purchase-order-number price-designation"
).split()
ACTIONABLE_DOCUMENT = _tsv(ACTIONABLE_COLUMNS, [{
    "order-id": "111-0000001-0000001", "order-item-id": "12345678901234",
    "purchase-date": "2026-06-01T09:30:00+00:00", "payments-date": "2026-06-01T09:35:00+00:00",
    "reporting-date": "2026-06-01T10:00:00+00:00", "promise-date": "2026-06-04T07:00:00+00:00",
    "days-past-promise": "0", "buyer-email": EMAIL, "buyer-name": "Jo Smith", "buyer-phone-number": "+1 206 555 0100",
    "sku": "MUG-BLUE", "product-name": "Mug", "quantity-purchased": "1", "quantity-shipped": "0",
    "quantity-to-ship": "1", "ship-service-level": "Standard", "recipient-name": "Jo Smith",
    "ship-address-1": "1 Main St", "ship-city": "SEATTLE", "ship-state": "WA", "ship-postal-code": "98101",
    "ship-country": "US", "is-business-order": "false",
}])  # fmt: skip


@pytest.fixture(scope="session")
def spapi_rate_limits(prefect_harness):
    """Generous global limits so the tests are not paced at Amazon's one report a minute; the pull
    finds them and must not overwrite them."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists

    from sellerops.amazon.pacing import RATES, limit_name

    with get_client(sync_client=True) as client:
        for operation in RATES:
            if operation != "getListingsItem":  # left for the "created when missing" test
                try:
                    client.create_global_concurrency_limit(
                        GlobalConcurrencyLimitCreate(name=limit_name(operation), limit=1000, slot_decay_per_second=1000)
                    )
                except ObjectAlreadyExists:
                    pass


@pytest.fixture
def pull_env(spapi_rate_limits, fake, tmp_path, monkeypatch):
    """A fresh SELLEROPS_HOME and database, the account in the environment (no saved block)."""
    monkeypatch.setenv("SELLEROPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SELLEROPS_DATABASE_URL", f"sqlite:///{tmp_path / 'sellerops.db'}")
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", spapi_server.REFRESH_TOKEN)
    monkeypatch.setenv("LWA_APP_ID", spapi_server.LWA_APP_ID)
    monkeypatch.setenv("LWA_CLIENT_SECRET", spapi_server.LWA_CLIENT_SECRET)
    monkeypatch.setenv("SELLEROPS_SPAPI_ENDPOINT", fake.base_url)
    monkeypatch.setenv("SELLEROPS_LWA_ENDPOINT", f"{fake.base_url}/auth/o2/token")
    for name, value in {"POLL_INTERVAL": "0.01", "POLL_TIMEOUT": "5", "BACKOFF_BASE": "0.005",
                        "BACKOFF_CAP": "0.02", "MAX_ATTEMPTS": "3"}.items():  # fmt: skip
        monkeypatch.setenv(f"SELLEROPS_SPAPI_{name}", value)

    fake.documents_by_type[ALL_ORDERS] = ORDERS_DOCUMENT
    fake.documents_by_type[SELLER_PERFORMANCE] = PERFORMANCE_DOCUMENT
    for report_type in (FBA_RETURNS, SELLER_RETURNS, REIMBURSEMENTS, ACTIONABLE_ORDERS, FULFILLED_SHIPMENTS):
        fake.outcome_by_type[report_type] = "CANCELLED"
    return tmp_path / "home" / "inbox" / "spapi" / "default"


def _since(days: int) -> dt.date:
    return (dt.datetime.now(UTC) - dt.timedelta(days=days)).date()


def test_flow_name_and_signature():
    import inspect

    from flows.pull import pull

    assert pull.name == "sellerops-pull"
    assert list(inspect.signature(pull.fn).parameters) == ["account", "since", "reports"]


def test_pull_fetches_new_documents_ingests_them_and_never_refetches(pull_env, fake, monkeypatch):
    import time

    from flows.pull import pull

    monkeypatch.setenv("SELLEROPS_SPAPI_RATE_LIMITS", "local")  # the global limits have their own test
    settlement_id = fake.add_settlement(settlement_document("9001"), dt.datetime.now(UTC) - dt.timedelta(days=10), gzip_it=True)
    settlement_doc = fake.reports[settlement_id]["reportDocumentId"]

    began = time.monotonic()
    summary = pull(since=_since(45), reports=[SETTLEMENT, ALL_ORDERS])
    first_seconds = time.monotonic() - began

    names = sorted(p.name for p in pull_env.iterdir())
    assert len(names) == 3  # one settlement, two order windows (45 days = 30 + 15)
    assert sum(n.startswith(SETTLEMENT + "_US_") and n.endswith(f"_{settlement_id}.txt") for n in names) == 1
    assert sum(n.startswith(ALL_ORDERS + "_US_") for n in names) == 2
    assert {o["status"] for o in summary["ingested"]} <= {"loaded", "duplicate"}
    assert [o["status"] for o in summary["ingested"] if o["report_type"] == SETTLEMENT] == ["loaded"]
    assert summary["failures"] == {}
    creates = fake.params("createReport")
    per_type = {rt: [p for p in creates if p["reportType"] == rt] for rt in (ALL_ORDERS,)}
    assert {rt: len(v) for rt, v in per_type.items()} == {ALL_ORDERS: 2}
    assert all(p["reportType"] != SETTLEMENT for p in creates)  # settlements are listed, never requested
    first_end = {rt: max(p["dataEndTime"] for p in v) for rt, v in per_type.items()}

    again = pull(reports=[SETTLEMENT, ALL_ORDERS])  # from the stored cursors

    assert again["failures"] == {}
    assert [p for op, p in fake.calls if op == "download" and p["reportDocumentId"] == settlement_doc] == [
        {"reportDocumentId": settlement_doc}
    ]  # the settlement is not fetched twice
    for p in fake.params("createReport")[len(creates):]:
        # Only what is new since the cursor (a window only when the clock moved on since the first pull).
        assert p["dataStartTime"] == first_end[p["reportType"]]
    print(f"first pull {first_seconds:.1f} s")


def test_every_request_takes_a_slot_of_its_operations_global_rate_limit(pull_env, fake, monkeypatch, caplog):
    import prefect.concurrency.sync as concurrency

    from flows.pull import pull

    taken: list[str] = []
    real_rate_limit = concurrency.rate_limit

    def recording_rate_limit(names, *args, **kwargs):
        taken.append(names)
        return real_rate_limit(names, *args, **kwargs)

    monkeypatch.setattr(concurrency, "rate_limit", recording_rate_limit)
    monkeypatch.setenv("SELLEROPS_SPAPI_RATE_LIMITS", "global")

    summary = pull(since=_since(5), reports=[ALL_ORDERS])

    assert summary["failures"] == {} and len(summary["files"]) == 1
    spapi_calls = [op for op, _ in fake.calls if op != "download"]  # the document URL is S3's, not SP-API's
    assert sorted(taken) == sorted(f"spapi:{op}" for op in spapi_calls)  # one slot per request, named per operation
    assert {"spapi:createReport", "spapi:getReport", "spapi:getReportDocument"} <= set(taken)
    assert not [r for r in caplog.records if "do not exist" in r.getMessage()]  # limits found, no warning spam


def test_default_pull_covers_every_requestable_type_with_local_pacing(pull_env, fake, monkeypatch):
    from flows.pull import pull

    monkeypatch.setenv("SELLEROPS_SPAPI_RATE_LIMITS", "local")
    summary = pull(since=_since(45))

    per_type = {rt: len([p for p in fake.params("createReport") if p["reportType"] == rt])
                for rt in (ALL_ORDERS, FBA_RETURNS, SELLER_RETURNS, REIMBURSEMENTS, ACTIONABLE_ORDERS,
                           FULFILLED_SHIPMENTS, SELLER_PERFORMANCE)}  # fmt: skip
    # 45 days: two windows of at most 30 days, one of at most 60 for seller-fulfilled returns; the
    # account's health is one snapshot, no window.
    assert per_type == {ALL_ORDERS: 2, FBA_RETURNS: 2, SELLER_RETURNS: 1, REIMBURSEMENTS: 2, ACTIONABLE_ORDERS: 2,
                        FULFILLED_SHIPMENTS: 2, SELLER_PERFORMANCE: 1}
    assert fake.count("getReports") == 1 and summary["failures"] == {}
    assert [o["status"] for o in summary["ingested"] if o["report_type"] == SELLER_PERFORMANCE] == ["loaded"]


def test_the_pulled_seller_performance_report_is_timed_by_the_pull_and_read_by_the_watch(pull_env, fake,
                                                                                         monkeypatch):
    """The real client against the local SP-API server: the saved JSON carries the pull's clock as its
    observed_at, the pull ingests it, and the watch (what `sellerops health run` runs) judges its ODR."""
    import json

    from flows.pull import pull
    from sellerops.health import service
    from sellerops.health.measure import measure
    from sellerops.reports.seller_performance import read_performance
    from sellerops.storage.engine import session

    monkeypatch.setenv("SELLEROPS_SPAPI_RATE_LIMITS", "local")
    before = dt.datetime.now(UTC).replace(second=0, microsecond=0)
    summary = pull(reports=[SELLER_PERFORMANCE])
    after = dt.datetime.now(UTC)

    assert summary["failures"] == {}
    ((path, report_type),) = summary["files"]
    assert report_type == SELLER_PERFORMANCE and path.endswith(".json")
    data = Path(path).read_bytes()
    observed = dt.datetime.fromisoformat(json.loads(data)["observed_at"].replace("Z", "+00:00"))
    assert before <= observed <= after  # the pull's clock, not the metrics' reportingDateTo in February
    assert b"0.03203973037" in data  # Amazon's number kept as written, never through a float
    assert read_performance(Path(path), data).report_at == observed
    assert [(o["report_type"], o["status"], o["rows"]) for o in summary["ingested"]] == [
        (SELLER_PERFORMANCE, "loaded", 2)]

    with session() as s:
        values = {(m.signal, m.subject): (m.value, m.at) for m in measure(s, after)}
        assert values[("odr", "ATVPDKIKX0DER/afn")] == (Decimal("0.0115"), observed)
        result = service.run_watch(s, after)
        levels = {(w["signal"], w["subject"]): w["level"] for w in service.warnings(s)}
    assert levels[("odr", "ATVPDKIKX0DER/afn")] == "critical"  # 1.15 % >= 1.1 %
    assert ("odr", "ATVPDKIKX0DER/afn") in {(c.signal, c.subject) for c in result.changes}

    # A snapshot each pull: a new report, a new file; within the same minute of the clock its content
    # is the same observation, so ingestion takes it for the duplicate it is.
    again = pull(reports=[SELLER_PERFORMANCE])
    assert len(list(pull_env.glob(f"{SELLER_PERFORMANCE}_*.json"))) == 2
    assert [o["status"] for o in again["ingested"]] in (["loaded"], ["duplicate"])


def test_a_pulled_report_naming_buyers_is_saved_with_the_customer_key_not_the_email(pull_env, fake, monkeypatch):
    """The relay e-mail never reaches the inbox in clear: the saved file holds its customer key (the
    same key ingestion stores), names and streets are blank, and the file is ingested as it is."""
    from flows.pull import pull
    from sellerops.customers import customer_key
    from sellerops.storage.engine import get_engine

    monkeypatch.setenv("SELLEROPS_SPAPI_RATE_LIMITS", "local")
    fake.documents_by_type[ACTIONABLE_ORDERS] = ACTIONABLE_DOCUMENT
    fake.outcome_by_type[ACTIONABLE_ORDERS] = "DONE"
    summary = pull(since=_since(5), reports=[ACTIONABLE_ORDERS])

    assert summary["failures"] == {}
    ((path, _),) = summary["files"]
    text = Path(path).read_text(encoding="utf-8")
    key = customer_key(EMAIL)
    assert key in text and "@" not in text and "Jo Smith" not in text and "1 Main St" not in text
    assert "SEATTLE" in text and "98101" in text  # what a return label needs stays
    assert not list(pull_env.glob(".*.partial"))  # no unscrubbed copy left behind either
    assert [(o["report_type"], o["status"]) for o in summary["ingested"]] == [(ACTIONABLE_ORDERS, "loaded")]
    with get_engine().connect() as conn:  # ingestion keeps the pull's key: scrubbing twice changes nothing
        stored = {str(v) for row in conn.exec_driver_sql("SELECT * FROM actionable_order_line") for v in row}
    assert key in stored and EMAIL not in stored


def test_fatal_fails_that_report_only_and_the_rest_is_ingested(pull_env, fake, monkeypatch):
    from flows.pull import PullFailed, pull

    monkeypatch.setenv("SELLEROPS_SPAPI_RATE_LIMITS", "local")
    fake.outcome_by_type[FBA_RETURNS] = "FATAL"
    fake.fatal_text[FBA_RETURNS] = "This seller is not enrolled in FBA."

    with pytest.raises(PullFailed) as failed:
        pull(since=_since(20), reports=[ALL_ORDERS, FBA_RETURNS])

    assert "This seller is not enrolled in FBA." in str(failed.value)
    summary = failed.value.summary
    assert list(summary["failures"]) == [FBA_RETURNS]
    assert [rt for _, rt in summary["files"]] == [ALL_ORDERS]
    assert [o["status"] for o in summary["ingested"]] == ["loaded"]


def test_interrupted_pull_resumes_the_same_report_instead_of_requesting_again(pull_env, fake, monkeypatch):
    from flows.pull import PullFailed, pull

    monkeypatch.setenv("SELLEROPS_SPAPI_RATE_LIMITS", "local")
    fake.outcome_by_type[ALL_ORDERS] = "IN_QUEUE"
    with pytest.raises(PullFailed, match="still IN_QUEUE"):
        pull(since=_since(10), reports=[ALL_ORDERS])
    assert fake.count("createReport") == 1
    (stuck_id,) = [rid for rid, r in fake.reports.items() if r["reportType"] == ALL_ORDERS]

    # Amazon finishes the report later; the next pull polls that same report id.
    fake.reports[stuck_id]["_terminal"] = "DONE"
    fake.reports[stuck_id]["_document"] = fake.add_document(ORDERS_DOCUMENT)
    fake.outcome_by_type[ALL_ORDERS] = "DONE"  # for a new window, should the clock have moved on
    stuck_window = (fake.params("createReport")[0]["dataStartTime"], fake.params("createReport")[0]["dataEndTime"])
    summary = pull(reports=[ALL_ORDERS])

    assert summary["failures"] == {}
    assert [p.name for p in pull_env.iterdir() if p.name.endswith(f"_{stuck_id}.txt")]
    later = fake.params("createReport")[1:]
    assert all(p["dataStartTime"] == stuck_window[1] for p in later)  # the stuck window is not requested again


def test_rate_limit_is_created_with_amazons_plan_when_missing(prefect_harness):
    from prefect.client.orchestration import get_client

    from tasks.spapi import ensure_rate_limit

    assert ensure_rate_limit("getListingsItem") is True
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name("spapi:getListingsItem")
    assert (limit.limit, limit.slot_decay_per_second) == (10, 5.0)  # burst 10, 5 requests a second


def test_pacer_degrades_quietly_when_no_server_holds_limits(monkeypatch, caplog):
    import prefect.client.orchestration as orchestration

    from tasks import spapi as t

    def no_server(*args, **kwargs):
        raise ConnectionError("no Prefect API")

    monkeypatch.setattr(orchestration, "get_client", no_server)
    monkeypatch.setattr(t, "_limit_ready", {})
    pacer = t.PrefectPacer(mode="global")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            pacer("getListingsItem")  # within its burst of 10: the local bucket does not wait
    assert t._limit_ready == {"spapi:getListingsItem": False}  # asked the server once, then paced locally
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]


def test_pull_runs_end_to_end_on_a_folder_source(prefect_harness, tmp_path, monkeypatch):
    """The same flow on a folder of downloads: no credentials, no server; the saved documents go through
    the ingest-reports flow (its summary artifact names them) into the database."""
    from prefect.artifacts import Artifact

    from flows.pull import pull

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "settlement.txt").write_bytes(settlement_document("7001"))
    (downloads / "orders.txt").write_bytes(ORDERS_DOCUMENT)
    monkeypatch.setenv("SELLEROPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SELLEROPS_DATABASE_URL", f"sqlite:///{tmp_path / 'sellerops.db'}")
    monkeypatch.setenv("SELLEROPS_SOURCE_FOLDER", str(downloads))
    for name in ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)

    summary = pull(account="by-hand", since=_since(10), reports=[SETTLEMENT, ALL_ORDERS, FBA_RETURNS])

    assert summary["failures"] == {}
    inbox = tmp_path / "home" / "inbox" / "spapi" / "by-hand"
    assert sorted(rt for _, rt in summary["files"]) == [ALL_ORDERS, SETTLEMENT]  # no FBA returns: "no data"
    assert all((inbox / Path(p).name).is_file() for p, _ in summary["files"])
    assert sorted((o["report_type"], o["status"]) for o in summary["ingested"]) == [
        (ALL_ORDERS, "loaded"), (SETTLEMENT, "loaded")]  # fmt: skip
    ingest_summary = Artifact.get("ingest-summary")
    assert all(Path(p).name in ingest_summary.data for p, _ in summary["files"])

    again = pull(account="by-hand", reports=[SETTLEMENT])  # the settlement is in the inbox already
    assert again["files"] == [] and again["failures"] == {}


@pytest.mark.parametrize("dead", ["http://sellerops-test.invalid", "closed-port"])
def test_pull_stops_at_once_when_amazon_cannot_be_reached(pull_env, monkeypatch, dead):
    import socket
    import uuid

    from flows.pull import PullFailed, pull

    if dead == "closed-port":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("SELLEROPS_SPAPI_RATE_LIMITS", "local")
    monkeypatch.setenv("SELLEROPS_SPAPI_ENDPOINT", dead)
    monkeypatch.setenv("SELLEROPS_LWA_ENDPOINT", f"{dead}/auth/o2/token")
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", f"Atzr|{uuid.uuid4()}")  # no cached access token: LWA is asked
    monkeypatch.setenv("SELLEROPS_SPAPI_MAX_ATTEMPTS", "6")

    with pytest.raises(PullFailed) as failed:
        pull(since=_since(45))

    failures = failed.value.summary["failures"]
    assert len(failures) == 1  # the first report type found Amazon unreachable; the others were not tried
    (reason,) = failures.values()
    assert reason.startswith(f"cannot reach {dead}/auth/o2/token")


def test_cli_says_amazon_is_unreachable_in_one_line(tmp_path):
    """`sellerops pull` as a user runs it, against a closed port: one line on stderr, exit 1."""
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SELLEROPS_"))}
    env.update(SELLEROPS_HOME=str(tmp_path / "home"), SP_API_REFRESH_TOKEN="Atzr|cli-unreachable", LWA_APP_ID="app",
               LWA_CLIENT_SECRET="cli-secret", SELLEROPS_SPAPI_ENDPOINT=dead, SELLEROPS_SPAPI_RATE_LIMITS="local",
               SELLEROPS_LWA_ENDPOINT=f"{dead}/auth/o2/token")  # fmt: skip
    p = subprocess.run([str(Path(sys.executable).parent / "sellerops"), "pull", "--format", "json"],
                       capture_output=True, text=True, env=env, timeout=600)  # fmt: skip

    assert p.returncode == 1, p.stderr
    assert p.stdout == ""
    assert [x for x in p.stderr.strip().splitlines() if not x.startswith("database: ")] == [
        f"sellerops: error: {SETTLEMENT}: cannot reach {dead}/auth/o2/token: ConnectError: [Errno 111] "
        "Connection refused - check the network, or the endpoint setting"
    ]


def test_no_secret_reaches_an_exception_log_state_or_artifact(pull_env, fake, monkeypatch, caplog):
    """A token endpoint that echoes the refused request (refresh token, client secret) in its error."""
    import logging
    import uuid

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter, ArtifactFilterFlowRunId, FlowRunFilter, FlowRunFilterId, FlowRunFilterParentFlowRunId,
        LogFilter, LogFilterFlowRunId,
    )  # fmt: skip
    from prefect.logging.handlers import APILogHandler

    from flows.pull import PullFailed, pull

    caplog.set_level(logging.DEBUG)
    refresh, secret = f"Atzr|{uuid.uuid4()}", f"client-secret-{uuid.uuid4()}"
    monkeypatch.setenv("SP_API_REFRESH_TOKEN", refresh)
    monkeypatch.setenv("LWA_CLIENT_SECRET", secret)
    monkeypatch.setenv("SELLEROPS_SPAPI_RATE_LIMITS", "local")
    fake.echo_token_errors = True

    state = pull(since=_since(5), reports=[ALL_ORDERS], return_state=True)

    assert fake.token_requests >= 1  # the echoing endpoint was asked
    exc = state.result(raise_on_failure=False)
    assert isinstance(exc, PullFailed) and "Login with Amazon refused the credentials" in str(exc)
    APILogHandler().flush()  # the run logs are shipped in the background: send them now
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        runs = [run_id] + [r.id for r in client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run_id])))]
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=runs)))
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=runs)))
        run = client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))[0]
    assert logs and artifacts  # the places the secrets could have gone were written
    places = {
        "exception": str(exc) + repr(exc.summary),
        "captured logs": caplog.text + "".join(repr(r.__dict__) for r in caplog.records),
        "flow run state": f"{state.message} {run.state.message}",
        "run logs": "\n".join(log.message for log in logs),
        "artifacts": "\n".join(str(a.data) + str(a.description) for a in artifacts),
    }
    for where, text in places.items():
        for leaked in (refresh, secret, refresh.replace("|", "%7C")):
            assert leaked not in text, f"{leaked[:8]}… leaked into the {where}"


def test_the_pull_saves_the_inbound_responses_and_the_tracker_reads_them(pull_env, fake, monkeypatch):
    """The real client against the local SP-API server: one poll of both inbound generations is saved
    in the account's inbox, ingested with the reports, and the next track sees the shipments."""
    from flows.pull import pull
    from sellerops.inbound.store import track

    monkeypatch.setenv("SELLEROPS_SPAPI_RATE_LIMITS", "local")
    fake.shipments_v0 = [{"ShipmentId": "FBA1", "ShipmentStatus": "CLOSED", "DestinationFulfillmentCenterId": "PHX7"},
                         {"ShipmentId": "FBA3", "ShipmentStatus": "IN_TRANSIT"}]
    fake.items_v0 = {"FBA1": [{"ShipmentId": "FBA1", "SellerSKU": "S1", "FulfillmentNetworkSKU": "X1",
                               "QuantityShipped": 10, "QuantityReceived": 9}]}
    fake.plans = [{"inboundPlanId": "wf1", "status": "ACTIVE"}]
    fake.plan_shipments["wf1"] = [{"shipmentId": "sh1", "status": "READY_TO_SHIP", "destination": {"warehouseId": "ONT8"}}]

    summary = pull(reports=["SPAPI_FBA_INBOUND"])

    assert summary["failures"] == {}
    saved = sorted(rt for _, rt in summary["files"])
    assert saved == sorted("SPAPI_FBA_INBOUND_" + op for op in (
        "getShipments", "getShipmentItemsByShipmentId", "getShipmentItemsByShipmentId", "listInboundPlans",
        "listPackingOptions", "listPlacementOptions", "getShipment", "listTransportationOptions"))
    assert all(Path(p).parent == pull_env for p, _ in summary["files"])
    assert {(o["report_type"].startswith("SPAPI_FBA_INBOUND"), o["status"]) for o in summary["ingested"]} == {
        (True, "loaded")}
    result = track()
    nodes = {s["shipment_id"]: (s["node"], s["units_short"]) for s in result.evaluation.status}
    assert nodes == {"FBA1": ("closed", 1), "FBA3": ("in_transit", None), "sh1": ("labels_ready", None)}
