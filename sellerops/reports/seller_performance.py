"""The seller performance report (GET_V2_SELLER_PERFORMANCE_REPORT, JSON, schema
accountHealthReport-2020-11-18): Amazon's account-health metrics per marketplace.

Not a flat file, so not a `ReportFormat`: its contract is the part of Amazon's schema the watch
reads, checked here value by value with the JSON path, line and column of whatever breaks it.
`performanceMetrics[]` per `marketplaceId` carries `orderDefectRate.{afn,mfn}.rate`,
`lateShipmentRate.rate`, `preFulfillmentCancellationRate.rate` (Amazon's own example spells it
`prefulfillmentCancelRate`; both are read), `validTrackingRate.rate` and
`receivedIntellectualPropertyComplaints.defectsCount`, each with its `reportingDateRange`. Every
number is read as a Decimal from its text (rates are fractions: 0.01 is 1 %). Status strings are
kept as Amazon writes them. A metric a marketplace does not carry is left out, not an error.

The report's time is its `observed_at` when the pull saved one beside the body, else the latest
`reportingDateTo` among its metrics.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from json.decoder import scanstring
from json.scanner import NUMBER_RE
from pathlib import Path

from sellerops.core import report_types

REPORT_TYPE = report_types.SELLER_PERFORMANCE
# (signal, the metric's key(s) in a performanceMetrics item, the value's key)
METRICS = (
    ("late_shipment_rate", ("lateShipmentRate",), "rate"),
    ("cancel_rate", ("preFulfillmentCancellationRate", "prefulfillmentCancelRate"), "rate"),
    ("valid_tracking_rate", ("validTrackingRate",), "rate"),
    ("ip_complaints", ("receivedIntellectualPropertyComplaints",), "defectsCount"),
)
CHANNELS = ("afn", "mfn")
_WS = re.compile(r"[ \t\n\r]*")


class PerformanceReportError(ValueError):
    """A seller performance report that cannot be read: says file, line, column and JSON path."""


@dataclass(frozen=True)
class Metric:
    marketplace_id: str
    metric: str  # the watch's signal name
    channel: str  # afn | mfn for the order defect rate, else ""
    value: Decimal
    status: str | None
    target: Decimal | None
    reporting_from: dt.datetime | None
    reporting_to: dt.datetime | None


@dataclass(frozen=True)
class PerformanceReport:
    report_at: dt.datetime
    metrics: list[Metric]


def looks_like_performance_report(data: bytes) -> bool:
    """Whether a JSON document is a seller performance report (cheap: its first bytes)."""
    head = data[:65536]
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and b'"performanceMetrics"' in head


def with_observed_at(data: bytes, observed_at: dt.datetime) -> bytes:
    """The report's bytes with `observed_at` (the pull's clock) as the root object's first key, which
    `read_performance` takes as the report's time (one the body already carries is replaced). Every
    number keeps the text Amazon wrote, so nothing is rounded through a float. A body that is not a
    JSON object comes back as is: reading it names what is wrong."""
    try:
        doc = json.loads(data.decode("utf-8-sig"), parse_float=_Raw, parse_int=_Raw)
    except ValueError:  # not UTF-8 or not JSON: left for the reader to name
        return data
    if not isinstance(doc, dict):
        return data
    doc.pop("observed_at", None)
    stamp = observed_at.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return _dumps({"observed_at": stamp, **doc}).encode("utf-8")


class _Raw(str):
    """A JSON number kept as the text Amazon wrote."""


def _dumps(value) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def read_performance(path: Path, data: bytes) -> PerformanceReport:
    """The report's metrics and time; raises PerformanceReportError naming where it breaks."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PerformanceReportError(f"{path}: not UTF-8 JSON (byte {exc.start + 1}): {exc.reason}") from None
    try:
        doc = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        raise PerformanceReportError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    return _Reader(path, text).report(doc)


