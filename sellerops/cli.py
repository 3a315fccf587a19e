"""The `sellerops` command line: the edge of the package.

Read-only commands (`reports`, `findings`) touch only the database and never start Prefect; the
commands that run a procedure import its flow lazily, inside the command. With `--format json` a
command writes only JSON to stdout, one object per line; logs and progress go to stderr.
Exit codes: 0 success (findings are not an error), 1 error, 2 something was quarantined.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

# Quiet the heavy dependencies before anything imports them: this network refuses outside calls
# and a user must not see telemetry noise or progress bars nobody watches.
for _k, _v in {
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_CLI_PROMPT": "false",
    "TQDM_DISABLE": "1",
}.items():
    os.environ.setdefault(_k, _v)

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="An Amazon seller's standard operating procedures as code.")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class Fmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class Fail(Exception):
    """An error the user can act on: printed as one line, exit 1."""


def _json_lines(rows: list[dict]) -> None:
    for r in rows:
        sys.stdout.write(json.dumps(r, default=str) + "\n")
    sys.stdout.flush()


def _csv(rows: list[dict], columns: list[str]) -> None:
    w = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in r.items()})


def _table(title: str, rows: list[dict], columns: list[str]) -> None:
    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold", justify="right" if c in ("rows", "amount") else "left")
    for r in rows:
        t.add_row(*["" if r.get(c) is None else str(r.get(c)) for c in columns])
    out.print(t)


def _prefect_quiet() -> None:
    """Settings for a CLI run of a flow: ephemeral server when none is configured, logs on stderr."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Report files and folders (hidden files are skipped)."),
    marketplace: Optional[str] = typer.Option(None, help="Marketplace of files that do not name one."),
    format: Fmt = typer.Option(Fmt.table, "--format", help="table or json (one object per line)."),
) -> None:
    """Load Seller Central reports; a bad file is quarantined with its reason, the good ones load."""
    from sellerops.ingest import PathError, check_ready, discover
    from sellerops.storage.engine import DatabaseUnavailable
    from sellerops.storage.lock import LockUnavailable

    try:
        discover(paths)
        check_ready()
    except (PathError, DatabaseUnavailable, LockUnavailable) as exc:
        raise Fail(str(exc)) from exc
    _prefect_quiet()
    from flows.ingest import ingest_reports

    rows = ingest_reports(paths=[str(p) for p in paths], marketplace=marketplace)
    if format == Fmt.json:
        _json_lines([{k: v for k, v in r.items() if k != "known"} for r in rows])
    else:
        shown = [dict(r, path=Path(r["path"]).name, status=r["status"] + (" (seen before)" if r["known"] else ""))
                 for r in rows]
        _table("Report ingestion", shown, ["path", "report_type", "status", "rows", "reason"])
    if any(r["status"] == "quarantined" for r in rows):  # also a file quarantined on an earlier run
        raise typer.Exit(2)


@app.command()
def reports(format: Fmt = typer.Option(Fmt.table, "--format", help="table, json or csv.")) -> None:
    """Every report file ever seen, with its first outcome (reads the database only)."""
    from sellerops.ingest import report_rows
    from sellerops.storage.engine import DatabaseUnavailable

    try:
        rows = report_rows()
    except DatabaseUnavailable as exc:
        raise Fail(str(exc)) from exc
    cols = ["path", "sha256", "report_type", "status", "rows", "reason"]
    if format == Fmt.json:
        _json_lines(rows)
    elif format == Fmt.csv:
        _csv(rows, cols)
    else:
        _table("Reports seen", [dict(r, sha256=r["sha256"][:12]) for r in rows], cols)


class Status(str, Enum):
    open = "open"
    resolved = "resolved"


FINDING_COLUMNS = ["id", "kind", "settlement_id", "order_id", "sku", "amount", "currency", "status", "detail",
                   "claim_window_opens", "claim_window_closes", "first_seen", "last_seen"]


@app.command()
def findings(
    kind: Optional[str] = typer.Option(None, help="Only this kind (e.g. unsettled_order)."),
    status: Optional[Status] = typer.Option(None, help="open or resolved (default: all)."),
    format: Fmt = typer.Option(Fmt.table, "--format", help="table, json (one object per line) or csv."),
) -> None:
    """The reconciliation's findings (reads the database only)."""
    from sellerops.findings import list_findings
    from sellerops.reconciliation import KINDS

    if kind and kind not in KINDS:
        raise Fail(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    rows = list_findings(kind=kind, status=status.value if status else None)
    if format == Fmt.json:
        _json_lines(rows)
    elif format == Fmt.csv:
        _csv(rows, FINDING_COLUMNS + ["evidence"])
    else:
        _table(f"Findings ({len(rows)})", [dict(r, id=r["id"][:10]) for r in rows],
               ["id", "kind", "settlement_id", "order_id", "sku", "amount", "currency", "status", "detail"])


def _parse_date(value: Optional[str], option: str) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Fail(f"{option} {value!r}: expected a date as YYYY-MM-DD") from None


@app.command()
def reconcile(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="UTC date (YYYY-MM-DD); default: the latest "
                                        "settlement-end-date loaded, per marketplace and currency."),
    format: Fmt = typer.Option(Fmt.table, "--format", help="table or json."),
) -> None:
    """Run the nightly reconciliation's reconcile step over everything loaded."""
    day = _parse_date(as_of, "--as-of")
    _prefect_quiet()
    from blocks.reconciliation import load_policy_block
    from tasks.reconcile import reconcile_settlements

    o = reconcile_settlements(as_of=day, policy=load_policy_block().policy(), force=True)
    result = {"as_of": o.as_of, "open": o.open, "new": len(o.new), "resolved": len(o.resolved),
              "reopened": len(o.reopened), "settlements_checked": o.settlements_checked}
    if format == Fmt.json:
        _json_lines([result])
    else:
        _print_findings_summary(result)


