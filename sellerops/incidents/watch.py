"""Reading Amazon's suppressed-listings report into takedown alerts: the listing-watch flow's domain.

The report (`Status, Reason, SKU, ASIN, Product name, Condition, Status Change Date, Issue
Description`) is parsed by header name, extra columns tolerated, with the decoding every report
uses (sellerops.reports.read). Each row becomes the request that opens a takedown incident; the
flow emits it as an event and a trigger starts the incident, which is opened once per listing
however many alerts name it. A SKU missing from a later report is not evidence of reinstatement:
only a listing-status poll (the Amazon source's `listing_status`) that reads the listing BUYABLE
again is (`buyable_in`), and the incident closes on it only after an appeal or a retraction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sellerops.reports.base import norm
from sellerops.reports.read import decode, looks_japanese

COLUMNS = ("status", "reason", "sku", "asin", "product-name", "condition", "status-change-date",
           "issue-description")
REQUIRED = ("sku", "status", "reason")
EVENT = "sellerops.listing.suppressed"


class SuppressedReportError(ValueError):
    """A suppressed-listings report that cannot be read: says file, line and column."""


@dataclass(frozen=True)
class SuppressedListing:
    sku: str
    asin: str | None
    status: str
    reason: str
    issue: str | None
    product_name: str | None
    changed: str | None
    line: int

    def takedown_request(self, marketplace: str, account: str) -> dict:
        """The listing-takedown flow's parameters for this alert."""
        why = f"{self.status}: {self.reason}" + (f" — {self.issue}" if self.issue else "")
        return {"sku": self.sku, "asin": self.asin, "marketplace": marketplace, "account": account, "reason": why}

    def resource(self, marketplace: str, account: str) -> dict[str, str]:
        """The listing as an event resource: one id per (account, marketplace, sku)."""
        return {"prefect.resource.id": f"sellerops.listing.{account}.{marketplace}.{self.sku}",
                "prefect.resource.name": self.sku, "sellerops.account": account,
                "sellerops.marketplace": marketplace, "sellerops.sku": self.sku, "sellerops.asin": self.asin or ""}


def is_suppressed_report(data: bytes) -> bool:
    """Whether the file's header is the suppressed-listings report's."""
    body, enc = decode(data[:4096], looks_japanese(data[:4096]))
    header = body.decode(enc if enc != "utf-8-sig" else "utf-8", errors="replace").splitlines()[:1]
    names = {norm(h) for h in header[0].split("\t")} if header else set()
    return {"issue-description", "status-change-date", "sku"} <= names


def read_suppressed(path: Path, data: bytes) -> list[SuppressedListing]:
    """Every row of a suppressed-listings report; raises SuppressedReportError naming where."""
    body, enc = decode(data, looks_japanese(data))
    text = body.decode("utf-8" if enc == "utf-8-sig" else enc)
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    if not rows:
        raise SuppressedReportError(f"{path}:1:1: empty file, expected the header {', '.join(COLUMNS)}")
    index = {norm(h): i for i, h in enumerate(rows[0])}
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        raise SuppressedReportError(f"{path}:1:1: missing column(s) {', '.join(missing)}; found "
                                    f"{', '.join(rows[0])}")

    def cell(row: list[str], name: str) -> str | None:
        i = index.get(name)
        value = row[i].strip() if i is not None and i < len(row) else ""
        return value or None

    out = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(x.strip() for x in row):
            continue
        sku = cell(row, "sku")
        if sku is None:
            raise SuppressedReportError(f"{path}:{line}:{index['sku'] + 1}: SKU is blank")
        out.append(SuppressedListing(sku=sku, asin=cell(row, "asin"), status=cell(row, "status") or "",
                                     reason=cell(row, "reason") or "", issue=cell(row, "issue-description"),
                                     product_name=cell(row, "product-name"), changed=cell(row, "status-change-date"),
                                     line=line))
    return out


BUYABLE = "BUYABLE"


def buyable_in(item: dict, marketplace_id: str | None) -> bool:
    """Whether a Listings Items record (getListingsItem / searchListingsItems, summaries included)
    shows the listing BUYABLE in the marketplace. Only a summary saying so counts: a listing that
    is merely absent from a report, or has no summary for the marketplace, is not evidence."""
    for summary in item.get("summaries") or []:
        if not isinstance(summary, dict):
            continue
        where = summary.get("marketplaceId")
        if where and marketplace_id and where != marketplace_id:
            continue
        status = summary.get("status") or []
        if BUYABLE in ([status] if isinstance(status, str) else status):
            return True
    return False


REPORT_TYPE = "GET_MERCHANTS_LISTINGS_FYP_REPORT"  # Amazon's suppressed-listings report


@dataclass(frozen=True)
class _Kind:
    """What ingestion records as the report type of a suppressed-listings report."""

    report_type: str = REPORT_TYPE


def ingest_suppressed(path: Path, data: bytes, digest: str, s):
    """Record a suppressed-listings report dropped in the inbox (listing-watch reads it from there):
    loaded with its listing count, or quarantined with the reason it cannot be read — never an
    "unknown report type" that would turn the night red."""
    from sellerops.ingest.decide import duplicate_of
    from sellerops.ingest.outcome import LOADED, Outcome, content_seen, record_file
    from sellerops.ingest.prepare import Detected
    from sellerops.ingest.quarantine import quarantine
    from sellerops.storage.engine import get_engine

    d = Detected(path, digest, None, _Kind(), None)
    if (first := content_seen(digest)) is not None:
        return duplicate_of(d, first, s)
    try:
        rows = len(read_suppressed(path, data))
    except (SuppressedReportError, UnicodeDecodeError) as exc:
        return quarantine(d, [str(exc)], s)
    with get_engine(s.database_url).begin() as conn:
        record_file(conn, s, d, LOADED, rows=rows)
    return Outcome(str(path), digest, REPORT_TYPE, LOADED, rows=rows)
