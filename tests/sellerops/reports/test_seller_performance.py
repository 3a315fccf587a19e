"""The seller performance report's contract (accountHealthReport-2020-11-18): the metrics the watch
reads, as Decimals from the file's text, and every break named by file, line, column and JSON path."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest

from sellerops.reports.seller_performance import (PerformanceReportError, looks_like_performance_report,
                                                  read_performance, with_observed_at)

UTC = dt.timezone.utc


def rng(to="2026-11-26T23:59Z", start="2026-10-27T00:00Z"):
    return {"reportingDateFrom": start, "reportingDateTo": to}


def amazon_like(cancel_key="preFulfillmentCancellationRate", **extra) -> dict:
    """A report shaped like Amazon's schema example (its afn entry even says fulfillmentType mfn:
    the key decides the channel)."""
    return dict({"accountStatuses": [{"marketplaceId": "ATVPDKIKX0DER", "status": "AT_RISK"}],
                 "performanceMetrics": [{
                     "marketplaceId": "ATVPDKIKX0DER",
                     "orderDefectRate": {
                         "afn": {"reportingDateRange": rng(), "orderCount": 539000, "fulfillmentType": "mfn",
                                 "status": "GOOD", "rate": 0.009, "targetValue": 0.01, "targetCondition": "LESS_THAN"},
                         "mfn": {"reportingDateRange": rng(), "status": "NONE", "rate": 0.011}},
                     "lateShipmentRate": {"reportingDateRange": rng(), "status": "GOOD", "rate": 0.03203973037,
                                          "targetValue": 0.04},
                     cancel_key: {"reportingDateRange": rng("2026-11-25T23:59Z"), "rate": 0.005, "status": "GOOD"},
                     "validTrackingRate": {"reportingDateRange": rng("2026-11-27T23:59Z"), "rate": 0.9529,
                                           "status": "SOMETHING_NEW"},
                     "receivedIntellectualPropertyComplaints": {"reportingDateRange": rng(), "defectsCount": 75,
                                                                "status": "BAD"},
                     "listingPolicyViolations": {"reportingDateRange": rng(), "defectsCount": 86},
                 }]}, **extra)


def write(tmp_path, doc, name="perf.json"):
    p = tmp_path / name
    p.write_text(json.dumps(doc, indent=2) if not isinstance(doc, str) else doc)
    return p


def read(path):
    return read_performance(path, path.read_bytes())


@pytest.mark.parametrize("cancel_key", ["preFulfillmentCancellationRate", "prefulfillmentCancelRate"])
def test_the_metrics_the_watch_reads_as_decimals(tmp_path, cancel_key):
    r = read(write(tmp_path, amazon_like(cancel_key)))
    got = {(m.marketplace_id, m.metric, m.channel): m for m in r.metrics}
    assert {k: v.value for k, v in got.items()} == {
        ("ATVPDKIKX0DER", "odr", "afn"): Decimal("0.009"), ("ATVPDKIKX0DER", "odr", "mfn"): Decimal("0.011"),
        ("ATVPDKIKX0DER", "late_shipment_rate", ""): Decimal("0.03203973037"),
        ("ATVPDKIKX0DER", "cancel_rate", ""): Decimal("0.005"),
        ("ATVPDKIKX0DER", "valid_tracking_rate", ""): Decimal("0.9529"),
        ("ATVPDKIKX0DER", "ip_complaints", ""): Decimal(75)}
    assert all(type(m.value) is Decimal for m in r.metrics)  # read from the text, never through a float
    assert got["ATVPDKIKX0DER", "valid_tracking_rate", ""].status == "SOMETHING_NEW"  # statuses are free strings
    assert got["ATVPDKIKX0DER", "odr", "afn"].target == Decimal("0.01")
    # the report's time: the latest reportingDateTo among its metrics
    assert r.report_at == dt.datetime(2026, 11, 27, 23, 59, tzinfo=UTC)


def test_observed_at_saved_by_the_pull_is_the_reports_time(tmp_path):
    r = read(write(tmp_path, amazon_like(observed_at="2026-11-28T06:00:00+00:00")))
    assert r.report_at == dt.datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def test_the_pull_stamps_its_clock_and_keeps_every_number_as_amazon_wrote_it(tmp_path):
    body = b'\xef\xbb\xbf{"performanceMetrics": [{"marketplaceId": "ATVPDKIKX0DER", "lateShipmentRate": ' \
           b'{"reportingDateRange": {"reportingDateTo": "2026-11-26T23:59Z"}, "rate": 0.10000000000000000555}}]}'
    stamped = with_observed_at(body, dt.datetime(2026, 11, 28, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    # the pull's clock in UTC, first; a float would have printed 0.1
    assert stamped.startswith(b'{"observed_at": "2026-11-28T06:30:00Z", "performanceMetrics"')
    assert b"0.10000000000000000555" in stamped and looks_like_performance_report(stamped)
    r = read_performance(tmp_path / "p.json", stamped)
    assert r.report_at == dt.datetime(2026, 11, 28, 6, 30, tzinfo=UTC)  # not the reportingDateTo
    assert r.metrics[0].value == Decimal("0.10000000000000000555")
    # stamped again (a body that carried a time): one observed_at, the new one
    again = with_observed_at(stamped, dt.datetime(2026, 11, 29, tzinfo=UTC))
    assert again.count(b'"observed_at"') == 1 and b"2026-11-29T00:00:00Z" in again


@pytest.mark.parametrize("body", [b"[1, 2]", b"{not json", b"\xff\xfe{}"])
def test_a_body_that_is_no_json_object_is_saved_as_is_for_the_reader_to_name(body):
    assert with_observed_at(body, dt.datetime(2026, 11, 28, tzinfo=UTC)) is body


def test_a_marketplace_without_a_metric_leaves_it_out(tmp_path):
    doc = {"performanceMetrics": [{"marketplaceId": "A1F83G8C2ARO7P",
                                   "lateShipmentRate": {"reportingDateRange": rng(), "rate": 0}}]}
    [m] = read(write(tmp_path, doc)).metrics
    assert (m.marketplace_id, m.metric, m.value) == ("A1F83G8C2ARO7P", "late_shipment_rate", Decimal(0))


def test_it_is_recognised_from_its_first_bytes(tmp_path):
    assert looks_like_performance_report(write(tmp_path, amazon_like()).read_bytes())
    assert not looks_like_performance_report(b'{"operation": "getShipments"}')
    assert not looks_like_performance_report(b"sku\tperformanceMetrics\n")


def test_a_rate_that_is_not_a_number_names_its_line_column_and_path(tmp_path):
    doc = amazon_like()
    doc["performanceMetrics"][0]["lateShipmentRate"]["rate"] = "high"
    p = write(tmp_path, doc)
    with pytest.raises(PerformanceReportError) as exc:
        read(p)
    text = p.read_text().splitlines()
    line = next(i for i, t in enumerate(text, 1) if '"rate": "high"' in t)
    col = text[line - 1].index('"high"') + 1
    assert str(exc.value).startswith(f"{p}:{line}:{col}: performanceMetrics[0].lateShipmentRate.rate: expected a number")
    assert 'found "high"' in str(exc.value)


@pytest.mark.parametrize("change, where, expected", [
    (lambda d: d["performanceMetrics"][0].pop("marketplaceId"), "performanceMetrics[0].marketplaceId",
     "a marketplace id"),
    (lambda d: d["performanceMetrics"][0]["orderDefectRate"]["afn"].update(rate=1.5),
     "performanceMetrics[0].orderDefectRate.afn.rate", "a fraction between 0 and 1"),
    (lambda d: d["performanceMetrics"][0]["receivedIntellectualPropertyComplaints"].update(defectsCount=2.5),
     "performanceMetrics[0].receivedIntellectualPropertyComplaints.defectsCount", "a whole number"),
    (lambda d: d["performanceMetrics"][0]["validTrackingRate"]["reportingDateRange"].update(
        reportingDateTo="yesterday"),
     "performanceMetrics[0].validTrackingRate.reportingDateRange.reportingDateTo", "a time in ISO 8601"),
    (lambda d: d.update(performanceMetrics={}), "performanceMetrics", "a list of metrics per marketplace"),
])
def test_each_break_of_the_contract_is_named(tmp_path, change, where, expected):
    doc = amazon_like()
    change(doc)
    p = write(tmp_path, doc)
    with pytest.raises(PerformanceReportError, match=rf"^{re.escape(str(p))}:\d+:\d+: {re.escape(where)}: "
                                                     rf"expected {expected}"):
        read(p)


def test_broken_json_names_line_and_column(tmp_path):
    p = write(tmp_path, '{"performanceMetrics": [\n  {"marketplaceId": "X",}\n]}')
    with pytest.raises(PerformanceReportError, match=rf"^{p}:2:25: not JSON"):
        read(p)


def test_a_report_with_no_time_is_refused(tmp_path):
    p = write(tmp_path, {"performanceMetrics": [{"marketplaceId": "X", "lateShipmentRate": {"rate": 0.01}}]})
    with pytest.raises(PerformanceReportError, match="reportingDateTo"):
        read(p)
