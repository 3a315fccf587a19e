"""Fulfillment Inbound: v0 shipments and their items, 2024-03-20 inbound plans and their shipments.

v0 keeps only read operations and is the only source of QuantityReceived; 2024-03-20 describes the
plans a seller builds today. Both are paginated; every page is read.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from sellerops.amazon.source import InboundShipment
from sellerops.amazon.spapi.client import SpApiClient, iso

# Fulfillment Inbound v0 ShipmentStatus values; getShipments needs a status list or a date range.
V0_SHIPMENT_STATUSES = (
    "WORKING", "READY_TO_SHIP", "SHIPPED", "IN_TRANSIT", "DELIVERED", "CHECKED_IN",
    "RECEIVING", "CLOSED", "CANCELLED", "DELETED", "ERROR",
)  # fmt: skip


class InboundApi:
    """The Fulfillment Inbound API (v0 and 2024-03-20) of one account."""

    def __init__(self, client: SpApiClient, marketplace_id: str) -> None:
        self.client = client
        self.marketplace_id = marketplace_id

    def _v0_pages(self, first: tuple[Any, ...], params: dict[str, Any], then: tuple[str, Any], key: str) -> list[Any]:
        """Every entry under `key`: `first` is (operation, method, *args); the follow-up pages go to
        `then` (operation, method) with only v0's NextToken."""
        entries: list[Any] = []
        response = self.client.call(*first, **params)
        while True:
            payload = response.payload or {}
            entries.extend(payload.get(key) or [])
            token = payload.get("NextToken")
            if not token:
                return entries
            response = self.client.call(*then, QueryType="NEXT_TOKEN", NextToken=token, MarketplaceId=self.marketplace_id)

    def inbound_shipments(self, statuses=None, updated_after=None, updated_before=None) -> list[InboundShipment]:
        client = self.client.api("inbound_v0")
        params: dict[str, Any] = {"MarketplaceId": self.marketplace_id}
        if updated_after is not None:
            params.update(QueryType="DATE_RANGE", LastUpdatedAfter=iso(updated_after),
                          LastUpdatedBefore=iso(updated_before or dt.datetime.now(dt.timezone.utc)))  # fmt: skip
            if statuses:
                params["ShipmentStatusList"] = ",".join(statuses)
        else:
            params.update(QueryType="SHIPMENT", ShipmentStatusList=",".join(statuses or V0_SHIPMENT_STATUSES))
        getting = ("getShipments", client.get_shipments)
        found = self._v0_pages(getting, params, getting, "ShipmentData")
        return [
            InboundShipment(
                shipment_id=str(s.get("ShipmentId")), status=s.get("ShipmentStatus"), name=s.get("ShipmentName"),
                destination=s.get("DestinationFulfillmentCenterId"), api_version="v0", raw=s,
            )  # fmt: skip
            for s in found
        ]

    def shipment_items(self, shipment_id: str) -> list[dict[str, Any]]:
        client = self.client.api("inbound_v0")
        first = ("getShipmentItemsByShipmentId", client.shipment_items_by_shipment, shipment_id)
        then = ("getShipmentItems", client.shipment_items)
        return self._v0_pages(first, {"MarketplaceId": self.marketplace_id}, then, "ItemData")

    def inbound_plans(self, status: str | None = None) -> list[dict[str, Any]]:
        client = self.client.api("inbound_2024")
        params: dict[str, Any] = {"pageSize": 30}
        if status:
            params["status"] = status
        plans: list[dict[str, Any]] = []
        for page in self.client.pages("listInboundPlans", client.list_inbound_plans, params, "paginationToken"):
            plans.extend((page.payload or {}).get("inboundPlans") or [])
        return plans

    def plan_shipments(self, inbound_plan_id: str) -> list[InboundShipment]:
        # 2024-03-20 has no flat listShipments: the plan names its shipments, getShipment details each.
        client = self.client.api("inbound_2024")
        plan = self.client.call("getInboundPlan", client.get_inbound_plan, inbound_plan_id).payload or {}
        shipments: list[InboundShipment] = []
        for entry in plan.get("shipments") or []:
            shipment_id = entry.get("shipmentId")
            detail = self.client.call("getShipment", client.get_shipment, inbound_plan_id, shipment_id).payload or {}
            shipments.append(
                InboundShipment(
                    shipment_id=str(shipment_id),
                    status=detail.get("status") or entry.get("status"),
                    name=detail.get("name"),
                    destination=(detail.get("destination") or {}).get("warehouseId"),
                    plan_id=inbound_plan_id,
                    api_version="2024-03-20",
                    raw=detail or entry,
                )
            )
        return shipments

    def _plan_pages(self, operation: str, fn: Any, key: str) -> list[dict[str, Any]]:
        # the plan (and shipment) ids are bound to the call: a follow-up page carries only its token
        rows: list[dict[str, Any]] = []
        for page in self.client.pages(operation, fn, {}, "paginationToken"):
            rows.extend((page.payload or {}).get(key) or [])
        return rows

    def packing_options(self, inbound_plan_id: str) -> list[dict[str, Any]]:
        client = self.client.api("inbound_2024")
        return self._plan_pages("listPackingOptions", partial(client.list_packing_options, inbound_plan_id),
                                "packingOptions")

    def placement_options(self, inbound_plan_id: str) -> list[dict[str, Any]]:
        client = self.client.api("inbound_2024")
        return self._plan_pages("listPlacementOptions", partial(client.list_placement_options, inbound_plan_id),
                                "placementOptions")

    def transportation_options(self, inbound_plan_id: str, shipment_id: str) -> list[dict[str, Any]]:
        client = self.client.api("inbound_2024")
        fn = partial(client.list_transportation_options, inbound_plan_id, shipmentId=shipment_id)
        return self._plan_pages("listTransportationOptions", fn, "transportationOptions")
