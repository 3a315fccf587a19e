"""The `sellerops` command line: the edge of the package.

With no Prefect server in use a command calls the domain directly and answers in about a second:
nothing starts an ephemeral Prefect server just to run a step. With a server in use —
`PREFECT_API_URL`, or the one `make up` started, found through the run folder it records — the
commands that run a procedure run its flow on that server, so the run shows on the board with its
artifacts. Read-only commands (`reports`, `findings`) touch only the database, never create one and
never import Prefect. Every command that uses the database names it on stderr (`database: …`).
With `--format json` a command writes only JSON to stdout, one object per line; logs, progress and
the database line go to stderr. Exit codes: 0 success (findings are not an error), 1 error
(usage errors included), 2 something was quarantined.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import sys
from pathlib import Path

# Quiet the heavy dependencies before anything imports them: this network refuses outside calls
# and a user must not see telemetry noise or progress bars nobody watches.
for _k, _v in {
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_CLI_PROMPT": "false",
    "TQDM_DISABLE": "1",
}.items():
    os.environ.setdefault(_k, _v)

import click
from rich.console import Console
from rich.table import Table

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True, highlight=False)
FORMATS = ("table", "json", "csv")


class Fail(Exception):
    """An error the user can act on: printed as one line, exit 1."""


# What a command says on stderr once it has done its work (`database: …`); an error says one line only.
_said: dict[str, str] = {}


def _say_done() -> None:
    if "database" in _said:
        err.print(f"database: {_said['database']}")


# ---- options every command shares ---------------------------------------------------------------

def _set_home(ctx, param, value):
    if value is not None:
        os.environ["SELLEROPS_HOME"] = str(Path(value).expanduser())
    return value


def home_option(f):
    return click.option("--home", type=click.Path(file_okay=False), metavar="DIR", expose_value=False,
                        is_eager=True, callback=_set_home,
                        help="Where sellerops keeps its database, inbox and quarantine "
                             "(default: $SELLEROPS_HOME, else ./.sellerops).")(f)


def format_option(*choices: str, default: str = "table"):
    shown = ", ".join(choices[:-1]) + f" or {choices[-1]}"
    return click.option("--format", "fmt", type=click.Choice(choices), default=default, show_default=True,
                        help=f"{shown}; json is one object per line.")


# ---- output -------------------------------------------------------------------------------------

def _json_lines(rows) -> None:
    for r in rows:
        sys.stdout.write(json.dumps(r, default=str) + "\n")
    sys.stdout.flush()


def _csv(rows, columns: list[str]) -> None:
    w = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (json.dumps(v, default=str) if isinstance(v, (list, dict)) else v) for k, v in r.items()})


RIGHT = {"rows", "amount", "days left", "findings", "at stake"}


def _table(title: str, rows: list[dict], columns: list[str], folded: str | None = None) -> None:
    """Plain columns that read at 80 columns and through a pipe: short fields in columns, words
    never cut, and the one long text (`folded`) wrapped on its own indented line under its row."""
    import shutil
    import textwrap

    width = max(40, shutil.get_terminal_size((80, 24)).columns)
    cells = [["" if r.get(c) is None else str(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        parts = [v.rjust(w) if c in RIGHT else v.ljust(w) for v, w, c in zip(values, widths, columns)]
        return "  ".join(parts).rstrip()

    out.print(f"[bold]{title}[/bold]")
    if not rows:
        return
    out.print(line(columns), style="bold", markup=False, highlight=False)
    for r, row in zip(rows, cells):
        out.print(line(row), markup=False, highlight=False)
        if folded and r.get(folded):
            wrapped = textwrap.fill(str(r[folded]), width=width, initial_indent="    ", subsequent_indent="    ",
                                    break_long_words=False, break_on_hyphens=False)
            out.print(wrapped, style="dim", markup=False, highlight=False)


def _relative(path: str | None) -> str | None:
    """A path as the user would type it from where they stand."""
    if not path:
        return path
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def _reason(reason: str | None) -> str | None:
    """A quarantine reason with its file path made relative (JSON keeps it absolute)."""
    if not reason:
        return reason
    return "; ".join(_relative_prefix(part) for part in reason.split("; "))


def _relative_prefix(text: str) -> str:
    head, sep, rest = text.partition(":")
    if sep and head.startswith("/"):
        return _relative(head) + sep + rest
    return text


# ---- the database and the server ----------------------------------------------------------------

def _database(read_only: bool = False) -> None:
    """Say which database this command uses; a read-only command never creates one."""
    import sqlalchemy as sa

    from sellerops.core.config import settings

    s = settings()
    url = sa.engine.make_url(s.database_url)
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        shown = str(path)
        if read_only and not path.exists():
            raise Fail(f"no database yet at {shown}: `sellerops ingest PATH` (or `make demo`) creates it; "
                       f"--home DIR or SELLEROPS_HOME points at another one")
    _said["database"] = shown


def _server() -> str | None:
    """The Prefect server in use: PREFECT_API_URL, else a healthy one `make up` started."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    from sellerops.ops import running_server

    found = running_server()
    if found is None:
        return None
    os.environ["PREFECT_API_URL"] = found["api_url"]
    if found.get("auth"):
        os.environ.setdefault("PREFECT_API_AUTH_STRING", found["auth"])
    return found["api_url"]


