"""The SP-API pull saving inbound responses through the local SP-API server, then loaded and tracked."""

from __future__ import annotations

import datetime as dt

from sellerops.ingest import ingest_paths
from sellerops.inbound.pull import save_inbound_responses
from sellerops.inbound.store import track
from tests.sellerops.amazon.conftest import fake, fast_policy, make_source, spapi_http  # noqa: F401  (fixtures)

NOW = dt.datetime(2026, 9, 1, 8, tzinfo=dt.timezone.utc)


def test_pulled_responses_load_and_track(make_source, fake, tmp_path):
    fake.shipments_v0 = [
        {"ShipmentId": "FBA1", "ShipmentStatus": "CLOSED", "DestinationFulfillmentCenterId": "PHX7"},
        {"ShipmentId": "FBA2", "ShipmentStatus": "CANCELLED"},
        {"ShipmentId": "FBA3", "ShipmentStatus": "IN_TRANSIT"}]  # three: more than one page (the server sends 2)
    fake.items_v0 = {"FBA1": [{"ShipmentId": "FBA1", "SellerSKU": "S1", "FulfillmentNetworkSKU": "X1",
                               "QuantityShipped": 10, "QuantityReceived": 9}]}
    fake.plans = [{"inboundPlanId": "wf1", "status": "ACTIVE"}, {"inboundPlanId": "wf2", "status": "ACTIVE"}]
    fake.plan_shipments["wf1"] = [{"shipmentId": "sh1", "status": "WORKING", "placementOptionId": "pl1",
                                   "selectedTransportationOptionId": "to1", "destination": {"warehouseId": "ONT8"}}]
    # wf2 has no shipment yet: only its accepted packing option (three options: two pages) tells node 2
    fake.packing_options["wf2"] = [{"packingOptionId": f"po{i}", "status": "ACCEPTED" if i == 2 else "OFFERED"}
                                   for i in range(3)]
    fake.transportation_options["sh1"] = [{"transportationOptionId": "to1", "shipmentId": "sh1"}]
    paths = save_inbound_responses(make_source(), tmp_path / "pulled", now=NOW)
    ops = [p.name.split("-", 3)[3].split("-")[0].removesuffix(".json") for p in paths]
    # no items asked for the cancelled shipment; each active plan's options, each shipment's transport
    assert ops == ["getShipments", "getShipmentItemsByShipmentId", "getShipmentItemsByShipmentId",
                   "listInboundPlans", "listPackingOptions", "listPlacementOptions", "getShipment",
                   "listTransportationOptions", "listPackingOptions", "listPlacementOptions"]
    assert [p["inboundPlanId"] for p in fake.params("listPackingOptions")] == ["wf1", "wf2", "wf2"]  # paged
    assert {o.status for o in ingest_paths([tmp_path / "pulled"])} == {"loaded"}
    r = track(now=NOW)
    nodes = {s["shipment_id"]: (s["node"], s["units_short"]) for s in r.evaluation.status}
    assert nodes == {"FBA1": ("closed", 1), "FBA2": ("cancelled", None), "FBA3": ("in_transit", None),
                     "sh1": ("transport_confirmed", None), "wf2": ("packing_confirmed", None)}
