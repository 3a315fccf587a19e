"""`sellerops incident` and `sellerops decisions` as a person types them, with no Prefect server in use:
exit codes, JSON keys, one clear error line, and answers recorded where the other side sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "sellerops"
TAKEDOWN = ("incident", "takedown", "--sku", "SKU-1", "--asin", "B0TEST", "--marketplace", "Amazon.com",
            "--reason", "IP complaint: trademark", "--complaint-id", "C-77", "--rights-owner", "Brandco")


@pytest.fixture(autouse=True)
def no_server(monkeypatch, tmp_path):
    """No Prefect server in use: nothing in PREFECT_API_URL and no `make up` run folder here."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("SELLEROPS_RUN_DIR", str(tmp_path / "no-run"))
    monkeypatch.chdir(tmp_path)


def cli(capsys, monkeypatch, *args):
    """Run the command in this process, as `main()` does: (exit code, stdout, stderr)."""
    from sellerops.cli import main

    monkeypatch.setattr(sys, "argv", ["sellerops", *args])
    with pytest.raises(SystemExit) as stop:
        main()
    got = capsys.readouterr()
    return stop.value.code, got.out, got.err


def json_of(out: str):
    return [json.loads(line) for line in out.splitlines()]


def test_takedown_opens_once_per_listing_and_returns_at_once(capsys, monkeypatch):
    rc, out, err = cli(capsys, monkeypatch, *TAKEDOWN, "--poa-hours", "0.5", "--format", "json")
    assert rc == 0, err
    assert json_of(out) == [{"incident": "INC-1", "created": True, "run_url": None}]
    rc, out, err = cli(capsys, monkeypatch, *TAKEDOWN, "--format", "json")
    assert rc == 0 and json_of(out) == [{"incident": "INC-1", "created": False, "run_url": None}]
    rc, out, _ = cli(capsys, monkeypatch, *TAKEDOWN)
    assert rc == 0 and "INC-1 is already open" in out


def test_show_has_the_issue_keys(capsys, monkeypatch):
    cli(capsys, monkeypatch, *TAKEDOWN, "--poa-hours", "1.25")
    rc, out, _ = cli(capsys, monkeypatch, "incident", "show", "INC-1", "--format", "json")
    [j] = json_of(out)
    assert rc == 0
    assert set(j) == {"incident", "account", "marketplace", "sku", "asin", "reason", "complaint_id", "rights_owner",
                      "status", "opened_at", "closed_at", "outcome", "tiers", "appeal", "timeline"}
    assert [set(t) for t in j["tiers"]] == [{"tier", "name", "owner", "state", "deadline", "answered_at",
                                             "answered_by", "breached_at", "escalated_to"}] * 3
    assert set(j["appeal"]) == {"allowed", "filed_at", "priority_review"}
    assert set(j["timeline"][0]) == {"at", "kind", "tier", "what", "by"}
    assert (j["complaint_id"], j["rights_owner"], j["status"]) == ("C-77", "Brandco", "open")
    import datetime as dt

    opened = dt.datetime.fromisoformat(j["opened_at"])
    assert dt.datetime.fromisoformat(j["tiers"][0]["deadline"]) - opened == dt.timedelta(minutes=75)


def test_appeal_refused_on_stderr_exit_1_and_recorded(capsys, monkeypatch):
    cli(capsys, monkeypatch, *TAKEDOWN)
    rc, out, err = cli(capsys, monkeypatch, "incident", "appeal", "INC-1", "--by", "ann")
    assert rc == 1 and out == ""
    assert "approved Plan of Action (tier 1)" in err and "legal decision of appeal" in err
    assert "Traceback" not in err
    rc, _, _ = cli(capsys, monkeypatch, "incident", "answer", "INC-1", "--tier", "1", "--approve", "--by", "cs")
    assert rc == 0
    rc, out, err = cli(capsys, monkeypatch, "incident", "appeal", "INC-1")
    assert rc == 1 and "legal decision of appeal" in err and "Plan of Action" not in err
    rc, _, err = cli(capsys, monkeypatch, "incident", "answer", "INC-1", "--tier", "2", "--decision", "appeal",
                     "--complaint-valid", "no", "--evidence-complete", "yes", "--by", "lee")
    assert rc == 0, err
    rc, out, err = cli(capsys, monkeypatch, "incident", "appeal", "INC-1", "--by", "ann")
    assert rc == 0, err
    _, out, _ = cli(capsys, monkeypatch, "incident", "show", "INC-1", "--format", "json")
    [j] = json_of(out)
    kinds = [e["kind"] for e in j["timeline"]]
    assert kinds.count("appeal_refused") == 2 and kinds[-1] == "appeal_filed"
    assert j["appeal"]["allowed"] and j["appeal"]["filed_at"]
    assert [(t["state"], t["answered_by"]) for t in j["tiers"][:2]] == [("done", "cs"), ("done", "lee")]


