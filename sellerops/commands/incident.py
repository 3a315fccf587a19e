"""`sellerops incident …`: the listing-takedown SOP on the command line.

Every command reads and writes sellerops' own tables through `sellerops.incidents`, so it works
with or without a Prefect server. With one in use, `takedown` also starts a run of the
`listing-takedown` deployment (it never waits for the tiers), an answer resumes the tier's run
waiting for it, and `sweep` notifies through the saved EscalationPolicy block.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import contextmanager
from pathlib import Path

import click

from sellerops.cli import Fail, err, format_option, home_option, out
from sellerops.decisions import answerer


def _cli():
    import sellerops.cli as cli

    return cli


@contextmanager
def _db(read_only: bool = False):
    """A session on the database this command names on stderr; an incident error is one clear line."""
    from sellerops import incidents
    from sellerops.storage.engine import session

    _cli()._database(read_only=read_only)
    with session() as s:
        try:
            yield s
        except incidents.IncidentError as exc:
            raise Fail(str(exc)) from None


def _minute(iso: str | None) -> str:
    """An ISO time as the tables show it: to the minute."""
    return (iso or "")[:16].replace("T", " ")


def _hours(ctx, param, value):
    if value is not None and value < 0:
        raise click.BadParameter(f"{value}: expected zero or more hours")
    return value


def _instant(value: str | None, option: str) -> dt.datetime | None:
    from sellerops.decisions.rules import parse_instant

    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise Fail(f"{option} {exc}") from None


@click.group()
def incident() -> None:
    """Listing takedowns: the incident, its three tiers, the appeal, the deadline sweep."""


@incident.command()
@click.option("--sku", required=True, metavar="SKU", help="The seller SKU taken down.")
@click.option("--asin", required=True, metavar="ASIN")
@click.option("--marketplace", required=True, metavar="NAME", help="e.g. Amazon.com or Amazon.de.")
@click.option("--reason", required=True, metavar="TEXT", help="What Amazon said, e.g. 'IP complaint: trademark'.")
@click.option("--complaint-id", metavar="ID")
@click.option("--rights-owner", metavar="NAME")
@click.option("--poa-hours", type=float, default=48.0, show_default=True, callback=_hours,
              help="Tier 1 (POA) deadline, hours after now; fractions allowed.")
@click.option("--legal-hours", type=float, default=72.0, show_default=True, callback=_hours,
              help="Tier 2 (legal review) deadline.")
@click.option("--backup-hours", type=float, default=4.0, show_default=True, callback=_hours,
              help="Tier 3 (backup listing) deadline.")
@click.option("--escalate-every-hours", type=float, default=24.0, show_default=True, callback=_hours,
              help="After a missed deadline, one escalation step more each this many hours.")
@format_option("table", "json")
@home_option
def takedown(sku, asin, marketplace, reason, complaint_id, rights_owner, poa_hours, legal_hours, backup_hours,
             escalate_every_hours, fmt) -> None:
    """Open the listing's incident (or name the one already open) and return at once: its tiers
    wait for their people, on the board when a server is in use, else on this command line."""
    cli = _cli()
    from sellerops.core.config import settings
    from sellerops.incidents import Hours, open_incident
    from sellerops.storage.engine import session

    if escalate_every_hours == 0:
        raise Fail("--escalate-every-hours 0: expected more than zero hours")
    cli._database()
    server = cli._server()
    hours = Hours(poa=poa_hours, legal=legal_hours, backup=backup_hours, escalate_every=escalate_every_hours)
    chain = _chain_tail() if server else None
    with session() as s:
        kw = {"chain_tail": chain} if chain else {}
        o = open_incident(s, account=settings().account, marketplace=marketplace, sku=sku, asin=asin, reason=reason,
                          complaint_id=complaint_id, rights_owner=rights_owner, hours=hours, waiting=not server, **kw)
        s.commit()
        run_url = None
        if server and o.created:
            run_id = _start_takedown_run(o.id, dict(sku=sku, asin=asin, marketplace=marketplace, reason=reason,
                                                    account=settings().account,
                                                    complaint_id=complaint_id, rights_owner=rights_owner,
                                                    poa_hours=poa_hours, legal_hours=legal_hours,
                                                    backup_hours=backup_hours,
                                                    escalate_every_hours=escalate_every_hours))
            o.incident.run_id = run_id
            s.add(o.incident)
            s.commit()
        if server and o.incident.run_id:
            run_url = _run_url(server, o.incident.run_id)
    result = {"incident": o.id, "created": o.created, "run_url": run_url}
    if fmt == "json":
        cli._json_lines([result])
    elif o.created:
        out.print(f"{o.id} opened for {sku} on {marketplace}" + (f": {run_url}" if run_url else
                  "; its tiers wait for `sellerops incident answer`"))
    else:
        out.print(f"{o.id} is already open for {sku} on {marketplace}")


def _chain_tail():
    from blocks.escalation import load_escalation_policy

    return load_escalation_policy().chain


def _start_takedown_run(incident_id: str, request: dict) -> str:
    cli = _cli()
    cli._prefect_quiet()
    from prefect.deployments import run_deployment

    run = run_deployment("listing-takedown/listing-takedown", parameters={"request": request}, timeout=0,
                         tags=[incident_id])
    return str(run.id)


def _run_url(api_url: str, run_id: str) -> str:
    return f"{api_url.rstrip('/').removesuffix('/api')}/runs/flow-run/{run_id}"


@incident.command()
@click.argument("incident_id", metavar="INC")
@click.option("--tier", type=click.IntRange(1, 3), required=True, help="1 poa, 2 legal, 3 backup.")
@click.option("--approve", is_flag=True, help="Tier 1: approve the POA.")
@click.option("--text-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="F",
              help="Tier 1: the POA as edited (markdown); default: the draft.")
@click.option("--decision", type=click.Choice(["appeal", "retraction", "accept_removal"]), help="Tier 2.")
@click.option("--complaint-valid", type=click.Choice(["yes", "no"]), help="Tier 2.")
@click.option("--evidence-complete", type=click.Choice(["yes", "no"]), help="Tier 2.")
@click.option("--confirm", is_flag=True, help="Tier 3: the backup listing is launched.")
@click.option("--backup-sku", metavar="S", help="Tier 3: the backup launched, when not the one proposed.")
@click.option("--by", metavar="NAME", help="Who answers (default: your user name).")
@home_option
def answer(incident_id, tier, approve, text_file, decision, complaint_valid, evidence_complete, confirm,
           backup_sku, by) -> None:
    """Answer one tier: 1 --approve [--text-file F], 2 --decision D [--complaint-valid yes|no]
    [--evidence-complete yes|no], 3 --confirm [--backup-sku S]."""
    cli = _cli()
    from sellerops import incidents

    foreign = {1: ("--decision", "--complaint-valid", "--evidence-complete", "--confirm", "--backup-sku"),
               2: ("--approve", "--text-file", "--confirm", "--backup-sku"),
               3: ("--approve", "--text-file", "--decision", "--complaint-valid", "--evidence-complete")}[tier]
    given = {"--approve": approve, "--text-file": text_file, "--decision": decision,
             "--complaint-valid": complaint_valid, "--evidence-complete": evidence_complete,
             "--confirm": confirm, "--backup-sku": backup_sku}
    wrong = [o for o in foreign if given[o]]
    if wrong:
        raise Fail(f"{', '.join(wrong)} is not an answer for tier {tier}")
    if tier == 2 and not decision:
        raise Fail("tier 2 needs --decision appeal|retraction|accept_removal")
    text = None
    if text_file is not None:
        try:
            text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise Fail(f"{text_file}: cannot read it as UTF-8 text ({exc})") from None
    yes = {"yes": True, "no": False, None: None}
    with _db(read_only=True) as s:
        inc = incidents.get(s, incident_id)
        t = incidents.answer_tier(s, inc, tier, by=answerer(by), approve=approve, text=text, decision=decision,
                                  complaint_valid=yes[complaint_valid], evidence_complete=yes[evidence_complete],
                                  confirm=confirm, backup_sku=backup_sku)
        s.commit()
        name = incidents.incident_id(inc.id)
        run_id = t.run_id
    if run_id and cli._server():
        _resume_tier_run(run_id)
    out.print(f"{name} tier {tier} answered")


def _resume_tier_run(run_id: str) -> None:
    """Wake the tier's run waiting on the board: it reads the answer from sellerops' tables."""
    _cli()._prefect_quiet()
    from tasks.incidents import wake_tier_run

    if not wake_tier_run(run_id):
        err.print(f"the tier's run {run_id} was not waiting; it reads the answer when it next looks")


@incident.command()
@click.argument("incident_id", metavar="INC")
@click.option("--by", metavar="NAME", help="Who files it (default: your user name).")
@home_option
def appeal(incident_id, by) -> None:
    """File the appeal: refused (exit 1, and recorded) unless an approved POA and a legal decision
    of appeal both exist."""
    from sellerops import incidents

    with _db(read_only=True) as s:
        inc = incidents.get(s, incident_id)
        try:
            incidents.appeal(s, inc, by=answerer(by), brand_registered=_brand_registered(inc.account))
        finally:
            s.commit()  # a refusal is part of the record too
        name, priority = incidents.incident_id(inc.id), inc.priority_review
    out.print(f"{name}: appeal filed" + (" — ask for the 24 h priority review (brand-registered)" if priority else ""))


def _brand_registered(account: str) -> bool:
    """The account block's brand-registry flag (SELLEROPS_BRAND_REGISTERED=1 when no server is in use)."""
    if _cli()._server():
        _cli()._prefect_quiet()
        from blocks.seller_account import SellerAccount

        try:
            return bool(getattr(SellerAccount.load(account), "brand_registered", False))
        except (ValueError, KeyError):
            pass
    return os.environ.get("SELLEROPS_BRAND_REGISTERED", "").lower() in ("1", "true", "yes")


