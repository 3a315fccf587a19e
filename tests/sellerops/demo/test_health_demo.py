"""The demo's account-health files trip each signal exactly once when ingested and measured at `now`:
critical for every signal, warning for IP complaints, every other subject ok. The levels here are
the issue's default thresholds, written out (the watch's policy judges them in the running demo)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from sqlmodel import Session

from sellerops.demo.health import TRIPPED, write_health_files
from sellerops.health.measure import SIGNALS, measure
from sellerops.ingest import LOADED, ingest_paths
from sellerops.storage.engine import get_engine

NOW = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.timezone.utc)


def level(signal: str, v: D) -> str:
    """The issue's table of default levels (notice only for the ODR)."""
    at_least = {"odr": (D("0.011"), D("0.01"), D("0.008")), "late_shipment_rate": (D("0.044"), D("0.04"), None),
                "cancel_rate": (D("0.0275"), D("0.025"), None)}
    below = {"inventory_accuracy": (D("0.98"), D("0.99")), "ad_conversion": (D("0.08"), D("0.10")),
             "valid_tracking_rate": (D("0.855"), D("0.95"))}
    if signal in at_least:
        crit, warn, notice = at_least[signal]
        return ("critical" if v >= crit else "warning" if v >= warn else
                "notice" if notice is not None and v >= notice else "ok")
    if signal in below:
        crit, warn = below[signal]
        return "critical" if v < crit else "warning" if v < warn else "ok"
    if signal == "supplier_lead_time":
        return "critical" if abs(v) > 3 else "warning" if abs(v) > 2 else "ok"
    if signal == "inventory_turnover":
        return "critical" if v > 45 else "warning" if v > 35 else "ok"
    return "warning" if v > 0 else "ok"  # ip_complaints: any increase


@pytest.fixture
def sqlite(monkeypatch, sellerops_home):
    monkeypatch.setenv("SELLEROPS_DATABASE_URL", f"sqlite:///{sellerops_home / 'test.db'}")


def test_each_signal_is_tripped_once(sqlite, tmp_path):
    files = write_health_files(tmp_path / "inbox", NOW)
    out = ingest_paths(files)
    assert [(o.status, o.reason) for o in out] == [(LOADED, None)] * len(files)
    with Session(get_engine()) as s:
        got = measure(s, NOW)
    levels = {(m.signal, m.subject): level(m.signal, m.value) for m in got}
    not_ok = {k: v for k, v in levels.items() if v != "ok"}
    assert not_ok == {(signal, subject): "warning" if signal == "ip_complaints" else "critical"
                      for signal, subject in TRIPPED.items()}
    assert set(TRIPPED) == set(SIGNALS)
    # and the rules have healthy subjects beside the tripped ones
    assert {k for k, v in levels.items() if v == "ok"} >= {
        ("odr", "ATVPDKIKX0DER/mfn"), ("inventory_accuracy", "WH1-B"), ("supplier_lead_time", "Acme Ceramics"),
        ("inventory_turnover", "HW-MUG-BLU"), ("ad_conversion", "ceramic mug")}


def test_the_files_are_the_same_for_the_same_clock(tmp_path):
    a = [p.read_bytes() for p in write_health_files(tmp_path / "a", NOW)]
    b = [p.read_bytes() for p in write_health_files(tmp_path / "b", NOW)]
    assert a == b and b'"rate": 0.012' in a[1]  # numbers written as the decimal text, never through a float