def test_tier_answers_exactly_as_the_issue_writes_them(capsys, monkeypatch, tmp_path):
    cli(capsys, monkeypatch, *TAKEDOWN)
    poa = tmp_path / "poa.md"
    poa.write_text("# Plan of Action\nedited\n", encoding="utf-8")
    rc, _, err = cli(capsys, monkeypatch, "incident", "answer", "INC-1", "--tier", "1", "--approve", "--text-file",
                     str(poa))
    assert rc == 0, err
    rc, _, err = cli(capsys, monkeypatch, "incident", "answer", "INC-1", "--tier", "3", "--confirm")
    assert rc == 1 and "no backup listing is configured for SKU-1" in err
    assert cli(capsys, monkeypatch, "incident", "backup", "set", "--sku", "SKU-1", "--backup-sku", "SKU-1-B")[0] == 0
    rc, out, _ = cli(capsys, monkeypatch, "incident", "backup", "list", "--format", "json")
    assert [(r["sku"], r["backup_sku"]) for r in json_of(out)] == [("SKU-1", "SKU-1-B")]
    rc, _, err = cli(capsys, monkeypatch, "incident", "answer", "INC-1", "--tier", "3", "--confirm", "--by", "ops")
    assert rc == 0, err
    rc, _, err = cli(capsys, monkeypatch, "incident", "answer", "INC-1", "--tier", "2", "--approve")
    assert rc == 1 and "--approve is not an answer for tier 2" in err
    rc, _, err = cli(capsys, monkeypatch, "incident", "answer", "INC-1", "--tier", "3", "--confirm")
    assert rc == 1 and "already answered by ops" in err
    _, out, _ = cli(capsys, monkeypatch, "incident", "show", "INC-1", "--format", "json")
    [j] = json_of(out)
    assert "SKU-1-B launched" in [e["what"] for e in j["timeline"] if e["kind"] == "answered" and e["tier"] == 3][0]
    from sellerops import incidents
    from sellerops.storage.engine import session

    with session() as s:
        assert incidents.poa_text(s, incidents.get(s, "INC-1")) == "# Plan of Action\nedited\n"


def test_sweep_takes_offsets_and_escalates_each_step_once(capsys, monkeypatch):
    _, out, _ = cli(capsys, monkeypatch, *TAKEDOWN, "--backup-hours", "1", "--escalate-every-hours", "0.5",
                    "--format", "json")
    _, out, _ = cli(capsys, monkeypatch, "incident", "show", "INC-1", "--format", "json")
    import datetime as dt

    deadline = dt.datetime.fromisoformat(json_of(out)[0]["tiers"][2]["deadline"])
    at = (deadline + dt.timedelta(minutes=40)).astimezone(dt.timezone(dt.timedelta(hours=9)))
    rc, out, err = cli(capsys, monkeypatch, "incident", "sweep", "--now", at.isoformat(), "--format", "json")
    assert rc == 0, err
    assert [(e["subject"], e["step"], e["role"], e["notified"]) for e in json_of(out)] == [
        ("INC-1", 1, "operations_manager", False), ("INC-1", 2, "owner", False)]
    # no server in use: the escalations are recorded, not sent, and say why
    assert {e["notify_error"] for e in json_of(out)} == {
        "no Prefect server in use, so no notification block can be loaded (`make up`, or set PREFECT_API_URL)"}
    _, shown, _ = cli(capsys, monkeypatch, "incident", "show", "INC-1", "--format", "json")
    escalated = [e["what"] for e in json_of(shown)[0]["timeline"] if e["kind"] == "escalated"]
    assert len(escalated) == 2 and all("notification not sent: no Prefect server in use" in w for w in escalated)
    naive_utc = (deadline + dt.timedelta(hours=5)).astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat()
    rc, out, _ = cli(capsys, monkeypatch, "incident", "sweep", "--now", naive_utc, "--format", "json")
    assert rc == 0 and out == ""  # the chain's end was reached: nobody is told twice
    rc, out, _ = cli(capsys, monkeypatch, "decisions", "list", "--role", "owner", "--format", "json")
    [d] = json_of(out)
    assert (d["subject"], d["role"], d["escalated_to"]) == ("INC-1", "operations", "owner")
    rc, _, err = cli(capsys, monkeypatch, "incident", "sweep", "--now", "soon")
    assert rc == 1 and "expected an ISO-8601 time" in err


