"""The claim pack: what Seller Central's case form for missing inbound units asks for, ready to paste.

There is no API to open a reimbursement case, so sellerops writes the case as markdown (also the
tracker run's artifact) and as CSV — shipment id, fulfilment centre, delivery date, each SKU/FNSKU
shipped, received and short with its unit value, and the evidence: the saved responses that show it
and the lines of Amazon's inbound performance report about the shipment. Pure text:
`sellerops.inbound.store.claim_pack_data` gathers the facts, the CLI writes the files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ClaimLine:
    sku: str
    fnsku: str | None
    shipped: int
    received: int | None
    short: int
    unit_value: Decimal | None  # None: no order line to value it by


@dataclass(frozen=True)
class ClaimPack:
    finding_id: str
    shipment_id: str
    destination_fc: str | None
    delivered_on: str | None
    delivery_note: str | None  # says so when a later node stands in for DELIVERED
    claim_window: tuple[str | None, str | None]
    currency: str
    amount: Decimal
    lines: list[ClaimLine]
    evidence: list[dict] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return f"{self.shipment_id}-{self.finding_id[:8]}"


CSV_COLUMNS = ["shipment_id", "destination_fc", "delivery_date", "sku", "fnsku", "shipped", "received", "short",
               "unit_value", "currency"]


def _value(v: Decimal | None) -> str:
    return "" if v is None else f"{v:.2f}"


def markdown(pack: ClaimPack) -> str:
    opens, closes = pack.claim_window
    out = [f"# Missing inbound units: {pack.shipment_id}", "",
           f"- **Shipment ID:** {pack.shipment_id}",
           f"- **Fulfillment center:** {pack.destination_fc or 'unknown'}",
           f"- **Delivery date:** {pack.delivered_on or 'unknown'}" + (f" ({pack.delivery_note})" if pack.delivery_note else ""),
           f"- **Claim window:** {opens} to {closes} (both days included)",
           f"- **Amount claimed:** {pack.amount:.2f} {pack.currency}", "",
           "| SKU | FNSKU | shipped | received | short | unit value |", "|---|---|---:|---:|---:|---:|"]
    for line in pack.lines:
        out.append(f"| {line.sku} | {line.fnsku or ''} | {line.shipped} | "
                   f"{'' if line.received is None else line.received} | {line.short} | "
                   f"{_value(line.unit_value) or 'not valued'} |")
    out += ["", "## Evidence", ""]
    for e in pack.evidence:
        values = ", ".join(f"{k}={v}" for k, v in (e.get("values") or {}).items())
        where = f"{e.get('file')}" + (f":{e['line']}" if e.get("line") else "")
        out.append(f"- `{where}`: {values}")
    out += ["", f"sellerops finding {pack.finding_id}", ""]
    return "\n".join(out)


def csv_text(pack: ClaimPack) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for line in pack.lines:
        w.writerow([pack.shipment_id, pack.destination_fc or "", pack.delivered_on or "", line.sku, line.fnsku or "",
                    line.shipped, "" if line.received is None else line.received, line.short,
                    _value(line.unit_value), pack.currency])
    return buf.getvalue()
