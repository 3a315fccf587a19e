"""Saved SP-API responses: recognised by shape, read into observations, refused with file and JSON path."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from sellerops.inbound.responses import ResponseError, envelope, looks_like_response, read

AT = dt.datetime(2026, 9, 1, 8, tzinfo=dt.timezone.utc)
PLAN = {"inboundPlanId": "wf1"}


def saved(tmp_path, name, doc):
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p


def test_looks_like_response_by_shape_not_name():
    doc = envelope("getShipments", AT, {"payload": {"ShipmentData": []}})
    assert looks_like_response(json.dumps(doc).encode())
    assert not looks_like_response(b"settlement-id\tsettlement-start-date\n1\t2\n")
    assert not looks_like_response(b'{"payload": {"ShipmentData": []}}')  # a bare body is not a saved call


def test_v0_shipments_and_items(tmp_path):
    p = saved(tmp_path, "a.json", envelope("getShipments", AT, {"payload": {"ShipmentData": [
        {"ShipmentId": "FBA1", "ShipmentStatus": "IN_TRANSIT", "DestinationFulfillmentCenterId": "PHX7"},
        {"ShipmentId": "FBA2", "ShipmentStatus": "ERROR"}], "NextToken": None}}, "ATVPDKIKX0DER"))
    r = read(p)
    assert [(o.shipment_id, o.node, o.destination_fc, o.observed_at) for o in r.observations] == [
        ("FBA1", "in_transit", "PHX7", AT), ("FBA2", "exception", None, AT)]
    p = saved(tmp_path, "b.json", envelope("getShipmentItemsByShipmentId", AT, {"payload": {"ItemData": [
        {"SellerSKU": "S1", "FulfillmentNetworkSKU": "X1", "QuantityShipped": 10, "QuantityReceived": 8}]}},
        path={"shipmentId": "FBA1"}))
    (item,) = read(p).items
    # the shipment comes from the request's path when the item does not repeat it
    assert (item.shipment_ref, item.sku, item.shipped, item.received, item.api_version) == ("FBA1", "S1", 10, 8, "v0")


def test_2024_get_shipment_with_transport_selected_and_confirmation_id(tmp_path):
    p = saved(tmp_path, "s.json", envelope("getShipment", AT, {
        "shipmentId": "sh1", "shipmentConfirmationId": "FBA9", "status": "WORKING", "placementOptionId": "po1",
        "selectedTransportationOptionId": "to1", "destination": {"warehouseId": "ONT8"}}, path=dict(PLAN, shipmentId="sh1")))
    (o,) = read(p).observations
    assert (o.node, o.shipment_id, o.draft_id, o.plan_id, o.destination_fc, o.api_version) == (
        "transport_confirmed", "FBA9", "sh1", "wf1", "ONT8", "2024-03-20")


def test_2024_plan_options_and_items(tmp_path):
    packing = read(saved(tmp_path, "p.json", envelope("listPackingOptions", AT, {"packingOptions": [
        {"packingOptionId": "pk1", "status": "OFFERED"}, {"packingOptionId": "pk2", "status": "ACCEPTED"}]}, path=PLAN)))
    assert [(o.plan_id, o.node) for o in packing.observations] == [("wf1", "packing_confirmed")]
    placement = read(saved(tmp_path, "q.json", envelope("listPlacementOptions", AT, {"placementOptions": [
        {"placementOptionId": "po1", "status": "ACCEPTED", "shipmentIds": ["sh1", "sh2"]}]}, path=PLAN)))
    assert [(o.draft_id, o.node) for o in placement.observations] == [("sh1", "placement_confirmed"),
                                                                       ("sh2", "placement_confirmed")]
    plans = read(saved(tmp_path, "l.json", envelope("listInboundPlans", AT, {"inboundPlans": [
        {"inboundPlanId": "wf1", "status": "ACTIVE"}, {"inboundPlanId": "wf2", "status": "VOIDED"}]})))
    assert [(o.plan_id, o.node) for o in plans.observations] == [("wf1", "plan_created"), ("wf2", "cancelled")]
    items = read(saved(tmp_path, "i.json", envelope("listShipmentItems", AT, {"items": [
        {"msku": "S1", "fnsku": "X1", "quantity": 12}]}, path=dict(PLAN, shipmentId="sh1"))))
    assert [(i.shipment_ref, i.sku, i.shipped, i.received) for i in items.items] == [("sh1", "S1", 12, None)]


@pytest.mark.parametrize("doc, where", [
    # a status Amazon does not send
    (envelope("getShipments", AT, {"payload": {"ShipmentData": [{"ShipmentId": "F", "ShipmentStatus": "LOST"}]}}),
     "$.response.payload.ShipmentData[0].ShipmentStatus: expected one of WORKING"),
    # a negative quantity
    (envelope("getShipmentItems", AT, {"payload": {"ItemData": [{"ShipmentId": "F", "SellerSKU": "S",
                                                                  "QuantityShipped": -1}]}}),
     "$.response.payload.ItemData[0].QuantityShipped: expected a count of 0 or more"),
    # the call's plan id is what ties the response to its plan
    (envelope("listPackingOptions", AT, {"packingOptions": []}), "$.request.path.inboundPlanId: expected a string"),
    (dict(envelope("getShipments", AT, {"payload": {"ShipmentData": []}}), observed_at="2026-09-01T08:00:00"),
     "$.observed_at: expected an ISO-8601 time with its offset"),
    (dict(envelope("getShipments", AT, {"payload": {"ShipmentData": []}}), api_version="2024-03-20"),
     "$.api_version: expected one of v0"),
    (dict(envelope("getShipments", AT, {}), operation="createInboundPlan"), "$.operation: expected one of getShipments"),
])
def test_refused_with_the_file_and_json_path(tmp_path, doc, where):
    p = saved(tmp_path, "bad.json", doc)
    with pytest.raises(ResponseError) as exc:
        read(p)
    assert str(exc.value).startswith(f"{p}: ") and where in str(exc.value)


def test_broken_json_names_line_and_column(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{"operation": "getShipments",\n "response": {,}}')
    assert looks_like_response(p.read_bytes())  # meant as a saved response: quarantined, not "unknown report"
    with pytest.raises(ResponseError, match=r"broken.json:2:15: not valid JSON"):
        read(p)