def _print_findings_summary(result: dict) -> None:
    from sellerops.findings import at_stake_by_kind, list_findings

    t = Table(title=f"Open findings — {result['new']} new, {result['resolved']} resolved this run")
    for c in ("kind", "findings", "amount at stake"):
        t.add_column(c, justify="left" if c == "kind" else "right")
    for (kind, cur), (n, amount) in at_stake_by_kind(list_findings(status="open")).items():
        t.add_row(kind, str(n), f"{amount} {cur}")
    out.print(t)


@app.command()
def pull(
    account: Optional[str] = typer.Option(None, help="Seller account (a saved SellerAccount block, or the environment)."),
    since: Optional[str] = typer.Option(None, help="Fetch from this UTC date (default: from the stored cursor)."),
    reports: Optional[str] = typer.Option(None, help="Comma-separated report types (default: all sellerops reads)."),
    format: Fmt = typer.Option(Fmt.table, "--format", help="table or json."),
) -> None:
    """Fetch everything new from the Selling Partner API since the last pull, and ingest it."""
    day = _parse_date(since, "--since")
    types = [t.strip() for t in reports.split(",") if t.strip()] if reports else None
    _prefect_quiet()
    from blocks.seller_account import MissingAccount, SellerAccount
    from flows.pull import PullFailed, pull as pull_flow

    try:
        SellerAccount.resolve(account)  # say what is missing before a flow run fails on it
        summary = pull_flow(account=account, since=day, reports=types)
        failed = False
    except PullFailed as exc:
        summary, failed = exc.summary, True
    except MissingAccount as exc:
        raise Fail(str(exc)) from None
    rows = summary.get("ingested", [])
    if format == Fmt.json:
        _json_lines(rows)
    else:
        _table(f"Pull of account {summary['account']}", [dict(r, path=Path(r["path"]).name) for r in rows],
               ["path", "report_type", "status", "rows", "reason"])
    for rt, why in summary.get("failures", {}).items():
        err.print(f"[red]sellerops: error:[/red] {rt}: {why}", highlight=False)
    if failed:
        raise typer.Exit(1)
    if any(r["status"] == "quarantined" for r in rows):
        raise typer.Exit(2)


@app.command("demo-data")
def demo_data(
    out_dir: Path = typer.Argument(..., metavar="OUT", help="Folder to write reports/ and expected_findings.jsonl into."),
    orders_per_day: int = typer.Option(40, min=1),
    days: int = typer.Option(60, min=1),
    seed: int = typer.Option(7),
) -> None:
    """Write a realistic demo seller as Amazon-format reports, with planted discrepancies."""
    from sellerops.demo import write_demo_data

    s = write_demo_data(out_dir, orders_per_day=orders_per_day, days=days, seed=seed)
    err.print(f"wrote {len(s.reports)} reports ({s.orders} orders, {s.settlements} settlements, "
              f"{s.settlement_rows} settlement rows) to {s.out / 'reports'}; "
              f"{s.findings} planted findings in {s.expected_findings}")


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("demo-out"), "--out", help="Where the demo seller's reports go."),
    orders_per_day: int = typer.Option(40, min=1),
    days: int = typer.Option(60, min=1),
    seed: int = typer.Option(7),
) -> None:
    """The whole job once: write a demo seller, ingest it, reconcile, and show what was found."""
    from sellerops.demo import write_demo_data

    s = write_demo_data(out_dir, orders_per_day=orders_per_day, days=days, seed=seed)
    err.print(f"demo seller: {len(s.reports)} reports, {s.orders} orders, {s.settlements} settlements "
              f"in {s.out / 'reports'}")
    err.print("running the nightly reconciliation (Prefect starts a local server; this takes a moment)…")
    _prefect_quiet()
    from flows.nightly import nightly_reconciliation

    summary = nightly_reconciliation(inbox=str(s.out / "reports"))
    _print_findings_summary(summary)
    out.print(f"\n[bold]{summary['headline']}[/bold]")
    out.print(f"Planted: {s.findings} findings, listed in {s.expected_findings}")
    out.print("Look closer:  .venv/bin/sellerops findings   ·   .venv/bin/sellerops findings --format json")
    out.print("The board:    make up, then open http://127.0.0.1:4200 → Runs → nightly-reconciliation → Artifacts")


def main() -> None:
    debug = bool(os.environ.get("SELLEROPS_DEBUG"))
    try:
        rc = app(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (Fail,) as exc:
        err.print(f"[red]sellerops: error:[/red] {exc}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # one clear message, not a traceback
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Abort):
            sys.exit(1)
        if debug:
            raise
        err.print(f"[red]sellerops: error:[/red] {type(exc).__name__}: {exc}  "
                  "(set SELLEROPS_DEBUG=1 for the traceback)", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
