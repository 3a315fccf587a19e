"""Settings read from the environment: the seller's time zone has one home (`DEFAULT_TIMEZONE`,
overridden by SELLEROPS_TIMEZONE) and a wrong name is refused with the variable named."""

from __future__ import annotations

import datetime as dt

import pytest

from sellerops.core.config import DEFAULT_TIMEZONE, settings


def test_the_seller_timezone_defaults_to_the_one_in_code(monkeypatch):
    monkeypatch.delenv("SELLEROPS_TIMEZONE", raising=False)
    s = settings()
    assert s.timezone == DEFAULT_TIMEZONE == "America/Los_Angeles"
    # 02:30 in Los Angeles on a January night is 10:30 UTC (PST, UTC-8)
    assert dt.datetime(2026, 1, 15, 2, 30, tzinfo=s.zone).astimezone(dt.timezone.utc).hour == 10


def test_sellerops_timezone_overrides_it(monkeypatch):
    monkeypatch.setenv("SELLEROPS_TIMEZONE", "Europe/Berlin")
    assert settings().timezone == "Europe/Berlin" and str(settings().zone) == "Europe/Berlin"


def test_an_unknown_zone_names_the_variable(monkeypatch):
    monkeypatch.setenv("SELLEROPS_TIMEZONE", "Mars/Olympus_Mons")
    with pytest.raises(ValueError, match="SELLEROPS_TIMEZONE: .*'Mars/Olympus_Mons'"):
        settings()
