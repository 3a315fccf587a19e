"""The Plan of Action draft tier 1 starts from: markdown a person edits and approves.

Amazon reads a POA for three answers — the root cause, the actions taken, the steps that prevent
it happening again — with evidence attached (invoices no older than 365 days, supplier letters).
The draft fills in what the incident knows and leaves the rest as prompts; nothing here sends it.
"""

from __future__ import annotations

import datetime as dt

INVOICE_MAX_AGE_DAYS = 365


def draft_poa(*, incident: str, sku: str, asin: str | None, marketplace: str, reason: str,
              complaint_id: str | None, rights_owner: str | None, opened_at: dt.datetime) -> str:
    """The POA draft for one incident, as markdown."""
    oldest_invoice = (opened_at - dt.timedelta(days=INVOICE_MAX_AGE_DAYS)).date().isoformat()
    complaint = f"complaint {complaint_id}" if complaint_id else "the complaint"
    owner = f" filed by {rights_owner}" if rights_owner else ""
    listing = f"SKU {sku}" + (f" (ASIN {asin})" if asin else "") + f" on {marketplace}"
    return "\n".join([
        f"# Plan of Action — {incident}",
        "",
        f"Listing: {listing}. Taken down on {opened_at.date().isoformat()}: {reason}"
        f" ({complaint}{owner}).",
        "",
        "## Root cause",
        f"- What let {complaint} arise for {sku}: the source of the goods, the listing's content, "
        "and the check that missed it.",
        "",
        "## Actions taken",
        "- What was done at once: stock quarantined or removed, listing content corrected, "
        "the rights owner contacted.",
        "",
        "## Prevention",
        "- The steps that keep it from happening again: supplier vetting, listing review before "
        "publishing, who checks and how often.",
        "",
        "## Evidence checklist",
        f"- [ ] Supplier invoices for {sku}, dated {oldest_invoice} or later (no older than "
        f"{INVOICE_MAX_AGE_DAYS} days), quantities covering the units sold",
        "- [ ] Letters of authorisation from the supplier or the brand",
        "- [ ] Proof of the actions taken (corrected listing, removal order, correspondence)",
        "",
    ])
