"""The `fba-inbound-tracker` flow: hourly, the inbound shipments moved node by node and judged.

Composes tasks/inbound.py: track (record transitions, evaluate, store findings), emit a Prefect
event per transition so automations can react, and publish the shipments × node table, the open
shortages by claim deadline and each shortage's claim pack as artifacts. An hourly run that finds no
new data and no SLA or claim-window day crossed since the last run ends there, saying so.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from blocks.inbound_policy import load_policy_block
from sellerops.inbound.evaluate import KINDS
from sellerops.inbound.publish import clock_status, node_events, node_table, shortages_markdown
from tasks.inbound import claim_pack_markdown, emit_node_events, track_shipments
from tasks.reconcile import read_findings


@flow(name="fba-inbound-tracker", log_prints=True, persist_result=False)
def fba_inbound_tracker(now: dt.datetime | None = None, policy_block: str | None = None) -> dict:
    """Track FBA inbound shipments node by node from the loaded SP-API responses; store the
    findings (procedure inbound) as of `now` (default: the current time)."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    policy = load_policy_block(policy_block).policy()
    r = track_shipments(now, policy)
    if r.skipped:  # nothing new and no boundary crossed: the last run's findings stand
        create_table_artifact(key="inbound-shipments", table=node_table(r.shipments, clock_status(r.shipments, policy,
                                                                                                  now), now),
                              description="Shipments × node: hours in each node ('-' jumped over)")
        print(r.skipped)
        return {"shipments": len(r.shipments), "transitions": 0, "recomputed": False, "new": 0, "resolved": 0,
                "open": None, "events": 0, "skipped": r.skipped}
    emitted = emit_node_events(node_events(r.transitions))
    open_ = [f for f in read_findings(status="open", today=now.date()) if f["kind"] in KINDS]  # on the tracker's clock
    shortages = [f["id"] for f in open_ if f["kind"] == "inbound_shortage"]
    packs = claim_pack_markdown(shortages, policy)
    create_table_artifact(key="inbound-shipments", table=node_table(r.shipments, r.evaluation.status, now),
                          description="Shipments × node: hours in each node ('-' jumped over)")
    create_markdown_artifact(key="inbound-shortages", markdown=shortages_markdown(open_, now.date()),
                             description="Open inbound shortages by claim deadline")
    if packs:
        create_markdown_artifact(key="inbound-claim-packs", markdown="\n\n---\n\n".join(packs),
                                 description="Claim packs ready to paste into Seller Central")
    print(f"{len(r.shipments)} shipments, {len(r.transitions)} transitions, {emitted} events, "
          f"{len(r.new)} new findings, {len(r.resolved)} resolved")
    return {"shipments": len(r.shipments), "transitions": len(r.transitions), "recomputed": r.recomputed,
            "new": len(r.new), "resolved": len(r.resolved), "open": len(open_), "events": emitted, "skipped": None}
