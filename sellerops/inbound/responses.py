"""Saved SP-API inbound responses: recognised by shape, checked, and read into observations and items.

One JSON file per call — `{"observed_at", "operation", "api_version", "marketplace_id", "request":
{"path", "query"}, "response"}` with the body exactly as Amazon sent it — whether a seller saved it
or the SP-API pull did, so the folder and the live API go through this one path. A file that does
not hold what its operation returns is refused with the file and the JSON path of the first thing
wrong (a syntax error with its line and column). `sellerops.inbound.store` loads what this reads.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sellerops.inbound.nodes import (PLAN_STATUSES, V0_STATUSES, V2024_SHIPMENT_STATUSES, plan_node, shipment_node,
                                     v0_node)
from sellerops.inbound.track import Observation

V0, V2024 = "v0", "2024-03-20"
REPORT_TYPE_PREFIX = "SPAPI_FBA_INBOUND"
ENVELOPE = ("observed_at", "operation", "api_version", "response")


class ResponseError(ValueError):
    """A saved response that is not what its operation returns; the message names file and place."""


@dataclass(frozen=True)
class ItemRow:
    shipment_ref: str  # the FBA shipment id (v0) or the 2024-03-20 shipmentId
    sku: str
    fnsku: str | None
    shipped: int
    received: int | None
    in_case: int | None
    api_version: str


@dataclass(frozen=True)
class SavedResponse:
    path: Path
    observed_at: dt.datetime
    operation: str
    api_version: str
    marketplace_id: str | None
    path_params: dict
    query_params: dict
    body: Any
    observations: list[Observation] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)

    @property
    def report_type(self) -> str:
        return report_type(self.operation)

    @property
    def plan_id(self) -> str | None:
        return self.path_params.get("inboundPlanId")

    @property
    def shipment_ref(self) -> str | None:
        return self.path_params.get("shipmentId") or self.query_params.get("ShipmentIdList") or None


def report_type(operation: str) -> str:
    """The name `report_file` records for a saved response of `operation`."""
    return f"{REPORT_TYPE_PREFIX}_{operation}"


def looks_like_response(data: bytes) -> bool:
    """A JSON object carrying the saved-response envelope (cheap: reports never start with `{`)."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        return False
    try:
        obj = json.loads(data)
    except ValueError:
        return b'"operation"' in data[:4096] and b'"response"' in data  # broken, but meant as one
    return isinstance(obj, dict) and all(k in obj for k in ENVELOPE)


class _Check:
    """Walks a parsed body, naming the JSON path of whatever is not as expected."""

    def __init__(self, file: Path):
        self.file = file

    def fail(self, where: str, expected: str, found: Any) -> None:
        shown = json.dumps(found)[:80] if found is not _MISSING else "nothing"
        raise ResponseError(f"{self.file}: {where}: expected {expected}, found {shown}")

    def get(self, obj: dict, key: str, where: str, kind: type | tuple = str, required: bool = True,
            choices: tuple | None = None):
        value = obj.get(key, _MISSING) if isinstance(obj, dict) else _MISSING
        here = f"{where}.{key}"
        if value is _MISSING or value is None:
            if required:
                self.fail(here, _kind_name(kind, choices), value)
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.fail(here, _kind_name(kind, choices), value)
        if kind is str and not value.strip():
            self.fail(here, "a non-empty string", value)
        if kind is int and value < 0:
            self.fail(here, "a count of 0 or more", value)
        if choices is not None and value not in choices:
            self.fail(here, f"one of {', '.join(choices)}", value)
        return value

    def items(self, obj: dict, key: str, where: str) -> list[tuple[str, dict]]:
        rows = self.get(obj, key, where, list)
        out = []
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                self.fail(f"{where}.{key}[{i}]", "an object", row)
            out.append((f"{where}.{key}[{i}]", row))
        return out


_MISSING = object()


def _kind_name(kind, choices) -> str:
    if choices:
        return f"one of {', '.join(choices)}"
    return {str: "a string", int: "a whole number", list: "a list", dict: "an object"}.get(kind, str(kind))


