"""The command line as a user runs it: JSON-only stdout, exit codes, one clear error line, and
read-only commands that never start (or even import) Prefect."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "reports" / "data"
BIN = Path(sys.executable).parent / "sellerops"


def run(*args, env=None, timeout=600):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=e, timeout=timeout)


def test_read_only_commands_do_not_import_prefect(sellerops_home):
    from sellerops.storage.engine import get_engine

    get_engine()  # a database to read
    code = ("import sys\nfrom sellerops.cli import app\n"
            "for argv in (['reports', '--format', 'json'], ['findings', '--format', 'json'],\n"
            "             ['health', '--format', 'json'], ['health', 'history', '--format', 'json']):\n"
            "    try:\n        app(argv, standalone_mode=False)\n    except SystemExit:\n        pass\n"
            "print('prefect' in sys.modules, 'great_expectations' in sys.modules, file=sys.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=dict(os.environ, SELLEROPS_HOME=str(sellerops_home)))
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip().splitlines()[-1] == "False False"


def test_bad_path_is_one_clear_error(sellerops_home):
    p = run("ingest", "/no/such/folder")
    assert p.returncode == 1
    assert p.stderr.strip() == "sellerops: error: /no/such/folder: no such file or folder"
    assert p.stdout == ""


def test_bad_option_value_is_one_clear_error(sellerops_home):
    p = run("reconcile", "--as-of", "yesterday")
    assert p.returncode == 1 and "expected a date as YYYY-MM-DD" in p.stderr
    assert "Traceback" not in p.stderr


def test_ingest_json_is_only_json_and_exit_2_on_quarantine(sellerops_home, tmp_path):
    for n in ("settlement_ok.txt", "settlement_non_numeric_amount.txt"):
        shutil.copy(DATA / n, tmp_path / n)
    p = run("ingest", str(tmp_path), "--format", "json")
    assert p.returncode == 2, p.stderr
    lines = [json.loads(x) for x in p.stdout.splitlines()]
    assert {(Path(x["path"]).name, x["status"], x["rows"]) for x in lines} == {
        ("settlement_ok.txt", "loaded", 4), ("settlement_non_numeric_amount.txt", "quarantined", 0)}
    assert set(lines[0]) == {"path", "sha256", "report_type", "status", "rows", "reason"}
    # a normal run prints no traceback and no warning spam
    for bad in ("Traceback", "Warning", "WARNING", "CancelledError", "database is locked", "Calculating Metrics"):
        assert bad not in p.stderr, p.stderr

    r = run("reports", "--format", "json")
    assert r.returncode == 0
    seen = [json.loads(x) for x in r.stdout.splitlines()]
    assert [Path(x["path"]).name for x in seen] == ["settlement_non_numeric_amount.txt", "settlement_ok.txt"]
    assert seen[0]["reason"].startswith(str(tmp_path / "settlement_non_numeric_amount.txt") + ":4:15: amount:")


# ---- a CLI that answers in a second and fits a terminal -----------------------------------------

import pytest


@pytest.fixture(scope="module")
def seller(tmp_path_factory):
    """A demo seller ingested and reconciled through the CLI alone (no Prefect server in use)."""
    root = tmp_path_factory.mktemp("seller")
    env = {"SELLEROPS_HOME": str(root / "home")}
    assert run("demo-data", str(root / "demo"), "--days", "40", env=env).returncode == 0
    p = run("ingest", str(root / "demo" / "reports"), env=env)
    assert p.returncode == 0, p.stderr
    p = run("reconcile", env=env)
    assert p.returncode == 0, p.stderr
    return root, env


def test_version():
    p = run("--version")
    assert p.returncode == 0 and p.stdout.startswith("sellerops ")


@pytest.mark.parametrize("argv, says", [
    (("findings", "--bogus"), "No such option"),
    (("ingest",), "Missing argument 'PATH...'"),
    (("findings", "--status", "lost"), "Invalid value for '--status'"),
    (("frobnicate",), "No such command"),
])
def test_usage_errors_are_clicks_own_message_and_exit_1(argv, says):
    p = run(*argv)
    assert p.returncode == 1, p.stderr
    assert says in p.stderr and "Usage: sellerops" in p.stderr
    for bad in ("NoSuchOption", "MissingParameter", "BadParameter", "Traceback", "SELLEROPS_DEBUG"):
        assert bad not in p.stderr


def test_help_names_real_values():
    p = run("ingest", "--help")
    assert p.returncode == 0
    assert "PATH..." in p.stdout and "[table|json|csv]" in p.stdout
    for bad in ("<list[Path]>", "{paths}", "<bool>", "<str>"):
        assert bad not in p.stdout


def test_a_read_only_command_never_creates_a_database(tmp_path):
    p = subprocess.run([str(BIN), "findings"], capture_output=True, text=True, cwd=tmp_path,
                       env={k: v for k, v in os.environ.items() if k != "SELLEROPS_HOME"})
    assert p.returncode == 1
    assert f"no database yet at {tmp_path / '.sellerops' / 'sellerops.db'}" in p.stderr and "sellerops ingest" in p.stderr
    assert not (tmp_path / ".sellerops").exists()


def test_every_database_command_names_its_database(seller, tmp_path):
    root, env = seller
    for argv in (("findings",), ("reports", "--format", "json"), ("reconcile", "--format", "json")):
        p = run(*argv, env=env)
        assert p.returncode == 0, p.stderr
        assert f"database: {root / 'home' / 'sellerops.db'}" in p.stderr.splitlines()
    # --home names another one
    p = run("--home", str(tmp_path / "elsewhere"), "findings", env=env)
    assert p.returncode == 1 and "elsewhere" in p.stderr


def test_findings_fit_80_columns_with_words_whole(seller):
    _, env = seller
    p = run("findings", env=dict(env, COLUMNS="80"))
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    header = next(line for line in lines if line.startswith("id "))
    assert header.split()[:4] == ["id", "kind", "deadline", "days"]
    # every finding's detail is somewhere, whole (the json has it in one piece)
    j = run("findings", "--format", "json", env=env)
    details = [json.loads(x)["detail"] for x in j.stdout.splitlines()]
    text = " ".join(" ".join(lines).split())
    assert len(details) >= 5 and all(" ".join(d.split()) in text for d in details)


def test_findings_show_one_in_full(seller):
    _, env = seller
    first = json.loads(run("findings", "--format", "json", env=env).stdout.splitlines()[0])
    p = run("findings", "show", first["id"][:10], env=env)
    assert p.returncode == 0, p.stderr
    assert first["id"] in p.stdout and "evidence" in p.stdout
    p = run("findings", "show", first["id"], "--format", "json", env=env)
    assert json.loads(p.stdout)["id"] == first["id"]
    assert run("findings", "show", "nope", env=env).returncode == 1


def test_csv_wherever_offered(seller):
    _, env = seller
    for argv, first_column in ((("reconcile",), "as_of"), (("findings",), "id"), (("reports",), "path")):
        p = run(*argv, "--format", "csv", env=env)
        assert p.returncode == 0, p.stderr
        assert p.stdout.splitlines()[0].split(",")[0] == first_column


def test_reconcile_with_nothing_new_recomputes_nothing_and_full_does(seller):
    _, env = seller
    p = run("reconcile", "--format", "json", env=env)
    assert json.loads(p.stdout)["skipped"] is True
    p = run("reconcile", "--full", "--format", "json", env=env)
    got = json.loads(p.stdout)
    assert got["skipped"] is False and got["settlements_checked"] > 0


def test_commands_without_a_server_start_no_prefect(seller):
    """No server in use: reconcile and an ingest of known files call the domain directly."""
    root, env = seller
    code = ("import sys\nfrom sellerops.cli import main\n"
            f"sys.argv = ['sellerops'] + sys.argv[1:]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('prefect' in sys.modules, file=sys.stderr)\n")
    env2 = {k: v for k, v in dict(os.environ, **env).items() if k != "PREFECT_API_URL"}
    for argv in (["reconcile"], ["ingest", str(root / "demo" / "reports")]):
        p = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env2)
        assert p.stderr.strip().splitlines()[-1] == "False", p.stderr


def test_table_paths_are_relative_json_keeps_them_absolute(seller, tmp_path):
    root, env = seller
    shutil.copy(DATA / "settlement_truncated.txt", tmp_path / "t.txt")
    p = subprocess.run([str(BIN), "ingest", "t.txt"], capture_output=True, text=True, cwd=tmp_path,
                       env=dict(os.environ, **env))
    assert p.returncode == 2
    assert p.stdout.splitlines()[-2:][0].strip().startswith("t.txt:") or "    t.txt:" in p.stdout
    assert str(tmp_path) not in p.stdout
    assert "quarantine" in p.stderr
    j = run("reports", "--format", "json", env=env)
    assert any(json.loads(x)["path"] == str(tmp_path / "t.txt") for x in j.stdout.splitlines())
