"""The reconciliation's runs on small report files in a temporary SQLite database: what a run
stores and records, when a night is skipped, and that the run (not a read) prunes the frame cache."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from sellerops.findings import list_findings, store
from sellerops.ingest import ingest_paths
from sellerops.reconciliation import Policy
from sellerops.reconciliation.input import load_input
from sellerops.reconciliation.runs import data_version, last_run, policy_digest, run_reconcile
from sellerops.storage import framecache
from tests.sellerops.findings.conftest import NIGHT, record

DATA = Path(__file__).parents[1] / "reports" / "data"


@pytest.fixture
def loaded(sellerops_home):
    # two settlements: one clean, one with the same fee line twice (a duplicate_charge)
    outcomes = ingest_paths([DATA / "settlement_ok.txt", DATA / "settlement_two_identical_rows.txt"])
    assert [o.status for o in outcomes] == ["loaded", "loaded"]


def test_a_run_stores_the_reconciliations_findings_and_records_itself(loaded):
    out = run_reconcile()
    assert not out.skipped and out.settlements_checked == 2 and out.open == 1
    assert out.as_of == {"Amazon.com USD": "2026-06-15"}  # the latest settlement end, per market
    [f] = list_findings()
    assert (f["kind"], f["procedure"], f["id"]) == ("duplicate_charge", "reconciliation", out.new[0])
    run = last_run()
    assert (run.findings_open, run.findings_new, run.data_version) == (1, 1, data_version())
    assert run.policy_digest == policy_digest(Policy())


def test_a_night_with_nothing_new_is_skipped_unless_forced_or_the_policy_changed(loaded):
    run_reconcile()
    again = run_reconcile()
    assert again.skipped and again.open == 1 and again.new == []
    assert not run_reconcile(force=True).skipped
    other = dataclasses.replace(Policy(), grace_days_fba=Policy().grace_days_fba + 1)
    assert policy_digest(other) != policy_digest(Policy())
    assert not run_reconcile(policy=other).skipped


def test_a_new_file_moves_the_data_version(loaded):
    before = data_version()
    ingest_paths([DATA / "settlement_reordered_extra.txt"])
    assert data_version() > before


def test_a_reconciliation_run_leaves_other_procedures_findings_open(loaded):
    inbound = record(kind="inbound_shortage", order_id=None, sku="SKU-9")
    store([inbound], procedure="inbound", now=NIGHT[0])
    run_reconcile()
    got = {f["id"]: f for f in list_findings()}
    assert got[inbound.key]["status"] == "open" and got[inbound.key]["procedure"] == "inbound"


def test_reading_the_input_deletes_nothing_and_the_run_prunes(loaded):
    stale = framecache.root() / "settlement_lines" / "999-0123456789abcdef-1-v1.pkl"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"x")
    os.utime(stale, (0, 0))  # old enough that no loader can still be writing it
    load_input()
    assert stale.exists()
    run_reconcile()
    assert not stale.exists()
    assert any(framecache.root().rglob("*.pkl"))  # the live copies stay