def _prefect_quiet() -> None:
    """Settings for a CLI run of a flow on a server: logs on stderr, warnings only."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _progress(total: int, what: str):
    """A progress bar on stderr for anything longer than a moment (nothing when not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn(f"{what} [dim]{{task.description}}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)


def _parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Fail(f"{option} {value!r}: expected a date as YYYY-MM-DD") from None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sellerops")
    except PackageNotFoundError:
        return "unknown"


# ---- the commands -------------------------------------------------------------------------------

@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(_version(), "--version", prog_name="sellerops", message="%(prog)s %(version)s")
@home_option
def app() -> None:
    """An Amazon seller's standard operating procedures as code."""


@app.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")
@click.option("--marketplace", metavar="NAME", help="Marketplace of files that do not name one, e.g. Amazon.de "
              "(default: $SELLEROPS_MARKETPLACE, else Amazon.com).")
@format_option("table", "json", "csv")
@home_option
def ingest(paths: tuple[Path, ...], marketplace: str | None, fmt: str) -> None:
    """Load Seller Central report files and folders (hidden files are skipped); a bad file is
    quarantined with its reason, the good ones load. Exit 2 when a file is quarantined."""
    from sellerops.ingest import PathError, check_ready, discover
    from sellerops.storage.engine import DatabaseUnavailable
    from sellerops.storage.lock import LockUnavailable

    try:
        files = discover(list(paths))
        check_ready()
        _database()
    except (PathError, DatabaseUnavailable, LockUnavailable) as exc:
        raise Fail(str(exc)) from exc
    if _server():
        _prefect_quiet()
        from flows.ingest import ingest_reports

        rows = ingest_reports(paths=[str(p) for p in paths], marketplace=marketplace)
    else:
        rows = _ingest_here(files, marketplace)
    _print_ingested(rows, fmt, "Report ingestion")
    if any(r["status"] == "quarantined" for r in rows):  # also a file quarantined on an earlier run
        raise SystemExit(2)


def _ingest_here(files: list[Path], marketplace: str | None) -> list[dict]:
    """Every file through the domain's ingestion, in this process, with progress."""
    from sellerops import ingest

    rows = []
    with _progress(len(files), "ingesting") as bar:
        task = bar.add_task("", total=len(files))
        for path in files:
            bar.update(task, description=path.name)
            o = ingest.ingest_file(path, marketplace)
            rows.append(dict(o.as_json(), known=o.known))
            bar.advance(task)
    return rows


def _file_row(r: dict) -> dict:
    """A report file as a table row: its name, a short type, and — under the row — the folder it is
    in (relative to here) and the reason, cause first."""
    from sellerops.reports import MODULES

    module = MODULES.get(r.get("report_type") or "")
    path = _relative(r["path"]) or ""
    folder = os.path.dirname(path)
    where = _reason(r["reason"]) if r.get("reason") else (f"in {folder}/" if folder else "")
    return dict(r, file=os.path.basename(path), where=where,
                type=module.__name__.rsplit(".", 1)[-1] if module else (r.get("report_type") or "—"))


INGEST_COLUMNS = ["path", "sha256", "report_type", "status", "rows", "reason"]


def _print_ingested(rows: list[dict], fmt: str, title: str) -> None:
    if fmt == "json":
        _json_lines([{k: v for k, v in r.items() if k not in ("known", "copy")} for r in rows])
    elif fmt == "csv":
        _csv(rows, INGEST_COLUMNS)
    else:
        shown = [dict(_file_row(r), status=r["status"] + (" (seen before)" if r.get("known") else ""))
                 for r in rows]
        _table(title, shown, ["file", "type", "status", "rows"], folded="where")
        quarantined = [r for r in rows if r["status"] == "quarantined"]
        if quarantined:
            from sellerops.core.config import settings

            err.print(f"{len(quarantined)} quarantined: copies and reasons in {_relative(str(settings().quarantine))}/")


@app.command()
@format_option("table", "json", "csv")
@home_option
def reports(fmt: str) -> None:
    """Every report file ever seen, with its first outcome (reads the database only)."""
    _database(read_only=True)
    from sellerops.ingest import report_rows

    rows = report_rows()
    if fmt == "json":
        _json_lines(rows)
    elif fmt == "csv":
        _csv(rows, INGEST_COLUMNS)
    else:
        _table(f"Reports seen ({len(rows)})", [_file_row(r) for r in rows], ["file", "type", "status", "rows"],
               folded="where")


FINDING_COLUMNS = ["id", "kind", "settlement_id", "order_id", "sku", "amount", "currency", "status", "detail",
                   "claim_window_opens", "claim_window_closes", "first_seen", "last_seen"]
CLAIM_COLUMNS = ["procedure", "claim_state", "case_id", "claimed_at"]


@app.group(invoke_without_command=True)
@click.option("--kind", metavar="KIND", help="Only this kind, e.g. unsettled_order or refund_without_return.")
@click.option("--status", type=click.Choice(["open", "resolved"]), help="Only open or only resolved (default: all).")
@click.option("--procedure", metavar="NAME", help="Only this procedure's findings, e.g. reconciliation or inbound.")
@format_option("table", "json", "csv")
@home_option
@click.pass_context
def findings(ctx: click.Context, kind: str | None, status: str | None, procedure: str | None, fmt: str) -> None:
    """The findings of every procedure, open ones by claim deadline first (reads the database only)."""
    if ctx.invoked_subcommand is not None:
        return
    _database(read_only=True)
    from sellerops.findings import iter_findings
    from sellerops.reconciliation import KINDS

    from sellerops.inbound.evaluate import KINDS as INBOUND_KINDS

    if kind and kind not in KINDS + INBOUND_KINDS:
        raise Fail(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
    rows = iter_findings(kind=kind, status=status, procedure=procedure)  # json and csv written as read
    if fmt == "json":
        _json_lines(rows)
    elif fmt == "csv":
        _csv(rows, FINDING_COLUMNS + ["evidence"] + CLAIM_COLUMNS)
    else:
        _findings_table(list(rows))


@findings.command("claim")
@click.argument("finding_id", metavar="ID")
@click.option("--case-id", metavar="CASE", help="The Seller Central case the claim was filed under.")
@click.option("--outcome", type=click.Choice(["reimbursed", "denied"]),
              help="Amazon's answer; allowed on a finding never claimed here (claimed_at stays empty).")
@format_option("table", "json", "csv")
@home_option
def findings_claim(finding_id: str, case_id: str | None, outcome: str | None, fmt: str) -> None:
    """Record a claim on a finding (--case-id CASE) or its outcome (--outcome reimbursed|denied):
    exactly one. A claim never changes the finding's status; only new evidence resolves it. ID may
    be the start of the id (six characters or more), as the table shows it.

    \b
    An outcome is allowed on a finding never claimed here (claimed_at stays empty)."""
    if (case_id is None) == (outcome is None):
        raise Fail("findings claim: give exactly one of --case-id or --outcome")
    if case_id is not None and not case_id.strip():
        raise Fail("findings claim: --case-id is empty")
    _database(read_only=True)
    from sellerops.findings import UnknownFinding, claim, close_claim

    try:
        row = claim(finding_id, case_id) if case_id is not None else close_claim(finding_id, outcome)
    except UnknownFinding as exc:
        raise Fail(str(exc)) from None
    if fmt == "json":
        _json_lines([row])
    elif fmt == "csv":
        _csv([row], FINDING_COLUMNS + ["evidence"] + CLAIM_COLUMNS)
    else:
        _table("Finding", [dict(row, id=row["id"][:10], amount=f"{row['amount']} {row['currency']}")],
               ["id", "kind", "amount", "status", "claim_state", "case_id"])


def _days_left(f: dict, today: dt.date) -> int | None:
    closes = f.get("claim_window_closes")
    return None if not closes else (dt.date.fromisoformat(closes) - today).days


def _findings_table(rows: list[dict]) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    ordered = sorted(rows, key=lambda f: (f["status"] != "open", f.get("claim_window_closes") or "9999-12-31",
                                          f["kind"], f["id"]))
    shown = []
    for f in ordered:
        left = _days_left(f, today)
        subject = " ".join(x for x in (f.get("settlement_id"), f.get("order_id"), f.get("sku")) if x)
        shown.append({"id": f["id"][:10], "kind": f["kind"], "amount": f"{f['amount']} {f['currency']}",
                      "deadline": f.get("claim_window_closes") or "", "days left": "" if left is None else left,
                      "status": f["status"], "detail": f"{subject}: {f['detail']}" if subject else f["detail"]})
    _table(f"Findings ({len(rows)})", shown, ["id", "kind", "deadline", "days left", "amount", "status"],
           folded="detail")
    from sellerops.findings import money_text, totals_by_currency

    totals = totals_by_currency([f for f in rows if f["status"] == "open"])
    if totals:
        out.print("At stake (open): " + money_text(totals))



@findings.command("show")
@click.argument("finding_id", metavar="ID")
@format_option("table", "json")
@home_option
def findings_show(finding_id: str, fmt: str) -> None:
    """One finding in full: its detail, claim window and evidence rows. ID may be the first
    characters of the id, as the table shows it."""
    _database(read_only=True)
    from sellerops.findings import UnknownFinding, get_finding

    try:
        f = get_finding(finding_id)
    except UnknownFinding as exc:
        raise Fail(f"{exc}; `sellerops findings` lists them") from None
    if fmt == "json":
        _json_lines([f])
        return
    today = dt.datetime.now(dt.timezone.utc).date()
    left = _days_left(f, today)
    fields = [("id", f["id"]), ("kind", f["kind"]), ("status", f["status"]),
              ("amount", f"{f['amount']} {f['currency']}"), ("marketplace", f["marketplace"]),
              ("settlement", f.get("settlement_id")), ("order", f.get("order_id")), ("sku", f.get("sku")),
              ("claim window", f"{f['claim_window_opens']} to {f['claim_window_closes']}"
                               + (f" ({left} days left)" if left is not None else "")
               if f.get("claim_window_closes") else None),
              ("first seen", f["first_seen"]), ("last seen", f["last_seen"]), ("detail", f["detail"])]
    for name, value in fields:
        if value not in (None, ""):
            out.print(f"[bold]{name:>12}[/bold]  {value}")
    for e in f.get("evidence") or []:
        values = e.get("values") or {}
        shown = ", ".join(f"{k}={v}" for k, v in values.items() if v not in (None, ""))
        out.print(f"[bold]{'evidence':>12}[/bold]  {_relative(e.get('file'))}:{e.get('line')}  {shown}")

@app.command()
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="UTC date the rules judge at; default: the latest "
              "settlement-end-date loaded, per marketplace and currency.")
@click.option("--full", is_flag=True, help="Recompute every finding over all history (a night otherwise judges only "
              "what can have changed since the last run, and skips when nothing did).")
@format_option("table", "json", "csv")
@home_option
def reconcile(as_of: str | None, full: bool, fmt: str) -> None:
    """The nightly reconciliation's reconcile step: with nothing new since the last run (same
    as-of and policy) nothing is recomputed, else only what can have changed since (a policy change
    recomputes everything by itself); --full recomputes everything."""
    day = _parse_date(as_of, "--as-of")
    _database()
    if _server():
        _prefect_quiet()
        from blocks.reconciliation import load_policy_block
        from tasks.reconcile import reconcile_settlements

        o = reconcile_settlements(as_of=day, policy=load_policy_block().policy(), force=full)
    else:
        from sellerops.reconciliation.runs import run_reconcile

        with err.status("reconciling…", spinner="dots") if err.is_terminal else contextlib.nullcontext():
            o = run_reconcile(as_of=day, force=full)
    result = {"as_of": o.as_of, "open": o.open, "new": len(o.new), "resolved": len(o.resolved),
              "reopened": len(o.reopened), "settlements_checked": o.settlements_checked, "skipped": o.skipped}
    if fmt == "json":
        _json_lines([result])
    elif fmt == "csv":
        _csv([result], list(result))
    else:
        if o.skipped:
            err.print("nothing new since the last run with this as-of and policy: nothing recomputed (--full to force)")
        _print_findings_summary(result)


def _print_findings_summary(result: dict) -> None:
    from sellerops.findings import at_stake_by_kind, list_findings

    t = Table(title=f"Open findings — {result['new']} new, {result['resolved']} resolved this run",
              title_justify="left")
    for c in ("kind", "findings", "at stake"):
        t.add_column(c, justify="left" if c == "kind" else "right", no_wrap=True)
    for (kind, cur), (n, amount) in at_stake_by_kind(list_findings(status="open")).items():
        t.add_row(kind, str(n), f"{amount} {cur}")
    out.print(t)


@app.command()
@click.option("--account", metavar="NAME", help="Seller account: a saved SellerAccount block, or the environment.")
@click.option("--since", metavar="YYYY-MM-DD", help="Fetch from this UTC date (default: from the stored cursor).")
@click.option("--reports", "report_types", metavar="TYPE[,TYPE...]",
              help="Report types, e.g. GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2 (default: all sellerops reads).")
@format_option("table", "json", "csv")
@home_option
def pull(account: str | None, since: str | None, report_types: str | None, fmt: str) -> None:
    """Fetch everything new from the Selling Partner API since the last pull, and ingest it."""
    day = _parse_date(since, "--since")
    types = [t.strip() for t in report_types.split(",") if t.strip()] if report_types else None
    _database()
    _server()
    # Every failure is printed below as one line: Prefect's console echo of it (with tracebacks) is noise.
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    _prefect_quiet()
    from blocks.seller_account import MissingAccount, SellerAccount
    from flows.pull import PullFailed, pull as pull_flow
    from sellerops.amazon.redact import install_redaction

    install_redaction()

    try:
        SellerAccount.resolve(account)  # say what is missing before a flow run fails on it
        summary = pull_flow(account=account, since=day, reports=types)
        failed = False
    except PullFailed as exc:
        summary, failed = exc.summary, True
    except MissingAccount as exc:
        raise Fail(str(exc)) from None
    rows = summary.get("ingested", [])
    _print_ingested(rows, fmt, f"Pull of account {summary['account']}")
    for rt, why in summary.get("failures", {}).items():
        err.print(f"[red]sellerops: error:[/red] {rt}: {why}")
    if failed:
        raise SystemExit(1)
    if any(r["status"] == "quarantined" for r in rows):
        raise SystemExit(2)


@app.command("demo-data")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path), metavar="OUT")
@click.option("--orders-per-day", type=click.IntRange(min=1), default=40, show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=60, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
def demo_data(out_dir: Path, orders_per_day: int, days: int, seed: int) -> None:
    """Write a realistic demo seller as Amazon-format reports into OUT/reports/, with planted
    discrepancies listed in OUT/expected_findings.jsonl."""
    from sellerops.demo import write_demo_data

    s = write_demo_data(out_dir, orders_per_day=orders_per_day, days=days, seed=seed)
    err.print(f"wrote {len(s.reports)} reports ({s.orders} orders, {s.settlements} settlements, "
              f"{s.settlement_rows} settlement rows) to {s.out / 'reports'}; "
              f"{s.findings} planted findings in {s.expected_findings}")


@app.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-out"),
              show_default=True, metavar="DIR", help="Where the demo seller's reports go.")
