"""`SpApiSource`: the Amazon source over the live Selling Partner API (python-amazon-sp-api).

The source is a thin composition: `client` holds the plumbing (credentials, endpoints, Login with
Amazon, pacing and retries, redaction of error texts), and one module per Amazon API does the
asking — `reports` (reports and settlements), `inbound` (Fulfillment Inbound v0 and 2024-03-20),
`listings` (Listings Items), `performance` (the seller performance report). Log redaction is not
installed here: the edges that start things install it with `secrets()`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sellerops.amazon.source import AmazonSource, FetchedReport, InboundShipment, SettlementRef
from sellerops.amazon.spapi.client import (
    DEFAULT_LWA_URL,
    SpApiClient,
    SpApiCredentials,
    lwa_client_class,
    resolve_marketplace,
)
from sellerops.amazon.spapi.inbound import InboundApi
from sellerops.amazon.spapi.listings import ListingsApi
from sellerops.amazon.spapi.performance import seller_performance
from sellerops.amazon.spapi.reports import ReportsApi

__all__ = ["DEFAULT_LWA_URL", "SpApiCredentials", "SpApiSource", "lwa_client_class", "resolve_marketplace"]


class SpApiSource(AmazonSource):
    """The Amazon source over the Selling Partner API for one seller account."""

    def __init__(
        self,
        account: str,
        credentials: SpApiCredentials,
        marketplaces: list[str],
        *,
        region: str | None = None,
        seller_id: str | None = None,
        **connection: Any,
    ) -> None:
        """`connection`: how to reach Amazon, as `SpApiClient` takes it (endpoint, lwa_endpoint, policy,
        pacer, sleep, clock, timeout)."""
        if not marketplaces:
            raise ValueError(f"account {account!r}: at least one marketplace is required")
        self.account = account
        self.marketplaces = [resolve_marketplace(m) for m in marketplaces]
        self.marketplace_ids = [m.marketplace_id for m in self.marketplaces]
        self.region = region or self.marketplaces[0].region
        self.seller_id = seller_id
        self.client = SpApiClient(account, credentials, self.marketplaces, **connection)
        self.endpoint = self.client.endpoint
        self._reports = ReportsApi(self.client, self.marketplace_ids)
        self._inbound = InboundApi(self.client, self.marketplace_ids[0])
        self._listings = ListingsApi(self.client, self.marketplace_ids, seller_id)

    def __repr__(self) -> str:
        return f"SpApiSource(account={self.account!r}, marketplaces={self.marketplace_ids!r}, endpoint={self.endpoint!r})"

    def secrets(self) -> tuple[str, ...]:
        """The credential values an edge registers with the log redaction."""
        return self.client.credentials.secrets

    def close(self) -> None:
        self.client.close()

    def marketplace_code(self, marketplace_ids: tuple[str, ...] | list[str]) -> str:
        ids = tuple(marketplace_ids) or tuple(self.marketplace_ids)
        for m in self.marketplaces:
            if m.marketplace_id in ids:
                return m.name
        return super().marketplace_code(ids)

    # -- reports and settlements ----------------------------------------------------------------

    def request_report(self, report_type: str, start: dt.datetime | None = None, end: dt.datetime | None = None) -> str:
        return self._reports.request_report(report_type, start, end)

    def await_report(
        self, report_type: str, report_id: str, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> FetchedReport:
        return self._reports.await_report(report_type, report_id, start, end)

    def list_settlements(self, since: dt.datetime) -> list[SettlementRef]:
        return self._reports.list_settlements(since)

    def fetch_settlement(self, ref: SettlementRef) -> FetchedReport:
        return self._reports.fetch_settlement(ref)

    # -- inbound, listings, account health ------------------------------------------------------

    def inbound_shipments(self, statuses=None, updated_after=None, updated_before=None) -> list[InboundShipment]:
        return self._inbound.inbound_shipments(statuses, updated_after, updated_before)

    def shipment_items(self, shipment_id: str) -> list[dict[str, Any]]:
        return self._inbound.shipment_items(shipment_id)

    def inbound_plans(self, status: str | None = None) -> list[dict[str, Any]]:
        return self._inbound.inbound_plans(status)

    def plan_shipments(self, inbound_plan_id: str) -> list[InboundShipment]:
        return self._inbound.plan_shipments(inbound_plan_id)

    def packing_options(self, inbound_plan_id: str) -> list[dict[str, Any]]:
        return self._inbound.packing_options(inbound_plan_id)

    def placement_options(self, inbound_plan_id: str) -> list[dict[str, Any]]:
        return self._inbound.placement_options(inbound_plan_id)

    def transportation_options(self, inbound_plan_id: str, shipment_id: str) -> list[dict[str, Any]]:
        return self._inbound.transportation_options(inbound_plan_id, shipment_id)

    def listing_status(self, skus: list[str] | None = None) -> list[dict[str, Any]]:
        return self._listings.listing_status(skus)

    def seller_performance(self) -> FetchedReport:
        return seller_performance(self._reports)
