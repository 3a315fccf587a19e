"""`sellerops decisions …`: every decision any SOP owes a person, and the answer to a yes/no one.

The command-line face of `sellerops.decisions`, shared by every procedure that asks a person.
The takedown's tiers are listed here too but answered with their richer `sellerops incident answer`.
"""

from __future__ import annotations

import click

from sellerops.cli import Fail, format_option, home_option, out


@click.group()
def decisions() -> None:
    """Decisions owed to people by any procedure, with their deadlines and escalations."""


@decisions.command("list")
@click.option("--role", metavar="R", help="Only what this role owes now (escalated to it, else its own).")
@click.option("--procedure", metavar="P", help="Only this procedure's, e.g. listing-takedown.")
@format_option("table", "json")
@home_option
def list_(role, procedure, fmt) -> None:
    """Every decision still owed, oldest deadline first (reads the database only)."""
    import sellerops.cli as cli
    from sellerops import decisions as d
    from sellerops.storage.engine import session

    cli._database(read_only=True)
    with session() as s:
        rows = [d.as_json(x) for x in d.owed(s, role=role, procedure=procedure)]
    if fmt == "json":
        cli._json_lines(rows)
        return
    shown = [dict(r, deadline=r["deadline"][:16].replace("T", " "), owes=r["escalated_to"] or r["role"])
             for r in rows]
    cli._table(f"Decisions owed ({len(rows)})", shown, ["decision", "procedure", "subject", "owes", "deadline"],
               folded="what")


@decisions.command("answer")
@click.argument("decision_id", metavar="ID")
@click.option("--approve", "verdict", flag_value="approved", help="Answer yes.")
@click.option("--reject", "verdict", flag_value="rejected", help="Answer no.")
@click.option("--note", metavar="TEXT", help="Why, for the record.")
@click.option("--by", metavar="NAME", help="Who answers (default: your user name).")
@home_option
def answer(decision_id, verdict, note, by) -> None:
    """Answer a yes/no decision: --approve or --reject."""
    import sellerops.cli as cli
    from sellerops import decisions as d
    from sellerops.storage.engine import session

    if verdict is None:
        raise Fail("give --approve or --reject")
    cli._database(read_only=True)
    with session() as s:
        try:
            x = d.find(s, decision_id)
            if x.kind != d.YES_NO:
                how = (f"`sellerops incident answer {x.subject} --tier {x.what.split()[1]} …`"
                       if x.kind == "incident_tier" else f"the {x.procedure} procedure's own command")
                raise Fail(f"decision {x.id} ({x.what}, {x.subject}) is not a yes/no one: answer it with {how}")
            d.answer(s, x, verdict, by=d.answerer(by), note=note)
        except d.DecisionError as exc:
            raise Fail(str(exc)) from None
        s.commit()
    out.print(f"decision {x.id} {verdict}")

