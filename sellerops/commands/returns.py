"""`sellerops returns`: return requests (RMAs) decided within a run, the queue a person decides, labels.

An edge like `sellerops.cli`: with no Prefect server in use `run` calls the domain directly
(`sellerops.returns.service.run`, the policy's defaults in code) and the decisions stay owed; with
one it runs the `returns-rma` flow there, with the saved ReturnsPolicy block, so the run shows on the
board with its artifacts and each request waiting for a person gets a `return-decision` run whose
form waits on the board, as the hourly deployment's do.
`list`, `units` and `label` read the database only (`label` writes a missing PDF); `decide` answers the same
decision `sellerops decisions answer` does and wakes the form waiting on it, if any.
"""

from __future__ import annotations

import click

from sellerops.cli import Fail, format_option, home_option
from sellerops.commands.inbound import parse_now

STATUSES = ("pending", "authorized", "needs_person", "rejected")
TABLE_COLUMNS = ["rma_id", "sku", "status", "amount", "currency", "vip", "care_script", "decided_by"]
UNIT_COLUMNS = ["returned_at", "order_id", "sku", "quantity", "disposition", "action", "marketplace"]
# what a returned unit's disposition calls for (sellerops.returns.units), kept here so --help never imports the domain
ACTIONS = ("restock", "supplier_or_grading", "none")


def _policy():
    """The saved ReturnsPolicy block with a server in use, else the defaults in code."""
    from sellerops.cli import _server

    if _server():
        from blocks.returns_policy import load_returns_policy

        return load_returns_policy().policy()
    from sellerops.returns.policy import Policy

    return Policy()


@click.group()
def returns() -> None:
    """Return requests (RMAs): authorised within a run, a person only where one is worth it."""


@returns.command()
@click.option("--now", "now", metavar="ISO-8601",
              help="sellerops' clock: when the new requests are first seen and decided (default: now; "
                   "without an offset it is UTC).")
@home_option
def run(now: str | None) -> None:
    """Decide the new return requests, write labels, owe decisions and VIP care tasks."""
    from sellerops.cli import _database, _prefect_quiet, _server, err, out

    at = parse_now(now)
    _database()
    if _server():
        _prefect_quiet()
        from flows.returns import returns_rma

        result = returns_rma(now=at, forms_on_server=True)
    else:
        from sellerops.returns import service

        result = service.run(now=at, policy=_policy()).as_dict()
    for warning in result["warnings"]:
        err.print(f"[yellow]warning:[/yellow] {warning}")
    out.print(f"{result['new']} new return requests: {result['authorized_auto']} authorised automatically, "
              f"{result['authorized_amazon'] + result['rejected_amazon']} decided by Amazon, "
              f"{result['needs_person']} for a person; {result['answered']} answers applied, "
              f"{result['labels']} labels, {result['care_tasks']} VIP care tasks, {result['spikes']} return-rate spikes")
    if result.get("forms"):
        out.print(f"{result['forms']} decision forms waiting on the board "
                  f"({_server().rstrip('/').removesuffix('/api')}/runs): "
                  f"answer there or with `sellerops returns decide`")


@returns.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only requests in this state.")
@format_option("table", "json")
@home_option
def list_(status: str | None, fmt: str) -> None:
    """Every return request, one entry per (RMA, SKU), oldest first (reads the database only)."""
    import sellerops.cli as cli
    from sellerops.returns import service

    cli._database(read_only=True)
    rows = service.list_requests(status=status)
    if fmt == "json":
        cli._json_lines(rows)
        return
    shown = [dict(r, vip={True: "yes", False: "no", None: "?"}[r["vip"]], amount=r["amount"] or "",
                  reasons=", ".join(r["reasons"])) for r in rows]
    cli._table(f"Return requests ({len(rows)})", shown, TABLE_COLUMNS, folded="reasons")


@returns.command()
@click.option("--sku", metavar="SKU", help="Only this SKU's returned units.")
@click.option("--action", type=click.Choice(ACTIONS),
              help="Only units calling for this: restock (SELLABLE), supplier_or_grading (damaged or defective).")
@format_option("table", "json")
@home_option
def units(sku: str | None, action: str | None, fmt: str) -> None:
    """FBA returned units and the action recorded for each line's disposition, newest first (reads
    the database only; `returns run` records them)."""
    import sellerops.cli as cli
    from sellerops.returns.units import list_units

    cli._database(read_only=True)
    rows = list_units(sku=sku, action=action)
    if fmt == "json":
        cli._json_lines(rows)
        return
    shown = [dict(r, returned_at=(r["returned_at"] or "")[:10]) for r in rows]
    cli._table(f"Returned units ({len(rows)} lines, {sum(r['quantity'] for r in rows)} units)", shown, UNIT_COLUMNS)


@returns.command()
@click.argument("rma_id", metavar="RMA")
@click.option("--approve", "verdict", flag_value="approve", help="Authorise the return (writes its label).")
@click.option("--reject", "verdict", flag_value="reject", help="Reject the return.")
@click.option("--note", metavar="TEXT", required=True, help="Why, for the record.")
@click.option("--by", metavar="NAME", help="Who decides (default: your user name).")
@home_option
def decide(rma_id: str, verdict: str | None, note: str, by: str | None) -> None:
    """Answer a return request waiting for a person: --approve or --reject."""
    import sellerops.cli as cli
    from sellerops.returns import service

    if verdict is None:
        raise Fail("give --approve or --reject")
    cli._database(read_only=True)
    try:
        rows = service.decide(rma_id, verdict == "approve", note=note, by=by, policy=_policy())
    except service.ReturnsError as exc:
        raise Fail(str(exc)) from None
    if service.form_runs(rma_id) and cli._server():
        from tasks.returns import wake_form_runs

        try:
            wake_form_runs(rma_id)
        except Exception as exc:  # noqa: BLE001 - the answer is recorded; the form's run reads it when it wakes
            cli.err.print(f"[yellow]warning:[/yellow] the answer is recorded but its form could not be woken: {exc}")
    for r in rows:
        cli.out.print(f"{r['rma_id']} {r['sku']}: {r['status']} by {r['decided_by']}"
                      + (f"; label {r['label']}" if r["label"] else ""))


@returns.command()
@click.argument("rma_id", metavar="RMA")
@home_option
def label(rma_id: str) -> None:
    """Print the path of an authorised RMA's label PDF, writing it if missing."""
    import sellerops.cli as cli
    from sellerops.returns import service

    cli._database(read_only=True)
    try:
        path = service.label(rma_id, policy=_policy())
    except service.ReturnsError as exc:
        raise Fail(str(exc)) from None
    cli.out.print(str(path), soft_wrap=True)
