"""`sellerops inbound` as a user runs it: track, status (exact JSON keys), claim-pack, and the findings
listed with their shipment id. No Prefect server in use: the commands call the domain directly."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sellerops.inbound.conftest import T0, Polls

BIN = Path(sys.executable).parent / "sellerops"
KEYS = ["shipment_id", "api_version", "destination_fc", "node", "node_number", "entered_at", "hours_in_node",
        "sla_hours", "sla_breached", "units_shipped", "units_received", "units_short", "delivered_at",
        "claim_window_opens", "claim_window_closes", "findings"]


def run(*args):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=600)


def days(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


@pytest.fixture
def loaded(tmp_path, sellerops_home):
    polls = Polls(tmp_path)
    polls.shipments(days(0), ("FBA1", "IN_TRANSIT"), ("FBA2", "SHIPPED"))
    polls.shipments(days(2), ("FBA1", "DELIVERED"), ("FBA2", "SHIPPED"))
    polls.shipments(days(6), ("FBA1", "CLOSED"), ("FBA2", "SHIPPED"))
    polls.items(days(6), "FBA1", ("S1", 10, 8))
    p = run("ingest", str(tmp_path), "--format", "json")
    assert p.returncode == 0, p.stderr
    assert {json.loads(line)["status"] for line in p.stdout.splitlines()} == {"loaded"}
    return polls


def test_track_status_findings_and_claim_pack(loaded, sellerops_home):
    p = run("inbound", "track", "--now", "2026-06-12T10:00:00+02:00")  # 08:00 UTC, day 11
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr and "Warning" not in p.stderr
    p = run("inbound", "status", "--now", "2026-06-12T08:00:00Z", "--format", "json")
    assert p.returncode == 0, p.stderr
    rows = {r["shipment_id"]: r for r in map(json.loads, p.stdout.splitlines())}
    assert list(rows["FBA1"]) == KEYS
    assert rows["FBA1"] == {
        "shipment_id": "FBA1", "api_version": "v0", "destination_fc": "PHX7", "node": "closed", "node_number": 11,
        "entered_at": "2026-06-07T08:00:00+00:00", "hours_in_node": 120.0, "sla_hours": None, "sla_breached": False,
        "units_shipped": 10, "units_received": 8, "units_short": 2, "delivered_at": "2026-06-03T08:00:00+00:00",
        "claim_window_opens": "2026-06-18", "claim_window_closes": "2026-08-02",
        "findings": ["inbound_shortage"]}
    # shipped 11 days ago: 264 h over the 240 h SLA of `shipped`
    assert rows["FBA2"]["findings"] == ["inbound_stuck"] and rows["FBA2"]["sla_breached"] is True
    assert rows["FBA2"]["units_short"] is None  # null until closed
    # a time without an offset is UTC
    naive = run("inbound", "status", "--now", "2026-06-12T08:00:00", "--format", "json")
    assert naive.stdout == p.stdout

    p = run("findings", "--format", "json", "--kind", "inbound_shortage")
    assert p.returncode == 0, p.stderr
    (f,) = map(json.loads, p.stdout.splitlines())
    # open while its window runs; the test's dates are fixed, so by today's calendar it may have expired
    assert (f["shipment_id"], f["sku"]) == ("FBA1", "S1") and f["status"] in ("open", "expired")

    p = run("inbound", "claim-pack", f["id"][:10])
    assert p.returncode == 0, p.stderr
    md = Path(p.stdout.strip())
    assert md.parent == sellerops_home / "claims" and md.suffix == ".md"
    text = md.read_text()
    assert "FBA1" in text and "PHX7" in text and "2026-06-03" in text and "| S1 | XS1 | 10 | 8 | 2 |" in text
    assert md.with_suffix(".csv").read_text().splitlines()[1].startswith("FBA1,PHX7,2026-06-03,S1,XS1,10,8,2,")

    p = run("inbound", "case", f["id"][:10], "C-123")
    assert p.returncode == 0, p.stderr
    closing = run("inbound", "status", "--now", "2026-07-30T00:00:00Z", "--format", "json")
    # three days before the window closes, but a case is filed: no claim_window_closing
    assert json.loads(closing.stdout.splitlines()[0])["findings"] == ["inbound_shortage"]


@pytest.mark.parametrize("args, message", [
    (("inbound", "status", "--now", "next tuesday"), "expected an ISO-8601 time"),
    (("inbound", "claim-pack", "nope"), "expected the id of an inbound_shortage finding"),
])
def test_errors_are_one_clear_line(loaded, args, message):
    p = run(*args)
    assert p.returncode == 1 and message in p.stderr and "Traceback" not in p.stderr
