"""The board's text: sparklines, values in their units, targets, and a row per signal."""

from __future__ import annotations

from decimal import Decimal as D

from sellerops.health.board import markdown, sparkline, target_text, value_text, warnings_table
from sellerops.health.levels import DEFAULT_RULES as R, SIGNALS, Thresholds
from sellerops.health.watch import judge
from tests.sellerops.health.helpers import m


def test_sparkline_scales_between_the_lowest_and_highest_and_marks_infinity():
    assert sparkline([D(1), D(2), D(3), D(8)]) == "▁▂▃█"  # (v - 1) / 7 * 7: bars 0, 1, 2 and 7
    assert sparkline([D("0.01")] * 3) == "▅▅▅"  # flat: the middle bar
    assert sparkline([D(40), D("Infinity")]) == "▅∞"
    assert sparkline([]) == ""


def test_values_and_targets_in_their_units():
    assert value_text(R["odr"], D("0.0125")) == "1.25 %"
    assert value_text(R["inventory_turnover"], D("Infinity")) == "∞ days (nothing shipped)"
    assert value_text(R["supplier_lead_time"], D("-3.333")) == "-3.33 days"
    assert target_text(R["odr"]) == "< 0.8 %"
    assert target_text(R["valid_tracking_rate"]) == "≥ 95 %"
    assert target_text(R["supplier_lead_time"]) == "abs ≤ 2 days"
    assert target_text(R["ip_complaints"]) == "≤ 0"


def test_the_markdown_has_a_row_per_signal_and_a_section_per_measured_one():
    judged = judge([m("odr", "ATVPDKIKX0DER/afn", "0.012"), m("odr", "ATVPDKIKX0DER/mfn", "0.002")], {}, Thresholds())
    text = markdown(judged, {("odr", "ATVPDKIKX0DER/afn"): [D("0.009"), D("0.012")]}, Thresholds(), "2026-11-02 09:00")
    assert "| `odr` | 🔴 critical | 2 | ATVPDKIKX0DER/afn: 1.2 % | < 0.8 % | ▁█ |" in text
    assert all(f"| `{s}` |" in text for s in SIGNALS)
    assert "| `cancel_rate` | no data |" in text and "## `odr`" in text and "## `cancel_rate`" not in text
    assert "frozen" not in text
    assert "**Warehouse operations frozen at BIN-A, BIN-C**" in markdown(judged, {}, Thresholds(), "now",
                                                                         frozen=["BIN-A", "BIN-C"])


def test_the_warnings_table_rows():
    rows = warnings_table([{"signal": "inventory_turnover", "subject": "SKU-1", "level": "critical",
                            "value": None, "target": 35, "since": "2026-11-02T09:00:00+00:00",
                            "trend": [40, None], "action": "slow-mover-clearance: …"}], Thresholds())
    assert rows == [{"signal": "inventory_turnover", "subject": "SKU-1", "level": "critical",
                     "value": "∞ days (nothing shipped)", "target": "≤ 35 days", "since": "2026-11-02 09:00",
                     "trend": "▅∞", "action": "slow-mover-clearance: …"}]