def test_decisions_list_and_answer(capsys, monkeypatch):
    import datetime as dt

    from sellerops import decisions
    from sellerops.storage.engine import session

    cli(capsys, monkeypatch, *TAKEDOWN)
    with session() as s:
        d = decisions.ask(s, procedure="returns", subject="RMA-9", what="send a VIP care reply", role="customer_service",
                          deadline=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
        s.commit()
        yes_no = d.id
    rc, out, _ = cli(capsys, monkeypatch, "decisions", "list", "--format", "json")
    rows = json_of(out)
    assert rc == 0 and rows[0]["subject"] == "RMA-9"  # oldest deadline first
    assert set(rows[0]) == {"decision", "procedure", "subject", "what", "role", "deadline", "escalated_to"}
    assert [r["subject"] for r in json_of(cli(capsys, monkeypatch, "decisions", "list", "--procedure",
                                              "listing-takedown", "--format", "json")[1])] == ["INC-1"] * 3
    rc, _, err = cli(capsys, monkeypatch, "decisions", "answer", str(rows[1]["decision"]), "--approve")
    assert rc == 1 and "sellerops incident answer INC-1 --tier" in err
    rc, _, err = cli(capsys, monkeypatch, "decisions", "answer", str(yes_no), "--reject", "--note", "not VIP",
                     "--by", "zoe")
    assert rc == 0, err
    with session() as s:
        d = decisions.find(s, yes_no)
        assert (d.state, d.answer, d.note, d.answered_by) == ("done", "rejected", "not VIP", "zoe")
    rc, _, err = cli(capsys, monkeypatch, "decisions", "answer", str(yes_no))
    assert rc == 1 and "--approve or --reject" in err


def test_close_withdraws_owed_decisions_and_list_filters(capsys, monkeypatch):
    cli(capsys, monkeypatch, *TAKEDOWN)
    rc, _, err = cli(capsys, monkeypatch, "incident", "close", "INC-1", "--outcome", "removal_accepted")
    assert rc == 0, err
    assert cli(capsys, monkeypatch, "decisions", "list", "--format", "json")[1] == ""
    assert json_of(cli(capsys, monkeypatch, "incident", "list", "--status", "open", "--format", "json")[1]) == []
    [j] = json_of(cli(capsys, monkeypatch, "incident", "list", "--status", "closed", "--format", "json")[1])
    assert (j["incident"], j["outcome"]) == ("INC-1", "removal_accepted")
    rc, out, err = cli(capsys, monkeypatch, *TAKEDOWN, "--format", "json")
    assert json_of(out)[0]["incident"] == "INC-2" and json_of(out)[0]["created"]
    rc, _, err = cli(capsys, monkeypatch, "incident", "show", "INC-9")
    assert rc == 1 and "no incident INC-9" in err


def test_tables_read_at_80_columns(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    cli(capsys, monkeypatch, *TAKEDOWN)
    for args in (("incident", "list"), ("incident", "show", "INC-1"), ("decisions", "list")):
        rc, out, _ = cli(capsys, monkeypatch, *args)
        assert rc == 0 and out.strip()
        assert max(len(line) for line in out.splitlines()) <= 80, out


def test_a_takedown_with_no_server_imports_no_prefect(tmp_path):
    """In a fresh process, as a person runs it: no Prefect, and stdout only JSON."""
    code = ("import sys\nfrom sellerops.cli import main\nsys.argv = ['sellerops', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    print('prefect' in sys.modules, e.code, file=sys.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code, *TAKEDOWN, "--format", "json"], capture_output=True, text=True,
                       env=dict(os.environ, SELLEROPS_HOME=str(tmp_path / "h"), SELLEROPS_RUN_DIR=str(tmp_path / "r")),
                       cwd=tmp_path, timeout=120)
    assert p.stderr.strip().splitlines()[-1] == "False 0", p.stderr
    assert json.loads(p.stdout) == {"incident": "INC-1", "created": True, "run_url": None}
