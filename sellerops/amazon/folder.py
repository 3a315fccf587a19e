"""`FolderSource`: the Amazon source over a directory of files the seller downloaded by hand.

Report files are recognised by their header (never by file name), through the one detection
table ingestion uses too (`sellerops.core.report_types`); saved SP-API JSON responses (getShipments, listInboundPlans,
searchListingsItems, the seller performance report) answer the inbound, listing and account-health
questions. A folder has no date windows: requesting a report names the newest download of its type
(awaiting it returns that file at once), and a type with no download ends CANCELLED ("no data"),
so the pull flow runs on a folder exactly as on the API. Nothing here moves, changes or deletes the seller's files.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Iterator

from sellerops.amazon.source import (
    SELLER_PERFORMANCE,
    SETTLEMENT,
    AmazonSource,
    FetchedReport,
    InboundShipment,
    ReportStatus,
    SettlementRef,
    SourceError,
    utc,
)
from sellerops.core.report_types import detect_type

_SNIFF_BYTES = 64 * 1024


def sniff_report_type(path: Path) -> str | None:
    """The Amazon report type of a file from its first line or JSON shape; None when unknown."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    stripped = head.lstrip()
    if stripped[:1] in (b"{", b"["):
        return SELLER_PERFORMANCE if b"orderDefectRate" in head or b"performanceMetrics" in head else None
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    # Header names are ASCII in every marketplace; ISO-8859-1 never fails to decode.
    return detect_type(c.strip('"') for c in first.decode("iso-8859-1").split("\t"))


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.timezone.utc)


def _file_id(path: Path) -> str:
    # Report ids end up in saved file names: no separator a file system refuses.
    return "file-" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]


