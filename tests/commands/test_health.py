"""`sellerops health` as a user runs it, with no Prefect server in use: `health run` judges, records and
starts the answering procedures itself; `health` and `health history` show them with the issue's
exact JSON keys; a decision the procedures asked is answered with `sellerops decisions answer`.

The command runs in a child process whose sellerops.health.measure is a stand-in returning the
values in HEALTH_VALUES: measuring from the loaded reports is written on another branch, and here
the command line is what is tested.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent / "sellerops"
WARNING_KEYS = ["signal", "subject", "level", "value", "target", "since", "trend", "action"]
HISTORY_KEYS = ["signal", "subject", "from", "to", "at", "value"]
STAND_IN = """
import json, os, sys, types
from dataclasses import dataclass, field
from decimal import Decimal

@dataclass(frozen=True)
class Measurement:
    signal: str; subject: str; value: Decimal; at: object; detail: dict

module = types.ModuleType("sellerops.health.measure")
module.measure = lambda session, now, windows=None: [
    Measurement(signal, subject, Decimal(value), now, detail)
    for signal, subject, value, detail in json.loads(os.environ["HEALTH_VALUES"])]
sys.modules["sellerops.health.measure"] = module
sys.argv = ["sellerops", *sys.argv[1:]]
from sellerops.cli import main
main()
"""


def run(*args, values=None):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["HEALTH_VALUES"] = json.dumps(values or [])
    return subprocess.run([sys.executable, "-c", STAND_IN, *args], capture_output=True, text=True, env=env,
                          timeout=600)


def lines(p) -> list[dict]:
    assert p.returncode == 0, p.stderr
    return [json.loads(line) for line in p.stdout.splitlines()]


FIRST = [["odr", "ATVPDKIKX0DER/afn", "0.0115", {}],
         ["inventory_turnover", "SKU-9", "38", {"on_hand": 76}],
         ["ip_complaints", "ATVPDKIKX0DER", "1", {}],
         ["cancel_rate", "ATVPDKIKX0DER", "0.01", {}],
         ["supplier_lead_time", "Acme", "-3.5", {}]]


def test_run_show_history_and_answer(sellerops_home):
    p = run("health", "run", "--now", "2026-11-02T09:00:00Z", values=FIRST)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr and "Warning" not in p.stderr
    assert "odr ATVPDKIKX0DER/afn: ok → critical (0.0115)" in p.stdout
    assert "→ account-health-recheck for ATVPDKIKX0DER/afn" in p.stdout
    assert "→ supplier-switch for Acme" in p.stdout and "no backup supplier on file" in p.stdout

    rows = lines(run("health", "--format", "json"))
    assert all(list(r) == WARNING_KEYS for r in rows)
    assert [(r["signal"], r["level"]) for r in rows] == [
        ("odr", "critical"), ("supplier_lead_time", "critical"), ("inventory_turnover", "warning"),
        ("ip_complaints", "warning")]
    odr = rows[0]
    assert (odr["value"], odr["target"], odr["since"], odr["trend"]) == (
        0.0115, 0.008, "2026-11-02T09:00:00+00:00", [0.0115])
    assert odr["action"].startswith("account-health-recheck")
    assert [r["subject"] for r in lines(run("health", "--level", "warning", "--format", "json"))] == [
        "SKU-9", "ATVPDKIKX0DER"]
    assert lines(run("health", "--level", "ok", "--format", "json")) == []

    # an hour later: odr well back under every boundary (critical straight to ok), no new complaint
    later = [["odr", "ATVPDKIKX0DER/afn", "0.004", {}], ["ip_complaints", "ATVPDKIKX0DER", "0", {}]]
    assert run("health", "run", "--now", "2026-11-02T10:00:00Z", values=later).returncode == 0
    history = lines(run("health", "history", "--format", "json"))
    assert all(list(h) == HISTORY_KEYS for h in history)
    assert [(h["signal"], h["from"], h["to"], h["at"][:16]) for h in history if h["signal"] in ("odr", "ip_complaints")] == [
        ("odr", "ok", "critical", "2026-11-02T09:00"), ("ip_complaints", "ok", "warning", "2026-11-02T09:00"),
        ("odr", "critical", "ok", "2026-11-02T10:00"), ("ip_complaints", "warning", "ok", "2026-11-02T10:00")]

    # the recheck asked a person: answered like any decision
    owed = lines(run("decisions", "list", "--procedure", "account-health", "--format", "json"))
    recheck = next(d for d in owed if d["subject"] == "odr ATVPDKIKX0DER/afn")
    p = run("decisions", "answer", str(recheck["decision"]), "--approve", "--by", "maria")
    assert p.returncode == 0, p.stderr

    table = run("health")
    assert table.returncode == 0 and "Account-health warnings (2)" in table.stdout and "SKU-9" in table.stdout


def test_backup_supplier_then_the_switch(sellerops_home):
    assert run("health", "backup-supplier", "Acme", "Brill").returncode == 0
    p = run("health", "run", "--now", "2026-11-02T09:00:00Z", values=[["supplier_lead_time", "Acme", "4", {}]])
    assert p.returncode == 0, p.stderr
    assert "→ supplier-switch for Acme: done True, switched ['*']" in p.stdout


def test_a_bad_clock_or_level_is_one_clear_error(sellerops_home):
    p = run("health", "run", "--now", "yesterday")
    assert p.returncode == 1 and "--now 'yesterday': expected an ISO-8601 time" in p.stderr
    assert "Traceback" not in p.stderr
    p = run("health", "--level", "bad")
    assert p.returncode == 1 and "'bad' is not one of" in p.stderr


def test_the_demo_runs_the_chain_at_its_last_day(sellerops_home, monkeypatch, capsys):
    """In process, with the same stand-in measure: what `make demo` adds after the night."""
    import datetime as dt
    from decimal import Decimal

    import sellerops.cli  # noqa: F401  (first: the command groups import their helpers from it)
    from sellerops.commands.health import demo_chain
    from sellerops.health.service import history
    from sellerops.storage.engine import session
    from tests.sellerops.health.helpers import M

    import sellerops.health.measure as real

    monkeypatch.setattr(real, "measure", lambda s, now, windows=None: [
        M("ad_conversion", "blue widget", Decimal("0.05"), now, {"clicks": 200, "orders": 10})])
    monkeypatch.setattr(real, "history", lambda *args, **kw: [])
    end = dt.datetime(2026, 8, 30, 12, tzinfo=dt.timezone.utc)
    demo_chain(end)
    assert "1 open warnings (1 critical), 1 answering procedures started (keyword-task-list)" in capsys.readouterr().err
    with session() as s:
        assert [(h["to"], h["at"]) for h in history(s)] == [("critical", end.isoformat())]
