"""The demo seller's FBA inbound shipments, as saved SP-API responses beside the demo reports.

Shipments move through the nodes over weeks, one poll a day: a clean one, shortages (one valued by
the demo's orders, one of a 2024-03-20 plan merged into its FBA id, one whose claim window is about
to close, one reimbursed by case id), an overage, a stuck shipment, skipped nodes, a poll arriving
out of order, a cancelled shipment, an exception and a plan not yet packed. The lead wires
`write_inbound_demo` into `write_demo_data`; `DEMO_CASES` are the claims the demo seller filed
(`sellerops.inbound.store.record_case`). Deterministic for a seed; no Prefect.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from sellerops.inbound.responses import envelope

MARKETPLACE_ID = "ATVPDKIKX0DER"
POLL_HOUR = 8
# (shipment, sku, case id) of the claims the demo seller filed in Seller Central
DEMO_CASES = [("FBA-DEMO08", "DM-007-WHT", "C-DEMO-0008")]


def _sku(i: int) -> str:
    """The demo catalogue's SKU names (sellerops.demo), so the orders value the units."""
    return f"DM-{i:03d}-{'BLK' if (i - 1) % 2 else 'WHT'}"


def _timelines(days: int) -> dict[str, list[tuple[int, str]]]:
    """v0 ShipmentStatus by day offset from the start (E = the last day)."""
    e = days
    return {
        "FBA-DEMO01": [(0, "WORKING"), (1, "READY_TO_SHIP"), (2, "SHIPPED"), (3, "IN_TRANSIT"), (6, "DELIVERED"),
                       (7, "CHECKED_IN"), (8, "RECEIVING"), (12, "CLOSED")],
        "FBA-DEMO02": [(2, "WORKING"), (3, "READY_TO_SHIP"), (4, "SHIPPED"), (5, "IN_TRANSIT"), (9, "DELIVERED"),
                       (10, "CHECKED_IN"), (11, "RECEIVING"), (16, "CLOSED")],
        "FBA-DEMO03": [(4, "WORKING"), (5, "SHIPPED"), (6, "IN_TRANSIT"), (10, "DELIVERED"), (11, "CHECKED_IN"),
                       (12, "RECEIVING"), (17, "CLOSED")],
        "FBA-DEMO04": [(e - 20, "WORKING"), (e - 19, "READY_TO_SHIP"), (e - 18, "SHIPPED"), (e - 15, "IN_TRANSIT")],
        "FBA-DEMO05": [(5, "WORKING"), (7, "SHIPPED"), (14, "RECEIVING"), (18, "CLOSED")],  # jumps over nodes
        "FBA-DEMO06": [(10, "WORKING"), (11, "SHIPPED"), (12, "IN_TRANSIT"), (15, "DELIVERED"), (16, "CHECKED_IN"),
                       (17, "RECEIVING"), (20, "CLOSED")],
        "FBA-DEMO07": [(3, "WORKING"), (6, "CANCELLED")],
        "FBA-DEMO08": [(1, "WORKING"), (2, "SHIPPED"), (3, "IN_TRANSIT"), (7, "DELIVERED"), (8, "CHECKED_IN"),
                       (9, "RECEIVING"), (13, "CLOSED")],
        "FBA-DEMO10": [(e - 10, "WORKING"), (e - 8, "ERROR")],
        "FBA-DEMO11": [(e - 58, "SHIPPED"), (e - 55, "DELIVERED"), (e - 53, "RECEIVING"), (e - 50, "CLOSED")],
        # the 2024-03-20 plan's shipment, once confirmed (its early nodes come from the plan calls)
        "FBA-DEMO09": [(9, "SHIPPED"), (10, "IN_TRANSIT"), (14, "DELIVERED"), (15, "CHECKED_IN"), (16, "RECEIVING"),
                       (21, "CLOSED")],
    }


