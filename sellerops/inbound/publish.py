"""What the tracker publishes, as plain data: node events for automations, the shipments × node
table (time in node) and the open shortages by claim deadline. flows/inbound.py hands these to
Prefect (`emit_event`, artifacts); nothing here imports it.
"""

from __future__ import annotations

import datetime as dt

from sellerops.inbound.nodes import NODES, rank
from sellerops.inbound.track import Shipment, Transition

EVENT_PREFIX, RESOURCE_PREFIX = "sellerops.inbound.node.", "sellerops.inbound.shipment."


def node_events(transitions: list[Transition]) -> list[dict]:
    """One event per transition: `sellerops.inbound.node.<node>` about `sellerops.inbound.shipment.<id>`."""
    return [{"event": f"{EVENT_PREFIX}{x.node}",
             "resource": {"prefect.resource.id": f"{RESOURCE_PREFIX}{x.shipment_id}",
                          "prefect.resource.name": x.shipment_id},
             "occurred": x.entered_at or x.observed_at,
             "payload": {"shipment_id": x.shipment_id, "node": x.node, "node_number": rank(x.node),
                         "entered_at": x.entered_at.isoformat() if x.entered_at else None,
                         "skipped": x.entered_at is None}}
            for x in transitions]


def hours_per_node(s: Shipment, now: dt.datetime) -> dict[str, float | None]:
    """Hours a shipment spent in each node it was seen in: until the next node seen, or `now`
    for the node it is in. A node jumped over has no time of its own (None)."""
    seen = sorted(((rank(n) or 99, at, n) for n, at in s.entered.items() if at is not None))
    out: dict[str, float | None] = {n: None for n, at in s.entered.items()}
    for i, (_, at, node) in enumerate(seen):
        end = seen[i + 1][1] if i + 1 < len(seen) else (now if node == s.node else at)
        out[node] = round((end - at).total_seconds() / 3600, 1)
    return out


def node_table(shipments: dict[str, Shipment], status: list[dict], now: dt.datetime) -> list[dict]:
    """Shipments × node: hours in each node (blank when never there, '-' when jumped over)."""
    by_id = {r["shipment_id"]: r for r in status}
    rows = []
    for sid in sorted(shipments):
        s, r = shipments[sid], by_id.get(sid, {})
        hours = hours_per_node(s, now)
        row = {"shipment": sid, "node": r.get("node", s.node), "sla_breached": bool(r.get("sla_breached"))}
        for n in NODES[:11]:
            h = hours.get(n.name, "")
            row[n.name] = "-" if n.name in hours and h is None else h
        rows.append(row)
    return rows


def clock_status(shipments: dict[str, Shipment], policy, now: dt.datetime) -> list[dict]:
    """What `node_table` needs of the status when the run skipped the evaluation (nothing new): each
    shipment's node and whether its time there is over the SLA, from the shipments alone."""
    rows = []
    for sid, s in shipments.items():
        node = "reconciled" if s.entered.get("reconciled") else s.node
        sla = policy.sla(node)
        hours = None if s.entered_at is None else (now - s.entered_at).total_seconds() / 3600
        rows.append({"shipment_id": sid, "node": node,
                     "sla_breached": bool(sla is not None and hours is not None and hours > sla)})
    return rows


def shortages_markdown(findings: list[dict], today: dt.date) -> str:
    """Open shortages, the nearest claim deadline first."""
    rows = sorted((f for f in findings if f["kind"] == "inbound_shortage" and f["status"] == "open"),
                  key=lambda f: (f.get("claim_window_closes") or "9999-12-31", f["id"]))
    out = ["# Open inbound shortages by claim deadline", ""]
    if not rows:
        return "\n".join(out + ["No open shortage.", ""])
    out += ["| claim by | days left | shipment | SKU | amount | finding |", "|---|---:|---|---|---:|---|"]
    for f in rows:
        closes = f.get("claim_window_closes")
        left = (dt.date.fromisoformat(closes) - today).days if closes else ""
        out.append(f"| {closes or ''} | {left} | {f.get('shipment_id') or ''} | {f.get('sku') or ''} | "
                   f"{f['amount']} {f['currency']} | {f['id'][:10]} |")
    return "\n".join(out + [""])