@click.option("--orders-per-day", type=click.IntRange(min=1), default=40, show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=60, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@home_option
def demo(out_dir: Path, orders_per_day: int, days: int, seed: int) -> None:
    """The whole job once: write a demo seller, run the nightly flow on it, and show what was found."""
    from sellerops.demo import write_demo_data

    from sellerops.demo.health import write_health_files

    s = write_demo_data(out_dir, orders_per_day=orders_per_day, days=days, seed=seed)
    # the watch's clock: noon after the demo's last day; its input files go in with the night's reports
    health_now = dt.datetime.combine(s.start + dt.timedelta(days=days), dt.time(12), tzinfo=dt.timezone.utc)
    write_health_files(s.out / "reports", health_now)
    err.print(f"demo seller: {len(s.reports)} reports, {s.orders} orders, {s.settlements} settlements "
              f"in {s.out / 'reports'}")
    _database()
    # The demo keeps a real flow run (on a local Prefect when no server is in use) to show the
    # nightly flow itself, artifacts included; the other commands call the domain directly.
    if not _server():
        err.print("running the nightly flow (a local Prefect starts; this takes a moment)…")
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    _prefect_quiet()
    from flows.nightly import nightly_reconciliation

    summary = nightly_reconciliation(inbox=str(s.out / "reports"))
    _print_findings_summary(summary)
    _demo_inbound(s, seed, days)
    from sellerops.commands.health import demo_chain

    demo_chain(health_now)
    from sellerops.demo.returns import run_returns_demo

    run_returns_demo(s.out / "returns", s.start + dt.timedelta(days=days), err, out, _table)
    out.print(f"\n[bold]{summary['headline']}[/bold]")
    out.print(f"Planted: {s.findings} findings, listed in {s.expected_findings}")
    out.print("Look closer:  .venv/bin/sellerops findings   ·   .venv/bin/sellerops findings --format json")
    out.print("The board:    make up, then open http://127.0.0.1:4200 → Runs → nightly-reconciliation → Artifacts")


if __name__ == "__main__":
    # `python -m sellerops.cli`: run the package's own module instead, since the command groups below
    # import their shared helpers from it by name.
    from sellerops.cli import main as _main

    _main()

from sellerops.commands.inbound import inbound  # noqa: E402  (the procedure's own group)

app.add_command(inbound)


def _demo_inbound(s, seed: int, days: int) -> None:
    """The demo seller's FBA inbound shipments: saved SP-API responses loaded like any report, the
    claims it filed, and the tracker run at the demo's last day."""
    from sellerops import ingest
    from sellerops.demo.inbound import DEMO_CASES, write_inbound_demo
    from sellerops.inbound.store import record_case, track

    if days < 60:
        return  # the inbound demo needs two months of polls
    end = s.start + dt.timedelta(days=days)
    write_inbound_demo(s.out / "inbound", seed=seed, start=s.start, end=end)
    ingest.ingest_paths([s.out / "inbound" / "reports"])
    for shipment, sku, case in DEMO_CASES:
        record_case(shipment, sku, case)
    result = track(now=dt.datetime.combine(end, dt.time(12), tzinfo=dt.timezone.utc))
    kinds: dict[str, int] = {}
    for f in result.evaluation.findings:
        kinds[f.kind] = kinds.get(f.kind, 0) + 1
    err.print(f"FBA inbound: {len(result.shipments)} shipments tracked from {s.out / 'inbound' / 'reports'}; "
              + (", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "nothing to claim")
              + " — sellerops inbound status")


from sellerops.commands.decisions import decisions as _decisions  # noqa: E402  (needs the helpers above)
from sellerops.commands.incident import incident as _incident  # noqa: E402
from sellerops.commands.returns import returns as _returns  # noqa: E402

app.add_command(_decisions)
app.add_command(_incident)
app.add_command(_returns)

from sellerops.commands.health import health as _health  # noqa: E402

app.add_command(_health)


def main() -> None:
    try:
        rc = app.main(standalone_mode=False, prog_name="sellerops")
        _say_done()
        sys.exit(rc if isinstance(rc, int) else 0)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit as exc:  # 2: something was quarantined, the work itself done
        if exc.code == 2:
            _say_done()
        raise
    except click.UsageError as exc:  # Click's own message, and 1: 2 means something was quarantined
        exc.show(file=sys.stderr)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show(file=sys.stderr)
        sys.exit(1)
    except click.exceptions.Abort:
        sys.exit(1)
    except Fail as exc:
        err.print(f"[red]sellerops: error:[/red] {exc}", markup=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # one clear message, not a traceback
        from sellerops.storage.engine import DatabaseUnavailable
        from sellerops.storage.lock import LockUnavailable

        if isinstance(exc, (DatabaseUnavailable, LockUnavailable)):  # the run's own failure, said in full
            err.print(f"[red]sellerops: error:[/red] {exc}")
            sys.exit(1)
        if os.environ.get("SELLEROPS_DEBUG"):
            raise
        err.print(f"[red]sellerops: error:[/red] {exc}  (SELLEROPS_DEBUG=1 shows where)")
        sys.exit(1)


if __name__ == "__main__":
    main()
