"""What the returns board shows, as plain data and markdown: the queue waiting for people (with
the care scripts, both German registers for a German customer), the week's authorisation times
against the target, and the top return reasons by SKU. flows/returns.py publishes them as
artifacts; no buyer's e-mail or name is anywhere in them (sellerops keeps none)."""

from __future__ import annotations

import pandas as pd

from sellerops.returns import care
from sellerops.returns.measures import authorisation_times


def queue_markdown(rows: list[dict], owed: list[dict], target_hours: float) -> str:
    """The requests waiting for a person and the VIP care tasks still owed."""
    waiting = [r for r in rows if r["status"] == "needs_person"]
    deadline = {(d["subject"], "care" if d["what"].startswith("VIP care") else "decide"): d["deadline"] for d in owed}
    out = [f"# Returns waiting for people ({len(waiting)})", "",
           f"Decide with `sellerops returns decide RMA --approve|--reject --note TEXT` or this run's form; "
           f"target {target_hours:g} h.", ""]
    if waiting:
        out += ["| RMA | SKU | amount | reasons | VIP | deadline |", "|---|---|---|---|---|---|"]
        for r in waiting:
            vip = {True: "yes", False: "no", None: "unknown"}[r["vip"]]
            out.append(f"| {r['rma_id']} | {r['sku']} | {r['amount'] or '?'} {r['currency'] or ''} | "
                       f"{', '.join(r['reasons'])} | {vip} | {deadline.get((r['rma_id'], 'decide'), '')[:16]} |")
    firsts = {}
    for r in rows:  # one care task per RMA, however many SKUs it spans
        if r["care_script"] and (r["rma_id"], "care") in deadline:
            firsts.setdefault(r["rma_id"], r)
    care_rows = list(firsts.values())
    out += ["", f"## VIP care tasks ({len(care_rows)})", ""]
    for r in care_rows:
        out.append(f"### {r['rma_id']} · {r['sku']} · {r['marketplace']} · lifetime value {r['clv']} {r['currency'] or ''}, "
                   f"{r['orders_365d']} orders in 365 days")
        for key, text in care.scripts_shown(r["care_script"]).items():
            mark = " (policy's register)" if key == r["care_script"] and len(care.scripts_shown(key)) > 1 else ""
            out += [f"**{key}**{mark}:", "", "> " + text.format(rma_id=r["rma_id"], item=r["sku"]), ""]
    return "\n".join(out) + "\n"


def times_table(rows: list[dict], target_hours: float) -> list[dict]:
    """Authorisation hours per ISO week, for a table artifact."""
    frame = pd.DataFrame([{"requested_at": r["requested_at"], "decided_at": r["decided_at"], "decided_by": r["decided_by"]}
                          for r in rows], columns=["requested_at", "decided_at", "decided_by"])
    for c in ("requested_at", "decided_at"):
        frame[c] = pd.to_datetime(frame[c], utc=True, format="ISO8601")
    t = authorisation_times(frame, target_hours)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in t.to_dict("records")]
