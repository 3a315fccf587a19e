"""Pull planning without Amazon or Prefect: where each report type starts, what is resumed, the windows,
the saved documents' names and how they are grouped for ingestion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sellerops.amazon.cursor import CursorState
from sellerops.amazon.pull import (
    DEFAULT_REPORTS,
    PullFailed,
    SavedDocument,
    already_saved,
    artifact_key,
    document_bytes,
    document_name,
    ingestion_batches,
    plan_report,
    pull_start,
    pull_summary,
    site_of,
    summary_markdown,
)
from sellerops.amazon.source import (
    ALL_ORDERS,
    SELLER_PERFORMANCE,
    SELLER_RETURNS,
    SETTLEMENT,
    FetchedReport,
    ReportStatus,
    ReportWindow,
)
from sellerops.core.report_types import ACTIONABLE_ORDERS, FULFILLED_SHIPMENTS
from sellerops.customers import Unscrubbable, customer_key

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 28, 14, 0, tzinfo=UTC)


def at(day: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, tzinfo=UTC)


@pytest.mark.parametrize(
    ("report_type", "cursor_end", "since", "expected"),
    [
        (ALL_ORDERS, None, None, NOW - dt.timedelta(days=30)),  # first pull: 30 days back
        (SETTLEMENT, None, None, NOW - dt.timedelta(days=90)),  # settlements: Amazon keeps ~90 days
        (ALL_ORDERS, at(20), None, at(20)),  # from the cursor
        (ALL_ORDERS, at(20), at(1), at(1)),  # --since wins over the cursor
    ],
)
def test_pull_start(report_type, cursor_end, since, expected):
    cursor = CursorState("acme", report_type, last_end=cursor_end)
    assert pull_start(report_type, cursor, since, NOW) == expected


def test_plan_splits_to_the_report_types_maximum_span():
    cursor = CursorState("acme", ALL_ORDERS, last_end=NOW - dt.timedelta(days=45))
    plan = plan_report(ALL_ORDERS, cursor, None, NOW)
    # 45 days of orders: 30 + 15; seller-fulfilled returns allow 60 days, so one window.
    assert [w.end - w.start for w in plan.windows] == [dt.timedelta(days=30), dt.timedelta(days=15)]
    assert plan.windows[0].start == cursor.last_end and plan.windows[-1].end == NOW
    assert len(plan_report(SELLER_RETURNS, CursorState("acme", SELLER_RETURNS, last_end=cursor.last_end), None, NOW).windows) == 1
    assert plan.resume is None


def test_a_pending_report_is_resumed_and_its_window_not_requested_again():
    cursor = CursorState("acme", ALL_ORDERS, last_end=at(1), pending_report_id="R7",
                         pending_start=at(1), pending_end=at(20))  # fmt: skip
    plan = plan_report(ALL_ORDERS, cursor, None, NOW)
    assert plan.resume is not None
    assert (plan.resume.report_id, plan.resume.window) == ("R7", ReportWindow(at(1), at(20)))
    assert plan.windows[0].start == at(20)  # new windows begin where the resumed one ends


def test_since_requests_its_whole_range_even_with_a_pending_report():
    cursor = CursorState("acme", ALL_ORDERS, pending_report_id="R7", pending_start=at(1), pending_end=at(20))
    plan = plan_report(ALL_ORDERS, cursor, at(10), NOW)
    assert plan.resume is not None and plan.windows[0].start == at(10)


def test_nothing_to_request_when_the_cursor_is_now():
    assert plan_report(ALL_ORDERS, CursorState("acme", ALL_ORDERS, last_end=NOW), None, NOW).windows == []


def test_document_names_are_deterministic():
    report = FetchedReport(ALL_ORDERS, "50001", ReportStatus.DONE, content=b"x", start=at(1), end=at(20))
    assert document_name(report, "US") == f"{ALL_ORDERS}_US_20261101T0000_20261120T0000_50001.txt"
    perf = FetchedReport(SELLER_PERFORMANCE, "50002", ReportStatus.DONE, content=b"{}")
    assert document_name(perf, "JP") == f"{SELLER_PERFORMANCE}_JP_50002.json"  # JSON, and no window


def test_already_saved_finds_a_settlement_under_any_window(tmp_path):
    (tmp_path / f"{SETTLEMENT}_US_20261001T0000_20261015T0000_9001.txt").write_bytes(b"x")
    assert already_saved(tmp_path, SETTLEMENT, "9001")
    assert not already_saved(tmp_path, SETTLEMENT, "900")  # an id that is a prefix of another is not it


def test_site_is_the_reports_own_marketplace_else_the_accounts():
    jp = FetchedReport(ALL_ORDERS, "1", ReportStatus.DONE, content=b"", marketplace_ids=("A1VC38T7YXB528",))
    bare = FetchedReport(ALL_ORDERS, "2", ReportStatus.DONE, content=b"")
    assert site_of(jp, ["ATVPDKIKX0DER"]) == "Amazon.co.jp"
    assert site_of(bare, ["ATVPDKIKX0DER"]) == "Amazon.com"
    assert site_of(bare, []) is None


def test_ingestion_batches_group_by_site_and_leave_out_what_ingestion_does_not_read():
    saved = [
        SavedDocument(Path("a.txt"), "Amazon.com", ALL_ORDERS),
        SavedDocument(Path("x.txt"), None, "GET_MERCHANT_LISTINGS_ALL_DATA"),  # a type sellerops does not read: saved only
        SavedDocument(Path("b.txt"), "Amazon.co.jp", SETTLEMENT),
        SavedDocument(Path("c.txt"), "Amazon.com", SETTLEMENT),
    ]
    assert ingestion_batches(saved) == {"Amazon.com": [Path("a.txt"), Path("c.txt")], "Amazon.co.jp": [Path("b.txt")]}


def test_the_default_pull_includes_the_accounts_health_and_ingests_it():
    # what `sellerops health run` reads after a plain `sellerops pull`, and the buyers' keys of returns
    assert {SELLER_PERFORMANCE, ACTIONABLE_ORDERS, FULFILLED_SHIPMENTS} <= set(DEFAULT_REPORTS)
    saved = [SavedDocument(Path("p.json"), "Amazon.com", SELLER_PERFORMANCE),
             SavedDocument(Path("o.txt"), "Amazon.com", ACTIONABLE_ORDERS),
             SavedDocument(Path("x.txt"), "Amazon.com", "GET_SOMETHING_ELSE")]  # saved only
    assert ingestion_batches(saved) == {"Amazon.com": [Path("p.json"), Path("o.txt")]}


def test_document_bytes_stamp_the_health_report_and_scrub_buyers(monkeypatch):
    monkeypatch.setenv("SELLEROPS_CUSTOMER_SALT", "pepper")
    perf = FetchedReport(SELLER_PERFORMANCE, "1", ReportStatus.DONE, content=b'{"performanceMetrics": []}')
    assert document_bytes(perf, NOW) == b'{"observed_at": "2026-11-28T14:00:00Z", "performanceMetrics": []}'

    orders = b"order-id\tbuyer-email\tbuyer-name\tship-city\n1\tjo@marketplace.amazon.com\tJo Smith\tSEATTLE\n"
    out = document_bytes(FetchedReport(ACTIONABLE_ORDERS, "2", ReportStatus.DONE, content=orders), NOW)
    assert out == f"order-id\tbuyer-email\tbuyer-name\tship-city\n1\t{customer_key('jo@marketplace.amazon.com')}" \
                  f"\t\tSEATTLE\n".encode()
    plain = FetchedReport(ALL_ORDERS, "3", ReportStatus.DONE, content=b"amazon-order-id\tsku\n1\tMUG\n")
    assert document_bytes(plain, NOW) == plain.content  # nothing personal: Amazon's bytes as they came


def test_a_report_naming_buyers_that_cannot_be_scrubbed_is_not_saved():
    # UTF-16 cut mid-character: refused (the pull records the report type as failed), never written in clear
    broken = b"\xff\xfe" + "order-id\tbuyer-email\n1\tjo@x\n".encode("utf-16-le") + b"\x00"
    with pytest.raises(Unscrubbable):
        document_bytes(FetchedReport(ACTIONABLE_ORDERS, "4", ReportStatus.DONE, content=broken), NOW)


def test_summary_keeps_the_cli_json_keys_and_renders_failures():
    saved = [SavedDocument(Path("/in/a.txt"), "Amazon.com", ALL_ORDERS)]
    outcome = {"path": "/in/a.txt", "sha256": "ab", "report_type": ALL_ORDERS, "status": "loaded", "rows": 3,
               "reason": None, "known": False}  # fmt: skip
    summary = pull_summary("Acme US", saved, [outcome], {SETTLEMENT: "cannot reach http://x: refused"})

    assert list(summary["ingested"][0]) == ["path", "sha256", "report_type", "status", "rows", "reason"]
    assert summary["files"] == [("/in/a.txt", ALL_ORDERS)]
    markdown = summary_markdown(summary)
    assert "| a.txt | " + ALL_ORDERS + " |" in markdown and "cannot reach http://x" in markdown
    assert artifact_key("Acme US") == "sellerops-pull-acme-us"
    assert "cannot reach http://x" in str(PullFailed(summary))