@incident.command("close")
@click.argument("incident_id", metavar="INC")
@click.option("--outcome", type=click.Choice(["reinstated", "removal_accepted"]), required=True)
@click.option("--by", metavar="NAME", help="Who closes it (default: your user name).")
@home_option
def close_(incident_id, outcome, by) -> None:
    """Close the incident; the decisions it still owed are withdrawn."""
    from sellerops import incidents

    with _db(read_only=True) as s:
        inc = incidents.close(s, incidents.get(s, incident_id), outcome, by=answerer(by))
        s.commit()
        name = incidents.incident_id(inc.id)
        waiting = [t.run_id for t in incidents.tiers_waiting_in_runs(s, inc)]
    if waiting and _cli()._server():
        for run_id in waiting:  # each reads that its incident is closed and ends
            _resume_tier_run(run_id)
    out.print(f"{name} closed: {outcome}")


@incident.command("list")
@click.option("--status", type=click.Choice(["open", "closed"]), help="Only open or only closed (default: all).")
@format_option("table", "json")
@home_option
def list_(status, fmt) -> None:
    """Incidents, oldest first (reads the database only)."""
    cli = _cli()
    from sellerops import incidents

    with _db(read_only=True) as s:
        rows = [incidents.incident_json(s, i) for i in incidents.list_incidents(s, status)]
    if fmt == "json":
        cli._json_lines(rows)
        return
    shown = [{"incident": r["incident"], "sku": r["sku"], "marketplace": r["marketplace"], "status": r["status"],
              "opened": _minute(r["opened_at"]),
              "tiers": " ".join(f"{t['name']}:{t['state']}" for t in r["tiers"]), "reason": r["reason"]}
             for r in rows]
    cli._table(f"Incidents ({len(rows)})", shown, ["incident", "sku", "marketplace", "status", "opened"],
               folded="tiers")


