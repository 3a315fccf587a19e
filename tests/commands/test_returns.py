"""`sellerops returns` as a user runs it: run, list (exact JSON keys), decide (the same decision
`sellerops decisions list` shows), label, units (the returned units' dispositions and actions). No
Prefect server in use: the commands call the domain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.sellerops.returns.files import (ACTIONABLE_HEADER, FBA_RETURNS_HEADER, RMA_HEADER, actionable_line,
                                           fba_return_line, rma_line, write)

BIN = Path(sys.executable).parent / "sellerops"
KEYS = ["rma_id", "order_id", "sku", "quantity", "marketplace", "requested_at", "status", "reasons", "amount",
        "currency", "vip", "clv", "orders_365d", "care_script", "label", "decided_at", "decided_by",
        "hours_to_decision", "vip_reason"]
EMAIL = "q9buyer7r@marketplace.amazon.com"


def run(*args):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=600)


def rows(*args) -> list[dict]:
    p = run("returns", "list", "--format", "json", *args)
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines()]


@pytest.fixture
def loaded(tmp_path, sellerops_home):
    inbox = tmp_path / "in"
    inbox.mkdir()
    write(inbox / "rma.txt", RMA_HEADER + [""], [
        rma_line("111-0000001-0000001", "RAUTO1", "MUG-BLUE"),
        rma_line("111-0000002-0000002", "RBIG1", "LAMP", amount="180.00"),  # 180 > 150: a person decides
        rma_line("111-0000002-0000002", "RBIG1", "SHADE", amount="10.00", in_policy="N"),  # same RMA, 2nd SKU
    ])
    write(inbox / "actionable.txt", ACTIONABLE_HEADER, [actionable_line("111-0000001-0000001", EMAIL)])
    p = run("ingest", str(inbox), "--format", "json")
    assert p.returncode == 0, p.stderr
    return inbox


def test_run_list_decide_label(loaded, sellerops_home):
    p = run("returns", "run", "--now", "2025-07-12T10:00:00+02:00")  # 08:00 UTC
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    assert p.stderr.count("return_address") == 1  # no return address in the defaults: said once
    got = rows()
    assert [list(r) for r in got] == [KEYS] * 3
    by = {(r["rma_id"], r["sku"]): r for r in got}
    auto = by[("RAUTO1", "MUG-BLUE")]
    assert (auto["status"], auto["decided_by"], auto["hours_to_decision"], auto["vip"]) == ("authorized", "auto", 0.0, False)
    assert auto["decided_at"] == "2025-07-12T08:00:00+00:00" and Path(auto["label"]).is_absolute()
    assert by[("RBIG1", "LAMP")]["reasons"] == ["over_value_limit"]
    assert by[("RBIG1", "SHADE")]["reasons"] == ["out_of_policy"]
    assert by[("RBIG1", "LAMP")]["vip"] is None  # no buyer e-mail for that order: unknown, with why
    assert [r["rma_id"] for r in rows("--status", "needs_person")] == ["RBIG1", "RBIG1"]

    p = run("decisions", "list", "--procedure", "returns", "--format", "json")
    assert p.returncode == 0, p.stderr
    assert sorted(json.loads(x)["subject"] for x in p.stdout.splitlines()) == ["RBIG1", "RBIG1"]

    p = run("returns", "decide", "RBIG1", "--approve", "--note", "loyal buyer", "--by", "sam")
    assert p.returncode == 0, p.stderr
    assert [r["status"] for r in rows("--status", "authorized")].count("authorized") == 3
    big = {r["sku"]: r for r in rows() if r["rma_id"] == "RBIG1"}
    assert big["LAMP"]["decided_by"] == "sam" and big["LAMP"]["label"] == big["SHADE"]["label"]  # one label per RMA
    p = run("decisions", "list", "--procedure", "returns", "--format", "json")
    assert p.stdout.strip() == ""  # answered: nothing owed any more

    p = run("returns", "label", "RBIG1")
    assert p.returncode == 0 and p.stdout.strip() == big["LAMP"]["label"]
    Path(big["LAMP"]["label"]).unlink()
    p = run("returns", "label", "RBIG1")
    assert p.returncode == 0 and Path(p.stdout.strip()).exists()  # written again when missing


def test_errors_are_one_line_and_exit_1(loaded):
    run("returns", "run", "--now", "2025-07-12T08:00:00Z")
    for args, said in [(("decide", "NOPE", "--approve", "--note", "x"), "no return request NOPE"),
                       (("decide", "RAUTO1", "--reject", "--note", "x"), "waits for no decision"),
                       (("decide", "RBIG1", "--note", "x"), "give --approve or --reject"),
                       (("label", "RBIG1"), "not authorised")]:
        p = run("returns", *args)
        assert p.returncode == 1, (args, p.stderr)
        assert said in p.stderr and "Traceback" not in p.stderr
    p = run("returns", "list", "--status", "bogus")
    assert p.returncode != 0


def test_list_without_a_database_says_how_to_make_one(sellerops_home):
    p = run("returns", "list")
    assert p.returncode == 1 and "no database yet" in p.stderr


UNIT_KEYS = ["order_id", "sku", "marketplace", "returned_at", "license_plate_number", "quantity", "disposition",
             "action", "recorded_at"]


def test_units_shows_what_each_returned_unit_calls_for(tmp_path, sellerops_home):
    write(tmp_path / "fba.txt", FBA_RETURNS_HEADER, [
        fba_return_line("111-0000001-0000001", "MUG", "2025-07-08T10:00:00+00:00", 2),
        fba_return_line("111-0000002-0000001", "LAMP", "2025-07-09T10:00:00+00:00", 1, disposition="DEFECTIVE")])
    assert run("ingest", str(tmp_path / "fba.txt")).returncode == 0
    p = run("returns", "units", "--format", "json")
    assert p.returncode == 0 and p.stdout == ""  # nothing recorded before a run
    assert run("returns", "run", "--now", "2025-07-10T08:00:00Z").returncode == 0
    got = [json.loads(line) for line in run("returns", "units", "--format", "json").stdout.splitlines()]
    assert [list(r) for r in got] == [UNIT_KEYS] * 2
    assert [(r["sku"], r["disposition"], r["action"], r["quantity"]) for r in got] == [
        ("LAMP", "DEFECTIVE", "supplier_or_grading", 1), ("MUG", "SELLABLE", "restock", 2)]  # newest return first
    p = run("returns", "units", "--action", "restock")
    assert p.returncode == 0, p.stderr
    assert "MUG" in p.stdout and "restock" in p.stdout and "LAMP" not in p.stdout
    assert "1 lines, 2 units" in p.stdout
    assert run("returns", "run", "--now", "2025-07-10T09:00:00Z").returncode == 0
    assert len(run("returns", "units", "--format", "json").stdout.splitlines()) == 2  # a rerun records nothing twice
    p = run("returns", "units", "--action", "bogus")
    assert p.returncode != 0 and "'bogus' is not one of" in p.stderr


def test_the_cli_offers_exactly_the_actions_the_domain_records():
    import sellerops.cli  # noqa: F401  (registers the command groups in order)
    from sellerops.commands.returns import ACTIONS
    from sellerops.returns import units

    assert set(ACTIONS) == set(units.ACTIONS) == {units.unit_action(d) for d in ("SELLABLE", "DEFECTIVE", "EXPIRED")}