# shipment -> [(sku number, shipped, received once closed)]
_ITEMS = {
    "FBA-DEMO01": [(3, 10, 10), (4, 24, 24)],
    "FBA-DEMO02": [(1, 40, 37), (2, 20, 20)],  # 3 short, valued by the orders
    "FBA-DEMO03": [(5, 12, 13)],  # one more received than shipped
    "FBA-DEMO04": [(10, 30, 0)],
    "FBA-DEMO05": [(6, 30, 30)],
    "FBA-DEMO06": [(11, 15, 15)],
    "FBA-DEMO08": [(7, 18, 14)],  # 4 short, reimbursed (3 units) on its case
    "FBA-DEMO09": [(9, 25, 23)],  # 2 short on a 2024-03-20 shipment
    "FBA-DEMO11": [(8, 16, 15)],  # 1 short, window closing
}


class _Writer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.paths: list[Path] = []

    def save(self, day: dt.date, operation: str, body, hour: int = POLL_HOUR, arrived: dt.date | None = None,
             tag: str = "", **request) -> None:
        at = dt.datetime.combine(day, dt.time(hour), dt.timezone.utc)
        # file names sort in the order the polls arrived: ingestion loads them in that order
        stamp = (arrived or day).strftime("%Y%m%d") + f"T{hour:02d}"
        path = self.folder / f"inbound-{stamp}-{len(self.paths):04d}-{operation}{tag}.json"
        path.write_text(json.dumps(envelope(operation, at, body, MARKETPLACE_ID, **request), indent=1) + "\n")
        self.paths.append(path)


def _status_on(timeline: list[tuple[int, str]], offset: int) -> str | None:
    seen = [s for d, s in timeline if d <= offset]
    return seen[-1] if seen else None


def write_inbound_demo(out_dir: Path, seed: int, start: dt.date, end: dt.date) -> list[Path]:
    """Write the demo's saved inbound responses under `out_dir/reports/inbound/` (one per call) and
    its Lost_Inbound reimbursement under `out_dir/reports/`; the paths written."""
    rng = random.Random(seed)
    days = (end - start).days
    if days < 60:
        raise ValueError(f"the inbound demo needs 60 days or more between start and end, got {days}")
    folder = Path(out_dir) / "reports" / "inbound"
    folder.mkdir(parents=True, exist_ok=True)
    w = _Writer(folder)
    timelines = _timelines(days)
    fc = {sid: rng.choice(("PHX7", "ONT8", "LGB8", "MDW2", "BFI4")) for sid in sorted(timelines)}
    fc["FBA-DEMO09"] = "SMF3"  # where the 2024-03-20 placement sent it
    fnsku = {i: f"X00DEMO{seed % 1000:03d}{i:02d}" for i in range(1, 21)}
    for offset in range(days + 1):
        day = start + dt.timedelta(days=offset)
        listed = [{"ShipmentId": sid, "ShipmentName": f"Demo {sid[-2:]}", "ShipmentStatus": status,
                   "DestinationFulfillmentCenterId": fc[sid], "LabelPrepType": "SELLER_LABEL"}
                  for sid, tl in sorted(timelines.items()) if (status := _status_on(tl, offset))]
        if listed:
            w.save(day, "getShipments", {"payload": {"ShipmentData": listed}},
                   query={"MarketplaceId": MARKETPLACE_ID, "QueryType": "DATE_RANGE"})
        for sid, tl in sorted(timelines.items()):
            closed_on = next((d for d, s in tl if s == "CLOSED"), None)
            if sid in _ITEMS and offset in {tl[0][0], closed_on}:
                rows = [{"ShipmentId": sid, "SellerSKU": _sku(i), "FulfillmentNetworkSKU": fnsku[i],
                         "QuantityShipped": shipped, "QuantityReceived": received if offset == closed_on else 0,
                         "QuantityInCase": 0} for i, shipped, received in _ITEMS[sid]]
                w.save(day, "getShipmentItemsByShipmentId", {"payload": {"ItemData": rows}}, hour=POLL_HOUR + 1,
                       path={"shipmentId": sid})
        _plan_calls(w, offset, day, days, fnsku)
    # a poll of day 13 that reached the folder only on day 18: it shows FBA-DEMO06 in transit, and
    # never moves it back from checked-in
    late = start + dt.timedelta(days=13)
    w.save(late, "getShipments", {"payload": {"ShipmentData": [
        {"ShipmentId": "FBA-DEMO06", "ShipmentStatus": "IN_TRANSIT", "DestinationFulfillmentCenterId": fc["FBA-DEMO06"]}]}},
        hour=POLL_HOUR + 2, arrived=start + dt.timedelta(days=18), tag="-late")
    return sorted(w.paths) + [_reimbursement(Path(out_dir) / "reports", start, fnsku)]


