"""`sellerops health …`: the account-health watch on the command line.

`sellerops health` shows the open warnings (reads the database only, never starts Prefect);
`health run` evaluates every rule at a clock — on the Prefect server in use as the
`account-health-watch` flow, whose events start the answering deployments, or with no server
straight through sellerops.health, starting the answering procedures itself from the same actions
table; `health history` lists every level change; `health backup-supplier` keeps the table the
supplier switch reads.
"""

from __future__ import annotations

import datetime as dt

import click

from sellerops.cli import Fail, format_option, home_option, out
from sellerops.health.levels import LEVELS


def _cli():
    import sellerops.cli as cli

    return cli


def _now(value: str | None) -> dt.datetime:
    from sellerops.decisions.rules import parse_instant, utc_now

    if value is None:
        return utc_now()
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise Fail(f"--now {exc}") from None


@click.group(invoke_without_command=True)
@click.option("--level", type=click.Choice(LEVELS), help="Only the warnings at this level (default: every level but ok).")
@format_option("table", "json")
@home_option
@click.pass_context
def health(ctx, level, fmt) -> None:
    """Account health: the current warnings (every level but ok), worst first; reads the database only."""
    if ctx.invoked_subcommand is not None:
        return
    from sellerops.health import service
    from sellerops.storage.engine import session

    cli = _cli()
    cli._database(read_only=True)
    with session() as s:
        rows = service.warnings(s, level=level)
    if fmt == "json":
        cli._json_lines(rows)
        return
    from sellerops.health.board import warnings_table
    from sellerops.health.levels import Thresholds

    shown = warnings_table(rows, Thresholds())
    cli._table(f"Account-health warnings ({len(rows)})", shown,
               ["signal", "subject", "level", "value", "target", "since", "trend"], folded="action")


@health.command("run")
@click.option("--now", metavar="ISO-8601", help="The watch's clock (default: now); the 7-, 14- and 30-day windows "
                                                "end there. Without an offset it is UTC.")
@home_option
def run(now) -> None:
    """Evaluate every account-health rule, record warnings and level changes, start the answering procedures."""
    cli = _cli()
    at = _now(now)
    cli._database()
    if cli._server():
        cli._prefect_quiet()
        from flows.health import account_health_watch

        summary = account_health_watch(now=at)
        out.print(f"{summary['measured']} values judged, {summary['changes']} level changes, "
                  f"{summary['events']} events (the server's triggers start the answering flows), "
                  f"{summary['open']} open warnings")
        return
    from sellerops.health import procedures, service
    from sellerops.storage.engine import session

    with session() as s:
        result = service.run_watch(s, at)
        for c in result.changes:
            out.print(f"{c.signal} {c.subject}: {c.from_level} → {c.to_level} ({c.value})", markup=False,
                      highlight=False)
        answered = procedures.answer_changes(s, result.changes, at)
        for a in answered:
            shown = ", ".join(f"{k} {v}" for k, v in a.items() if k not in ("signal", "subject", "procedure"))
            out.print(f"  → {a['procedure']} for {a['subject']}: {shown}", markup=False, highlight=False)
        open_ = service.warnings(s)
    out.print(f"{len(result.judged)} values judged, {len(result.changes)} level changes, {len(answered)} "
              f"procedures started, {len(open_)} open warnings — sellerops health")


@health.command("history")
@click.option("--signal", metavar="NAME", help="Only this signal's changes, e.g. odr.")
@format_option("table", "json")
@home_option
def history(signal, fmt) -> None:
    """Every level change, oldest first (reads the database only)."""
    from sellerops.health import service
    from sellerops.storage.engine import session

    cli = _cli()
    cli._database(read_only=True)
    with session() as s:
        rows = service.history(s, signal=signal)
    if fmt == "json":
        cli._json_lines(rows)
        return
    shown = [dict(r, at=r["at"][:16].replace("T", " ")) for r in rows]
    cli._table(f"Account-health level changes ({len(rows)})", shown, ["at", "signal", "subject", "from", "to", "value"])


@health.command("backup-supplier")
@click.argument("supplier")
@click.argument("backup")
@click.option("--sku", default="*", show_default=True, help="The SKU this backup is for (* = every SKU of SUPPLIER).")
@home_option
def backup_supplier(supplier, backup, sku) -> None:
    """Name BACKUP as SUPPLIER's backup (the supplier switch moves the SKUs to it)."""
    from sellerops.health.procedures import set_backup_supplier
    from sellerops.storage.engine import session

    if supplier == backup:
        raise Fail(f"{supplier} cannot be its own backup")
    _cli()._database()
    with session() as s:
        set_backup_supplier(s, supplier, backup, sku)
    out.print(f"{supplier} ({'every SKU' if sku == '*' else sku}): backup {backup}", markup=False, highlight=False)


def demo_chain(end: dt.datetime) -> None:
    """`make demo`: the watch at the demo's last day, the answering procedures started from the actions
    table, and one line saying what it found (nothing when the reports' measurements are not installed)."""
    from sellerops.cli import err

    try:
        import sellerops.health.measure  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name != "sellerops.health.measure":
            raise
        return
    from sellerops.health import procedures, service
    from sellerops.storage.engine import session

    with session() as s:
        result = service.run_watch(s, end)
        answered = procedures.answer_changes(s, result.changes, end)
        open_ = service.warnings(s)
    levels = [w["level"] for w in open_]
    err.print(f"Account health at {end:%Y-%m-%d %H:%M} UTC: {len(open_)} open warnings "
              f"({levels.count('critical')} critical), {len(answered)} answering procedures started "
              f"({', '.join(sorted({a['procedure'] for a in answered})) or 'none'}) — sellerops health; "
              f"sellerops decisions list")