def read(path: Path, data: bytes | None = None) -> SavedResponse:
    """The saved response in `path`, checked against its operation, with what it shows."""
    data = path.read_bytes() if data is None else data
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ResponseError(f"{path}:1:{exc.start + 1}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ResponseError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    c = _Check(path)
    if not isinstance(obj, dict):
        c.fail("$", "an object", obj)
    operation = c.get(obj, "operation", "$", choices=tuple(OPERATIONS))
    version, extract = OPERATIONS[operation]
    c.get(obj, "api_version", "$", choices=(version,))
    observed_at = _utc(c, c.get(obj, "observed_at", "$"), "$.observed_at")
    marketplace_id = c.get(obj, "marketplace_id", "$", required=False)
    request = obj.get("request") or {}
    if not isinstance(request, dict):
        c.fail("$.request", "an object", request)
    path_params = c.get(request, "path", "$.request", dict, required=False) or {}
    query_params = c.get(request, "query", "$.request", dict, required=False) or {}
    body = obj["response"]
    if not isinstance(body, dict):
        c.fail("$.response", "an object", body)
    resp = SavedResponse(path, observed_at, operation, version, marketplace_id, path_params, query_params, body)
    observations, items = extract(c, resp)
    return SavedResponse(path, observed_at, operation, version, marketplace_id, path_params, query_params, body,
                         observations, items)


def _utc(c: _Check, text: str, where: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        c.fail(where, "an ISO-8601 time", text)
    if at.tzinfo is None:
        c.fail(where, "an ISO-8601 time with its offset (Z for UTC)", text)
    return at.astimezone(dt.timezone.utc)


def _obs(resp: SavedResponse, node: str, **kw) -> Observation:
    return Observation(observed_at=resp.observed_at, node=node, api_version=resp.api_version,
                       marketplace_id=resp.marketplace_id, **kw)


# ---- v0 --------------------------------------------------------------------------------------------

def _payload(c: _Check, resp: SavedResponse, key: str) -> list[tuple[str, dict]]:
    payload = c.get(resp.body, "payload", "$.response", dict)
    return c.items(payload, key, "$.response.payload")


def _v0_shipments(c: _Check, resp: SavedResponse):
    out = []
    for where, row in _payload(c, resp, "ShipmentData"):
        sid = c.get(row, "ShipmentId", where)
        status = c.get(row, "ShipmentStatus", where, choices=V0_STATUSES)
        fc = c.get(row, "DestinationFulfillmentCenterId", where, required=False)
        out.append(_obs(resp, v0_node(status), shipment_id=sid, destination_fc=fc, status=status))
    return out, []


def _v0_items(c: _Check, resp: SavedResponse):
    out = []
    default = resp.path_params.get("shipmentId")
    for where, row in _payload(c, resp, "ItemData"):
        sid = c.get(row, "ShipmentId", where, required=not default) or default
        out.append(ItemRow(sid, c.get(row, "SellerSKU", where), c.get(row, "FulfillmentNetworkSKU", where, required=False),
                           c.get(row, "QuantityShipped", where, int), c.get(row, "QuantityReceived", where, int, False),
                           c.get(row, "QuantityInCase", where, int, False), V0))
    return [], out


# ---- 2024-03-20 ------------------------------------------------------------------------------------

def _plan_id(c: _Check, resp: SavedResponse) -> str:
    return c.get(resp.path_params, "inboundPlanId", "$.request.path")


def _accepted(c: _Check, rows: list[tuple[str, dict]]) -> list[dict]:
    return [row for where, row in rows if c.get(row, "status", where) == "ACCEPTED"]


def _list_plans(c: _Check, resp: SavedResponse):
    out = []
    for where, row in c.items(resp.body, "inboundPlans", "$.response"):
        plan = c.get(row, "inboundPlanId", where)
        status = c.get(row, "status", where, choices=PLAN_STATUSES)
        if status != "SHIPPED":  # a shipped plan's shipments speak for themselves
            out.append(_obs(resp, plan_node(status, False), plan_id=plan, status=status))
    return out, []


def _get_plan(c: _Check, resp: SavedResponse):
    plan = c.get(resp.body, "inboundPlanId", "$.response")
    status = c.get(resp.body, "status", "$.response", choices=PLAN_STATUSES)
    packing = _accepted(c, c.items(resp.body, "packingOptions", "$.response")) if "packingOptions" in resp.body else []
    placement = (_accepted(c, c.items(resp.body, "placementOptions", "$.response"))
                 if "placementOptions" in resp.body else [])
    shipments = c.items(resp.body, "shipments", "$.response") if resp.body.get("shipments") else []
    out = []
    for where, row in shipments:
        s_status = c.get(row, "status", where, choices=V2024_SHIPMENT_STATUSES)
        out.append(_obs(resp, shipment_node(s_status, status, bool(placement)), draft_id=c.get(row, "shipmentId", where),
                        plan_id=plan, status=s_status))
    if not shipments and status != "SHIPPED":
        out.append(_obs(resp, plan_node(status, bool(packing), bool(placement)), plan_id=plan, status=status))
    return out, []


def _packing_options(c: _Check, resp: SavedResponse):
    plan = _plan_id(c, resp)
    accepted = _accepted(c, c.items(resp.body, "packingOptions", "$.response"))
    return ([_obs(resp, "packing_confirmed", plan_id=plan, status="ACTIVE")] if accepted else []), []


def _placement_options(c: _Check, resp: SavedResponse):
    plan = _plan_id(c, resp)
    out = []
    for where, row in c.items(resp.body, "placementOptions", "$.response"):
        if c.get(row, "status", where) != "ACCEPTED":
            continue
        for i, sid in enumerate(c.get(row, "shipmentIds", where, list, required=False) or []):
            if not isinstance(sid, str) or not sid:
                c.fail(f"{where}.shipmentIds[{i}]", "a shipment id", sid)
            out.append(_obs(resp, "placement_confirmed", draft_id=sid, plan_id=plan, status="WORKING"))
        if not out:
            out.append(_obs(resp, "placement_confirmed", plan_id=plan, status="ACTIVE"))
    return out, []


def _get_shipment(c: _Check, resp: SavedResponse):
    plan = _plan_id(c, resp)
    b = resp.body
    status = c.get(b, "status", "$.response", choices=V2024_SHIPMENT_STATUSES)
    transport = c.get(b, "selectedTransportationOptionId", "$.response", required=False)
    destination = c.get(b, "destination", "$.response", dict, required=False) or {}
    fc = c.get(destination, "warehouseId", "$.response.destination", required=False)
    node = shipment_node(status, None, False, bool(transport))
    return [_obs(resp, node, shipment_id=c.get(b, "shipmentConfirmationId", "$.response", required=False),
                 draft_id=c.get(b, "shipmentId", "$.response"), plan_id=plan, destination_fc=fc, status=status)], []


def _transportation_options(c: _Check, resp: SavedResponse):
    _plan_id(c, resp)
    for where, row in c.items(resp.body, "transportationOptions", "$.response"):
        c.get(row, "transportationOptionId", where)
    return [], []  # evidence only: confirmation is getShipment's selectedTransportationOptionId


def _shipment_items(c: _Check, resp: SavedResponse):
    _plan_id(c, resp)
    sid = c.get(resp.path_params, "shipmentId", "$.request.path")
    out = []
    for where, row in c.items(resp.body, "items", "$.response"):
        out.append(ItemRow(sid, c.get(row, "msku", where), c.get(row, "fnsku", where, required=False),
                           c.get(row, "quantity", where, int), None, None, V2024))
    return [], out


OPERATIONS: dict[str, tuple[str, Callable]] = {
    "getShipments": (V0, _v0_shipments),
    "getShipmentItems": (V0, _v0_items),
    "getShipmentItemsByShipmentId": (V0, _v0_items),
    "listInboundPlans": (V2024, _list_plans),
    "getInboundPlan": (V2024, _get_plan),
    "listPackingOptions": (V2024, _packing_options),
    "listPlacementOptions": (V2024, _placement_options),
    "getShipment": (V2024, _get_shipment),
    "listTransportationOptions": (V2024, _transportation_options),
    "listShipmentItems": (V2024, _shipment_items),
}


def envelope(operation: str, observed_at: dt.datetime, body: Any, marketplace_id: str | None = None,
             path: dict | None = None, query: dict | None = None) -> dict:
    """A call's response as the saved file holds it (the SP-API pull and the demo write these)."""
    return {"observed_at": observed_at.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z"),
            "operation": operation, "api_version": OPERATIONS[operation][0], "marketplace_id": marketplace_id,
            "request": {"path": path or {}, "query": query or {}}, "response": body}