def _plan_calls(w: _Writer, offset: int, day: dt.date, days: int, fnsku: dict) -> None:
    """The 2024-03-20 plan wf-DEMO09 from creation to confirmation, and a plan not yet packed."""
    plan, draft = {"inboundPlanId": "wf-DEMO09"}, "sh-DEMO09"
    if offset == 4:
        w.save(day, "listInboundPlans", {"inboundPlans": [{"inboundPlanId": "wf-DEMO09", "status": "ACTIVE",
                                                           "name": "Demo plan 09"}], "pagination": {}})
    elif offset == 5:
        w.save(day, "listPackingOptions", {"packingOptions": [{"packingOptionId": "po-A", "status": "ACCEPTED"},
                                                              {"packingOptionId": "po-B", "status": "OFFERED"}]},
               path=plan)
    elif offset == 6:
        w.save(day, "listPlacementOptions", {"placementOptions": [
            {"placementOptionId": "pl-A", "status": "ACCEPTED", "shipmentIds": [draft]}]}, path=plan)
        w.save(day, "getShipment", {"shipmentId": draft, "status": "WORKING", "placementOptionId": "pl-A",
                                    "destination": {"warehouseId": "SMF3"}}, hour=POLL_HOUR + 1,
               path=dict(plan, shipmentId=draft))
    elif offset == 7:
        w.save(day, "listTransportationOptions", {"transportationOptions": [
            {"transportationOptionId": "to-1", "shipmentId": draft, "shippingMode": "GROUND_SMALL_PARCEL"}]},
            path=plan, query={"placementOptionId": "pl-A"})
        w.save(day, "getShipment", {"shipmentId": draft, "status": "WORKING", "placementOptionId": "pl-A",
                                    "selectedTransportationOptionId": "to-1", "destination": {"warehouseId": "SMF3"}},
               hour=POLL_HOUR + 1, path=dict(plan, shipmentId=draft))
    elif offset == 8:
        w.save(day, "getShipment", {"shipmentId": draft, "shipmentConfirmationId": "FBA-DEMO09",
                                    "status": "READY_TO_SHIP", "placementOptionId": "pl-A",
                                    "selectedTransportationOptionId": "to-1", "destination": {"warehouseId": "SMF3"}},
               path=dict(plan, shipmentId=draft))
        w.save(day, "listShipmentItems", {"items": [{"msku": _sku(9), "fnsku": fnsku[9], "quantity": 25,
                                                     "labelOwner": "SELLER"}], "pagination": {}},
               hour=POLL_HOUR + 1, path=dict(plan, shipmentId=draft))
    elif offset == days - 2:
        w.save(day, "listInboundPlans", {"inboundPlans": [{"inboundPlanId": "wf-DEMO12", "status": "ACTIVE",
                                                           "name": "Demo plan 12"}], "pagination": {}})


def _reimbursement(reports: Path, start: dt.date, fnsku: dict) -> Path:
    """Amazon's answer to case C-DEMO-0008: 3 of the 4 units short, paid on the case."""
    from sellerops.demo.files import REIMBURSEMENTS_HEADER

    when = dt.datetime.combine(start + dt.timedelta(days=40), dt.time(12), dt.timezone.utc)
    row = [when.strftime("%Y-%m-%dT%H:%M:%S+00:00"), "RDEMO0008", "C-DEMO-0008", "", "Lost_Inbound", _sku(7),
           fnsku[7], "B0DEMO0007", "Demo product 7", "NewItem", "USD", "14.99", "44.97", "3", "0", "3", "", ""]
    path = reports / "inbound_reimbursements.txt"
    path.write_text("\t".join(REIMBURSEMENTS_HEADER) + "\n" + "\t".join(row) + "\n")
    return path