@incident.command("show")
@click.argument("incident_id", metavar="INC")
@format_option("table", "json")
@home_option
def show(incident_id, fmt) -> None:
    """One incident: its tiers, its appeal and its timeline (reads the database only)."""
    cli = _cli()
    from sellerops import incidents

    with _db(read_only=True) as s:
        j = incidents.incident_json(s, incidents.get(s, incident_id))
    if fmt == "json":
        cli._json_lines([j])
        return
    for name in ("incident", "sku", "asin", "marketplace", "reason", "complaint_id", "rights_owner", "status",
                 "opened_at", "closed_at", "outcome"):
        if j.get(name):
            out.print(f"[bold]{name:>13}[/bold]  {j[name]}", highlight=False)
    a = j["appeal"]
    out.print(f"[bold]{'appeal':>13}[/bold]  " + (f"filed {a['filed_at']}" if a["filed_at"] else
              ("allowed" if a["allowed"] else "not yet allowed"))
              + (" (priority review)" if a["priority_review"] else ""), highlight=False)
    tiers = [dict(t, tier=f"{t['tier']} {t['name']}", deadline=_minute(t["deadline"]),
                  answered=" ".join(x for x in (_minute(t["answered_at"]), t["answered_by"] or "") if x))
             for t in j["tiers"]]
    cli._table("Tiers", tiers, ["tier", "owner", "state", "deadline", "escalated_to"], folded="answered")
    events = [dict(e, at=_minute(e["at"]), tier=e["tier"] or "") for e in j["timeline"]]
    cli._table("Timeline", events, ["at", "kind", "tier", "by"], folded="what")


