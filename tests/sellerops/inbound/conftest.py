"""Saved responses written into a folder, as a seller (or the SP-API pull) would leave them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sellerops.inbound.responses import envelope

T0 = dt.datetime(2026, 6, 1, 8, tzinfo=dt.timezone.utc)


class Polls:
    def __init__(self, folder: Path):
        self.folder = folder
        self.n = 0

    def save(self, operation: str, at: dt.datetime, body, **kw) -> Path:
        self.n += 1
        p = self.folder / f"{self.n:04d}-{operation}.json"  # names sort in the order the polls were taken
        p.write_text(json.dumps(envelope(operation, at, body, "ATVPDKIKX0DER", **kw)))
        return p

    def shipments(self, at: dt.datetime, *pairs) -> Path:
        return self.save("getShipments", at, {"payload": {"ShipmentData": [
            {"ShipmentId": sid, "ShipmentStatus": status, "DestinationFulfillmentCenterId": "PHX7"}
            for sid, status in pairs]}})

    def items(self, at: dt.datetime, sid: str, *rows) -> Path:
        return self.save("getShipmentItemsByShipmentId", at, {"payload": {"ItemData": [
            {"ShipmentId": sid, "SellerSKU": sku, "FulfillmentNetworkSKU": "X" + sku, "QuantityShipped": shipped,
             "QuantityReceived": received} for sku, shipped, received in rows]}}, path={"shipmentId": sid})


@pytest.fixture
def polls(tmp_path) -> Polls:
    folder = tmp_path / "responses"
    folder.mkdir()
    return Polls(folder)
