"""`sellerops inbound`: track FBA inbound shipments node by node, see where each stands, write claim packs.

An edge like `sellerops.cli`: with no Prefect server in use `track` calls the domain directly
(`sellerops.inbound.store.track`); with one it runs the `fba-inbound-tracker` flow there, so the run
shows on the board with its artifacts. `status` and `claim-pack` read the database only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

STATUS_KEYS = ["shipment_id", "api_version", "destination_fc", "node", "node_number", "entered_at", "hours_in_node",
               "sla_hours", "sla_breached", "units_shipped", "units_received", "units_short", "delivered_at",
               "claim_window_opens", "claim_window_closes", "findings"]


def parse_now(value: str | None) -> dt.datetime | None:
    """An ISO-8601 time as UTC: an offset or Z is honoured, a time without one is read as UTC."""
    from sellerops.cli import Fail

    if value is None:
        return None
    try:
        at = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise Fail(f"--now {value!r}: expected an ISO-8601 time, e.g. 2026-07-01T09:00:00Z") from None
    return (at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)


def now_option(f):
    return click.option("--now", "now", metavar="ISO-8601",
                        help="The tracker's clock for time in node, SLA breaches and claim windows "
                             "(default: the current time); without an offset it is UTC.")(f)


def _policy():
    """The saved InboundPolicy block with a server in use, else the defaults in code."""
    from sellerops.cli import _server

    if _server():
        from blocks.inbound_policy import load_policy_block

        return load_policy_block().policy()
    from sellerops.inbound.nodes import Policy

    return Policy()


@click.group()
def inbound() -> None:
    """FBA inbound shipments, tracked node by node: no unit lost on the way into Amazon goes unclaimed."""


@inbound.command()
@now_option
def track(now: str | None) -> None:
    """Record what the loaded SP-API responses show, evaluate every shipment and store the findings."""
    from sellerops.cli import _database, _prefect_quiet, _print_findings_summary, _server, err

    at = parse_now(now)
    _database()
    if _server():
        _prefect_quiet()
        from flows.inbound import fba_inbound_tracker

        summary = fba_inbound_tracker(now=at)
    else:
        from sellerops.inbound.store import track as run

        r = run(now=at, policy=_policy())
        summary = {"shipments": len(r.shipments), "transitions": len(r.transitions), "new": len(r.new),
                   "resolved": len(r.resolved), "recomputed": r.recomputed, "skipped": r.skipped}
    if summary.get("skipped"):
        err.print(summary["skipped"])
    elif not summary["recomputed"]:
        err.print("no saved response since the last run: no transition to record (findings re-evaluated)")
    err.print(f"{summary['shipments']} shipments, {summary['transitions']} transitions recorded")
    _print_findings_summary(summary)


@inbound.command()
@now_option
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table or json; json is one object per line.")
def status(now: str | None, fmt: str) -> None:
    """One line per shipment: its node, time there against the SLA, units short and the claim window."""
    from sellerops.cli import _database, _json_lines, _table
    from sellerops.core.config import settings
    from sellerops.inbound.store import evaluate_stored
    from sellerops.storage.engine import get_engine

    at = parse_now(now) or dt.datetime.now(dt.timezone.utc)
    _database(read_only=True)
    with get_engine().connect() as conn:
        _, ev = evaluate_stored(conn, settings().account, at, _policy())
    rows = [{k: r[k] for k in STATUS_KEYS} for r in ev.status]
    if fmt == "json":
        _json_lines(rows)
        return
    shown = [{"shipment": r["shipment_id"], "node": r["node"], "#": r["node_number"] or "",
              "hours": "" if r["hours_in_node"] is None else f"{r['hours_in_node']:g}",
              "sla": "" if r["sla_hours"] is None else f"{r['sla_hours']}" + ("!" if r["sla_breached"] else ""),
              "short": "" if r["units_short"] is None else r["units_short"],
              "closes": r["claim_window_closes"] or "",
              "findings": "; ".join(x for x in (", ".join(r["findings"]),
                                                 "Amazon reports: " + "; ".join(r["problems"]) if r["problems"] else "")
                                    if x)} for r in ev.status]
    _table(f"Inbound shipments ({len(rows)})", shown, ["shipment", "node", "#", "hours", "sla", "short", "closes"],
           folded="findings")


@inbound.command("claim-pack")
@click.argument("finding_id", metavar="FINDING_ID")
def claim_pack(finding_id: str) -> None:
    """Write the Seller Central case for an open inbound shortage as markdown and CSV under
    SELLEROPS_HOME/claims/ and print the markdown's path. FINDING_ID may be the first characters."""
    from sellerops.cli import Fail, _database, err, out
    from sellerops.core.config import settings
    from sellerops.findings import list_findings
    from sellerops.inbound import claims
    from sellerops.inbound.store import NotAShortage, claim_pack_data

    _database(read_only=True)
    matches = [f["id"] for f in list_findings(kind="inbound_shortage") if f["id"].startswith(finding_id)]
    if len(matches) > 1:
        raise Fail(f"{len(matches)} shortages have ids starting with {finding_id!r}: give more of the id")
    try:
        pack = claim_pack_data(matches[0] if matches else finding_id, _policy())
    except NotAShortage as exc:
        raise Fail(f"{exc}; `sellerops findings --kind inbound_shortage` lists them") from None
    folder = settings().home / "claims"
    folder.mkdir(parents=True, exist_ok=True)
    md, csv_path = folder / f"{pack.stem}.md", folder / f"{pack.stem}.csv"
    md.write_text(claims.markdown(pack))
    csv_path.write_text(claims.csv_text(pack))
    err.print(f"CSV beside it: {Path(csv_path)}")
    out.print(str(md), markup=False, highlight=False, soft_wrap=True)


@inbound.command("case")
@click.argument("finding_id", metavar="FINDING_ID")
@click.argument("case_id", metavar="CASE_ID")
def case(finding_id: str, case_id: str) -> None:
    """Record the Seller Central case filed for a shortage: a Lost_Inbound reimbursement with this
    case id then resolves it, and its window no longer warns as unclaimed."""
    from sellerops.cli import Fail, _database, err
    from sellerops.findings import list_findings
    from sellerops.inbound.store import record_case

    _database(read_only=True)
    matches = [f for f in list_findings(kind="inbound_shortage") if f["id"].startswith(finding_id)]
    if len(matches) != 1:
        found = "none" if not matches else f"{len(matches)} of them"
        raise Fail(f"{finding_id}: expected the id of one inbound_shortage finding, found {found}")
    f = matches[0]
    record_case(f["shipment_id"], f["sku"], case_id)
    err.print(f"case {case_id} recorded for {f['sku']} in {f['shipment_id']}; `sellerops inbound track` applies it")
