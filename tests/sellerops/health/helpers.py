"""Measurements built by hand for the watch's tests.

`M` stands in for sellerops.health.measure.Measurement, written on another branch from the reports:
the watch needs only its five fields (sellerops.health.watch.MeasurementLike), so the tests build
the lists themselves and hand them to `run_watch` as its `measure`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class M:
    signal: str
    subject: str
    value: Decimal
    at: dt.datetime = T0
    detail: dict = field(default_factory=dict)


def m(signal: str, subject: str, value: str, at: dt.datetime = T0, **detail) -> M:
    return M(signal, subject, Decimal(value), at, detail)


def measuring(*measurements: M):
    """A `measure` for run_watch that returns these measurements."""
    return lambda session, now, windows=None: list(measurements)


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)