class _Reader:
    """Walks a parsed report; `fail` names the path and the line and column it starts at."""

    def __init__(self, path: Path, text: str):
        self.path, self.text = path, text
        self._at: dict[str, int] | None = None

    def fail(self, where: str, expected: str, found) -> None:
        shown = "nothing" if found is _MISSING else json.dumps(found, default=str)[:80]
        line, col = self._place(where)
        raise PerformanceReportError(f"{self.path}:{line}:{col}: {where}: expected {expected}, found {shown}")

    def _place(self, where: str) -> tuple[int, int]:
        if self._at is None:
            self._at = _positions(self.text)
        while where not in self._at and where:  # a missing key: where its parent starts
            where = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", where)
        at = self._at.get(where, 0)
        line = self.text.count("\n", 0, at) + 1
        return line, at - (self.text.rfind("\n", 0, at) + 1) + 1

    def report(self, doc) -> PerformanceReport:
        if not isinstance(doc, dict):
            self.fail("", "a JSON object", doc)
        items = doc.get("performanceMetrics", _MISSING)
        if not isinstance(items, list):
            self.fail("performanceMetrics", "a list of metrics per marketplace", items)
        metrics: list[Metric] = []
        for i, item in enumerate(items):
            metrics += self.marketplace(item, f"performanceMetrics[{i}]")
        observed = doc.get("observed_at")
        if observed is not None:
            report_at = self.moment(observed, "observed_at")
        else:
            ends = [m.reporting_to for m in metrics if m.reporting_to is not None]
            if not ends:
                self.fail("performanceMetrics", "a metric with its reportingDateRange.reportingDateTo (the "
                          "report's time)", items)
            report_at = max(ends)
        return PerformanceReport(report_at, metrics)

    def marketplace(self, item, where: str) -> list[Metric]:
        if not isinstance(item, dict):
            self.fail(where, "an object", item)
        mid = item.get("marketplaceId", _MISSING)
        if not isinstance(mid, str) or not mid.strip():
            self.fail(f"{where}.marketplaceId", "a marketplace id", mid)
        out = []
        odr = item.get("orderDefectRate")
        if odr is not None:
            if not isinstance(odr, dict):
                self.fail(f"{where}.orderDefectRate", "an object with afn and mfn", odr)
            for channel in CHANNELS:
                if odr.get(channel) is not None:
                    out.append(self.metric(mid, "odr", channel, odr[channel], f"{where}.orderDefectRate.{channel}",
                                           "rate"))
        for signal, keys, value_key in METRICS:
            key = next((k for k in keys if item.get(k) is not None), None)
            if key is not None:
                out.append(self.metric(mid, signal, "", item[key], f"{where}.{key}", value_key))
        return out

    def metric(self, mid: str, signal: str, channel: str, obj, where: str, value_key: str) -> Metric:
        if not isinstance(obj, dict):
            self.fail(where, "an object", obj)
        value = obj.get(value_key, _MISSING)
        if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
            self.fail(f"{where}.{value_key}", "a number (a rate as a fraction, 0.01 for 1 %)" if value_key == "rate"
                      else "a whole number of complaints", value)
        if value_key == "rate" and value > 1:
            self.fail(f"{where}.{value_key}", "a fraction between 0 and 1 (0.01 is 1 %)", value)
        if value_key == "defectsCount" and value != value.to_integral_value():
            self.fail(f"{where}.{value_key}", "a whole number of complaints", value)
        target = obj.get("targetValue")
        if target is not None and not isinstance(target, Decimal):
            self.fail(f"{where}.targetValue", "a number", target)
        status = obj.get("status")
        rng = obj.get("reportingDateRange")
        start = end = None
        if rng is not None:
            if not isinstance(rng, dict):
                self.fail(f"{where}.reportingDateRange", "an object", rng)
            if rng.get("reportingDateFrom") is not None:
                start = self.moment(rng["reportingDateFrom"], f"{where}.reportingDateRange.reportingDateFrom")
            if rng.get("reportingDateTo") is not None:
                end = self.moment(rng["reportingDateTo"], f"{where}.reportingDateRange.reportingDateTo")
        return Metric(mid.strip(), signal, channel, value, None if status is None else str(status), target, start,
                      end)

    def moment(self, value, where: str) -> dt.datetime:
        """A time as Amazon writes it (`2020-11-18T23:59Z`, ISO 8601); no zone means UTC."""
        try:
            t = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            self.fail(where, "a time in ISO 8601 (2020-11-18T23:59Z)", value)
        return (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)


_MISSING = object()


def _positions(text: str) -> dict[str, int]:
    """Where each value of a well-formed JSON document starts (character offset), by its path
    (`a.b[0].c`, the root ""): the error names the line and column, not just the path."""
    at: dict[str, int] = {}

    def ws(i: int) -> int:
        return _WS.match(text, i).end()

    def value(i: int, path: str) -> int:
        i = ws(i)
        at[path] = i
        c = text[i]
        if c == "{":
            i = ws(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                key, i = scanstring(text, i + 1)
                i = value(ws(i) + 1, f"{path}.{key}" if path else key)
                i = ws(i)
                if text[i] == "}":
                    return i + 1
                i = ws(i + 1)
        if c == "[":
            i, n = ws(i + 1), 0
            if text[i] == "]":
                return i + 1
            while True:
                i = ws(value(i, f"{path}[{n}]"))
                n += 1
                if text[i] == "]":
                    return i + 1
                i += 1
        if c == '"':
            return scanstring(text, i + 1)[1]
        m = NUMBER_RE.match(text, i)
        if m:
            return m.end()
        return i + next(len(w) for w in ("true", "false", "null") if text.startswith(w, i))

    value(0, "")
    return at