class FolderSource(AmazonSource):
    """The Amazon source over a folder of downloaded reports and saved API responses."""

    def __init__(self, root: Path | str, account: str = "default", marketplace_ids: tuple[str, ...] = ()) -> None:
        self.root = Path(root)
        self.account = account
        self.marketplace_ids = tuple(marketplace_ids)
        if not self.root.is_dir():
            raise SourceError(f"report folder {self.root}: not a directory")

    def _files(self) -> Iterator[Path]:
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root)
            if path.is_file() and not any(part.startswith(".") for part in rel.parts) and path.stat().st_size > 0:
                yield path

    def reports(self, report_type: str | None = None) -> list[FetchedReport]:
        """Every recognised report file (of `report_type` when given), oldest first."""
        found = []
        for path in self._files():
            kind = sniff_report_type(path)
            if kind is not None and (report_type is None or kind == report_type):
                found.append(FetchedReport(kind, _file_id(path), ReportStatus.DONE, path=path))
        return sorted(found, key=lambda r: (_mtime(r.path), str(r.path)))

    def list_settlements(self, since: dt.datetime) -> list[SettlementRef]:
        since = utc(since)
        return [
            SettlementRef(report_id=r.report_id, document_id=None, created_time=_mtime(r.path), path=r.path)
            for r in self.reports(SETTLEMENT)
            if _mtime(r.path) >= since
        ]

    def fetch_settlement(self, ref: SettlementRef) -> FetchedReport:
        return FetchedReport(SETTLEMENT, ref.report_id, ReportStatus.DONE, path=ref.path)

    def request_report(self, report_type: str, start: dt.datetime | None = None, end: dt.datetime | None = None) -> str:
        """The id of the newest download of `report_type`; "" when the folder holds none."""
        found = self.reports(report_type)
        return found[-1].report_id if found else ""

    def await_report(
        self, report_type: str, report_id: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> FetchedReport:
        for report in self.reports(report_type):
            if report.report_id == report_id:
                report.start, report.end, report.marketplace_ids = start, end, self.marketplace_ids
                return report
        # No download of this type (or it was removed since it was named): Amazon's "no data".
        return FetchedReport(report_type, report_id, ReportStatus.CANCELLED, start=start, end=end)

    # -- saved JSON responses -------------------------------------------------------------------

    def _json_documents(self) -> Iterator[tuple[Path, Any]]:
        for path in self._files():
            if path.suffix.lower() != ".json":
                continue
            try:
                yield path, json.loads(path.read_bytes().decode("utf-8-sig"))
            except (ValueError, UnicodeDecodeError):
                continue

    def _payload_lists(self, key: str) -> Iterator[dict[str, Any]]:
        for _, doc in self._json_documents():
            if isinstance(doc, dict):
                body = doc.get("payload") if isinstance(doc.get("payload"), dict) else doc
                for entry in body.get(key) or []:
                    if isinstance(entry, dict):
                        yield entry

    def inbound_shipments(self, statuses=None, updated_after=None, updated_before=None) -> list[InboundShipment]:
        wanted = set(statuses or ())
        return [
            InboundShipment(
                shipment_id=str(s.get("ShipmentId")), status=s.get("ShipmentStatus"), name=s.get("ShipmentName"),
                destination=s.get("DestinationFulfillmentCenterId"), api_version="v0", raw=s,
            )  # fmt: skip
            for s in self._payload_lists("ShipmentData")
            if not wanted or s.get("ShipmentStatus") in wanted
        ]

    def shipment_items(self, shipment_id: str) -> list[dict[str, Any]]:
        return [i for i in self._payload_lists("ItemData") if i.get("ShipmentId") == shipment_id]

    def inbound_plans(self, status: str | None = None) -> list[dict[str, Any]]:
        return [p for p in self._payload_lists("inboundPlans") if status is None or p.get("status") == status]

    def plan_shipments(self, inbound_plan_id: str) -> list[InboundShipment]:
        for plan in self.inbound_plans():
            if plan.get("inboundPlanId") == inbound_plan_id:
                return [
                    InboundShipment(str(s.get("shipmentId")), s.get("status"), plan_id=inbound_plan_id,
                                    api_version="2024-03-20", raw=s)  # fmt: skip
                    for s in plan.get("shipments") or []
                ]
        return []

    def _saved_call(self, operation: str, key: str, **path: str) -> list[dict[str, Any]]:
        """The rows of the newest saved response of `operation` for these path parameters (a saved
        response names its plan and shipment in `request`, as the SP-API pull writes it)."""
        found: tuple[tuple[dt.datetime, str], list[dict[str, Any]]] | None = None
        for file, doc in self._json_documents():
            if not isinstance(doc, dict) or doc.get("operation") != operation:
                continue
            request = doc.get("request") if isinstance(doc.get("request"), dict) else {}
            params = {**(request.get("path") or {}), **(request.get("query") or {})}
            if any(params.get(k) != v for k, v in path.items()):
                continue
            body = doc.get("response") if isinstance(doc.get("response"), dict) else {}
            when = (_mtime(file), str(file))
            if found is None or found[0] <= when:
                found = (when, [r for r in body.get(key) or [] if isinstance(r, dict)])
        return found[1] if found else []

    def packing_options(self, inbound_plan_id: str) -> list[dict[str, Any]]:
        return self._saved_call("listPackingOptions", "packingOptions", inboundPlanId=inbound_plan_id)

    def placement_options(self, inbound_plan_id: str) -> list[dict[str, Any]]:
        return self._saved_call("listPlacementOptions", "placementOptions", inboundPlanId=inbound_plan_id)

    def transportation_options(self, inbound_plan_id: str, shipment_id: str) -> list[dict[str, Any]]:
        return self._saved_call("listTransportationOptions", "transportationOptions", inboundPlanId=inbound_plan_id,
                                shipmentId=shipment_id)

    def seller_performance(self) -> FetchedReport:
        return self.await_report(SELLER_PERFORMANCE, self.request_report(SELLER_PERFORMANCE))

    def listing_status(self, skus: list[str] | None = None) -> list[dict[str, Any]]:
        """One record per SKU from saved searchListingsItems (`items`) or getListingsItem (one item)
        responses; the newest file saying anything of a SKU wins, as a newer poll would."""
        latest: dict[str, tuple[tuple[dt.datetime, str], dict[str, Any]]] = {}
        for path, doc in self._json_documents():
            if not isinstance(doc, dict):
                continue
            body = doc.get("payload") if isinstance(doc.get("payload"), dict) else doc
            items = body.get("items") if isinstance(body.get("items"), list) else [body] if "summaries" in body else []
            when = (_mtime(path), str(path))
            for item in items:
                if isinstance(item, dict) and item.get("sku") and (item["sku"] not in latest
                                                                   or latest[item["sku"]][0] <= when):
                    latest[item["sku"]] = (when, item)
        wanted = None if skus is None else set(skus)
        return [item for sku, (_, item) in sorted(latest.items()) if wanted is None or sku in wanted]