@incident.command()
@click.option("--now", "now_text", metavar="ISO-8601", help="Sweep as at this time (an offset or Z; without one "
              "it is UTC); default: now.")
@format_option("table", "json")
@home_option
def sweep(now_text, fmt) -> None:
    """Enforce every deadline owed to a person once: breach what is overdue and escalate it, one
    step each interval, catching up to the step owed now and never telling anyone twice."""
    cli = _cli()
    from sellerops import decisions

    now = _instant(now_text, "--now")
    notify, not_sent = _notifier(cli)
    with _db() as s:
        swept = decisions.sweep(s, now=now, notify=notify, not_sent=not_sent)
    if fmt == "json":
        cli._json_lines(swept.escalations)
        return
    rows = [dict(e, due=_minute(e["due"]), notified="yes" if e["notified"] else f"not sent: {e['notify_error']}")
            for e in swept.escalations]
    cli._table(f"Escalations this sweep ({len(rows)})", rows, ["subject", "decision", "step", "role", "due"],
               folded="notified")


def _notifier(cli):
    """The escalation policy's notifier and, when there is none, why nothing can be sent: the
    notification blocks live on a Prefect server, so without one every escalation is recorded
    as not sent with that reason."""
    from sellerops.decisions import NO_NOTIFIER

    server = cli._server()
    if not server:
        return None, ("no Prefect server in use, so no notification block can be loaded "
                      "(`make up`, or set PREFECT_API_URL)")
    cli._prefect_quiet()
    from blocks.escalation import load_escalation_policy

    try:
        notify = load_escalation_policy().notifier()
    except Exception as exc:  # noqa: BLE001 - the server answered badly: record why, sweep anyway
        return None, f"the escalation policy could not be read from {server}: {type(exc).__name__}: {exc}"
    return notify, NO_NOTIFIER + " (EscalationPolicy.notify_block)"


@incident.group()
def backup() -> None:
    """The backup listing launched when a SKU is taken down (tier 3 proposes it)."""


@backup.command("set")
@click.option("--sku", required=True, metavar="S")
@click.option("--backup-sku", required=True, metavar="B")
@click.option("--marketplace", metavar="NAME", help="Default: $SELLEROPS_MARKETPLACE, else Amazon.com.")
@home_option
def backup_set(sku, backup_sku, marketplace) -> None:
    """Name SKU B as the backup of SKU S (replacing any earlier one)."""
    from sellerops import incidents
    from sellerops.core.config import settings

    st = settings()
    with _db() as s:
        incidents.set_backup(s, st.account, marketplace or st.marketplace, sku, backup_sku)
        s.commit()
    out.print(f"{sku}: backup listing {backup_sku} on {marketplace or st.marketplace}")


@backup.command("list")
@format_option("table", "json")
@home_option
def backup_list(fmt) -> None:
    """The backup listings configured (reads the database only)."""
    cli = _cli()
    from sellerops import incidents
    from sellerops.core.config import settings

    with _db(read_only=True) as s:
        rows = incidents.backups(s, settings().account)
    if fmt == "json":
        cli._json_lines(rows)
    else:
        cli._table(f"Backup listings ({len(rows)})", rows, ["sku", "backup_sku", "marketplace"])
