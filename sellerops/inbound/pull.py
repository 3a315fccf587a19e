"""The SP-API pull's inbound part: what the Amazon source answers, saved as one response file per call.

The tracker never talks to Amazon itself: the `sellerops-pull` flow (flows/pull.py) calls this to
write what the source's inbound calls returned as saved responses (sellerops.inbound.responses),
and hands them to ingestion with the reports, so the live API and a folder of saved files go
through one path. The source hands back each call's rows, so a paginated call is saved as one
body holding every page's rows. `sellerops pull --reports SPAPI_FBA_INBOUND` pulls only these.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from sellerops.inbound.responses import REPORT_TYPE_PREFIX, envelope, report_type

CANCELLED_V0 = {"CANCELLED", "DELETED"}
# The name a pull's `reports` list gives the inbound responses (they are no report Amazon writes).
PULL_NAME = REPORT_TYPE_PREFIX


def saved_type(path: Path) -> str:
    """The type ingestion records for a response file this module saved (from its name)."""
    return report_type(path.stem.split("-", 3)[3].split("-")[0])


def _name(at: dt.datetime, n: int, operation: str, subject: str = "") -> str:
    subject = re.sub(r"[^A-Za-z0-9_-]+", "_", subject)
    return f"inbound-{at:%Y%m%dT%H%M%S}-{n:04d}-{operation}{'-' + subject if subject else ''}.json"


def save_inbound_responses(source, folder: Path, now: dt.datetime | None = None) -> list[Path]:
    """Poll the source's inbound calls once and save each as a response file under `folder`."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    marketplace = (getattr(source, "marketplace_ids", None) or [None])[0]
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(operation: str, body, subject: str = "", **request) -> None:
        path = folder / _name(now, len(written), operation, subject)
        path.write_text(json.dumps(envelope(operation, now, body, marketplace, **request), indent=1) + "\n")
        written.append(path)

    shipments = source.inbound_shipments()
    save("getShipments", {"payload": {"ShipmentData": [s.raw for s in shipments]}},
         query={"MarketplaceId": marketplace, "QueryType": "SHIPMENT"})
    for s in shipments:
        if s.status not in CANCELLED_V0:
            save("getShipmentItemsByShipmentId", {"payload": {"ItemData": source.shipment_items(s.shipment_id)}},
                 s.shipment_id, path={"shipmentId": s.shipment_id}, query={"MarketplaceId": marketplace})
    plans = source.inbound_plans()
    save("listInboundPlans", {"inboundPlans": plans})
    for plan in plans:
        if plan.get("status") != "ACTIVE":
            continue
        pid = plan["inboundPlanId"]
        # nodes 2 and 3 of a plan with no shipment yet show only in its accepted options
        save("listPackingOptions", {"packingOptions": source.packing_options(pid)}, pid, path={"inboundPlanId": pid})
        save("listPlacementOptions", {"placementOptions": source.placement_options(pid)}, pid,
             path={"inboundPlanId": pid})
        for s in source.plan_shipments(pid):
            save("getShipment", s.raw, s.shipment_id, path={"inboundPlanId": pid, "shipmentId": s.shipment_id})
            save("listTransportationOptions",
                 {"transportationOptions": source.transportation_options(pid, s.shipment_id)}, s.shipment_id,
                 path={"inboundPlanId": pid}, query={"shipmentId": s.shipment_id})
    return written
