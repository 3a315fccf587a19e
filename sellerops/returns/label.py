"""Return labels: a provider interface, and the PDF one sellerops draws itself with reportlab.

A label names the RMA, the order, the SKU and quantity, the seller's return address (from the
policy), the buyer's city, state and postal code (never a name or street: sellerops keeps none),
and carries a Code 128 barcode of the RMA id. A carrier's API can plug in later as another
`LabelProvider`. Without a return address the label says so in its place; the caller warns once.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

NO_ADDRESS = "NO RETURN ADDRESS IN THE RETURNS POLICY - set return_address before sending this label"


@dataclass(frozen=True)
class LabelRequest:
    rma_id: str
    order_id: str
    sku: str
    quantity: int
    marketplace: str
    return_address: str | None
    ship_city: str | None = None
    ship_state: str | None = None
    ship_postal_code: str | None = None
    ship_country: str | None = None


class LabelProvider(Protocol):
    def write(self, label: LabelRequest, folder: Path) -> Path:
        """Write the label for `label` under `folder`; return its absolute path."""


def file_name(rma_id: str) -> str:
    """The label's file name: the RMA id with anything outside [A-Za-z0-9._-] replaced."""
    return "rma-" + re.sub(r"[^A-Za-z0-9._-]", "_", rma_id) + ".pdf"


class PdfLabels:
    """A 4×6 inch PDF label drawn with reportlab, its barcode Code 128."""

    def write(self, label: LabelRequest, folder: Path) -> Path:
        from reportlab.graphics.barcode import code128
        from reportlab.lib.units import inch
        from reportlab.pdfgen import canvas

        folder.mkdir(parents=True, exist_ok=True)
        path = (folder / file_name(label.rma_id)).resolve()
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        width, height = 4 * inch, 6 * inch
        c = canvas.Canvas(str(tmp), pagesize=(width, height), invariant=1)
        c.setTitle(f"Return label {label.rma_id}")
        y = height - 0.5 * inch
        c.setFont("Helvetica-Bold", 14)
        c.drawString(0.3 * inch, y, "RETURN - RMA " + label.rma_id)
        c.setFont("Helvetica", 9)
        y -= 0.3 * inch
        for line in (f"Order {label.order_id}", f"SKU {label.sku}  x {label.quantity}", label.marketplace):
            c.drawString(0.3 * inch, y, line)
            y -= 0.18 * inch
        y -= 0.1 * inch
        c.setFont("Helvetica-Bold", 10)
        c.drawString(0.3 * inch, y, "RETURN TO:")
        c.setFont("Helvetica", 10)
        for line in _lines(label.return_address or NO_ADDRESS):
            y -= 0.18 * inch
            c.drawString(0.3 * inch, y, line)
        y -= 0.35 * inch
        c.setFont("Helvetica-Bold", 10)
        c.drawString(0.3 * inch, y, "FROM:")
        c.setFont("Helvetica", 10)
        place = ", ".join(p for p in (label.ship_city, label.ship_state, label.ship_postal_code, label.ship_country) if p)
        c.drawString(0.9 * inch, y, place or "(the buyer's city is not in the order reports)")
        barcode = code128.Code128(label.rma_id, barHeight=0.9 * inch, barWidth=1.2, humanReadable=True, quiet=True)
        bx = max((width - barcode.width) / 2, 0.1 * inch)
        barcode.drawOn(c, bx, 0.5 * inch)
        c.showPage()
        c.save()
        os.replace(tmp, path)  # a label is whole or absent: a reader never sees half a PDF
        return path


def _lines(text: str, width: int = 52) -> list[str]:
    """The address's own lines (commas or newlines), each cut to fit the label."""
    import textwrap

    out = []
    for part in re.split(r"\n|,\s*(?=\S)", text):
        out += textwrap.wrap(part.strip(), width) or [""]
    return out
