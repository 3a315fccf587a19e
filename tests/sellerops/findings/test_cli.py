"""`sellerops findings` and `sellerops findings claim` as a user runs them (a subprocess, as
tests/sellerops/test_cli.py does): JSON keys, the procedure filter, claims, one-line errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from sellerops.findings import list_findings, store
from tests.sellerops.findings.conftest import NIGHT, record
from tests.sellerops.test_cli import run

pytestmark = pytest.mark.usefixtures("sqlite_db")


@pytest.fixture
def two_procedures():
    recon, inbound = record(order_id="R1"), record(kind="inbound_shortage", order_id=None, sku="SKU-9")
    store([recon], procedure="reconciliation", now=NIGHT[0])
    store([inbound], procedure="inbound", now=NIGHT[0])
    return recon, inbound


def _json(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_findings_json_and_csv_carry_procedure_and_claim(two_procedures):
    recon, _ = two_procedures
    p = run("findings", "--format", "json")
    assert p.returncode == 0, p.stderr
    rows = {r["id"]: r for r in _json(p.stdout)}
    assert (rows[recon.key]["procedure"], rows[recon.key]["claim_state"], rows[recon.key]["case_id"],
            rows[recon.key]["claimed_at"]) == ("reconciliation", "none", None, None)
    c = run("findings", "--format", "csv")
    assert c.returncode == 0, c.stderr
    table = list(csv.DictReader(io.StringIO(c.stdout)))
    assert {r["id"]: r["procedure"] for r in table} == {f["id"]: f["procedure"] for f in list_findings()}
    assert list(table[0])[:14] == ["id", "kind", "settlement_id", "order_id", "sku", "amount", "currency", "status",
                                   "detail", "claim_window_opens", "claim_window_closes", "first_seen",
                                   "last_seen", "evidence"]  # the existing columns keep their places


def test_findings_procedure_filter(two_procedures):
    _, inbound = two_procedures
    p = run("findings", "--procedure", "inbound", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert [r["id"] for r in _json(p.stdout)] == [inbound.key]


def test_claim_then_outcome(two_procedures):
    recon, _ = two_procedures
    p = run("findings", "claim", recon.key, "--case-id", "12345678901", "--format", "json")
    assert p.returncode == 0, p.stderr
    [row] = _json(p.stdout)
    assert (row["id"], row["claim_state"], row["case_id"], row["status"]) == (
        recon.key, "claimed", "12345678901", "open")
    assert row["claimed_at"].endswith("+00:00")
    p = run("findings", "claim", recon.key, "--outcome", "reimbursed", "--format", "json")
    assert p.returncode == 0, p.stderr
    [row] = _json(p.stdout)
    assert (row["claim_state"], row["case_id"], row["status"]) == ("reimbursed", "12345678901", "open")
    [stored] = [f for f in list_findings() if f["id"] == recon.key]
    assert stored["claim_state"] == "reimbursed"


def test_claim_table_output_names_the_finding(two_procedures):
    recon, _ = two_procedures
    p = run("findings", "claim", recon.key[:10], "--case-id", "C-7", env={"COLUMNS": "200"})
    assert p.returncode == 0, p.stderr
    assert recon.key[:10] in p.stdout and "C-7" in p.stdout and "claimed" in p.stdout


def test_an_outcome_on_a_finding_never_claimed_is_recorded(two_procedures):
    recon, _ = two_procedures
    p = run("findings", "claim", recon.key, "--outcome", "denied", "--format", "json")
    assert p.returncode == 0, p.stderr
    [row] = _json(p.stdout)
    assert (row["claim_state"], row["claimed_at"], row["case_id"]) == ("denied", None, None)


@pytest.mark.parametrize("args", [[], ["--case-id", "C", "--outcome", "denied"]])
def test_claim_needs_exactly_one_of_case_id_and_outcome(two_procedures, args):
    recon, _ = two_procedures
    p = run("findings", "claim", recon.key, *args)
    assert p.returncode == 1
    assert p.stderr.strip() == "sellerops: error: findings claim: give exactly one of --case-id or --outcome"
    assert p.stdout == ""
    assert [f["claim_state"] for f in list_findings()] == ["none", "none"]


def test_claim_of_an_unknown_finding_is_one_clear_error(two_procedures):
    p = run("findings", "claim", "nosuchfinding", "--case-id", "C")
    assert p.returncode == 1
    assert p.stderr.strip() == "sellerops: error: finding 'nosuchfinding': no such finding"
    assert p.stdout == "" and "Traceback" not in p.stderr


def test_claim_help_says_an_outcome_needs_no_claim():
    p = run("findings", "claim", "--help")
    assert p.returncode == 0
    assert "never claimed" in p.stdout


def test_claim_does_not_import_prefect(two_procedures):
    import os
    import subprocess
    import sys

    recon, _ = two_procedures
    code = ("import sys\nfrom sellerops.cli import app\n"
            f"app(['findings', 'claim', '{recon.key}', '--case-id', 'C-1', '--format', 'json'], standalone_mode=False)\n"
            "print('prefect' in sys.modules, file=sys.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip().splitlines()[-1] == "False"
    assert json.loads(p.stdout)["claim_state"] == "claimed"
