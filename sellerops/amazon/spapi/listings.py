"""Listings Items 2021-08-01: each listing's status and issues (summaries and issues included)."""

from __future__ import annotations

from typing import Any

from sellerops.amazon.source import SourceError
from sellerops.amazon.spapi.client import SpApiClient


class ListingsApi:
    """The Listings Items API of one seller (it is addressed by the seller id, the merchant token)."""

    def __init__(self, client: SpApiClient, marketplace_ids: list[str], seller_id: str | None) -> None:
        self.client = client
        self.marketplace_ids = marketplace_ids
        self.seller_id = seller_id

    def listing_status(self, skus: list[str] | None = None) -> list[dict[str, Any]]:
        if not self.seller_id:
            raise SourceError(
                f"account {self.client.account!r}: listing status needs the seller id (SellerAccount.seller_id)"
            )
        client = self.client.api("listings")
        common = {"marketplaceIds": ",".join(self.marketplace_ids), "includedData": "summaries,issues"}
        if skus is not None:
            return [
                self.client.call("getListingsItem", client.get_listings_item, self.seller_id, sku, **common).payload or {}
                for sku in skus
            ]
        items: list[dict[str, Any]] = []
        params = dict(common, pageSize=20)
        while True:
            response = self.client.call("searchListingsItems", client.search_listings_items, self.seller_id, **params)
            payload = response.payload or {}
            items.extend(payload.get("items") or [])
            token = (response.pagination or payload.get("pagination") or {}).get("nextToken")
            if not token:
                return items
            params = dict(common, pageSize=20, pageToken=token)
