"""`SellerAccount`: one seller's Selling Partner API authorisation, as a Prefect block.

A block holds what is shared and secret — the LWA refresh token and client secret (SecretStr), the
app id, the marketplaces and region — never per-run values. Several accounts run side by side, one
block each (`sellerops pull --account NAME`). Nothing requires a saved block: with none, the
account is read from the environment (`SP_API_REFRESH_TOKEN`, `LWA_APP_ID`, `LWA_CLIENT_SECRET`,
`SELLEROPS_SPAPI_ENDPOINT`, …), the same variable names python-amazon-sp-api itself reads. An
account may instead name a `folder` of reports downloaded by hand (`SELLEROPS_SOURCE_FOLDER`): it is
then pulled through the folder source, and needs no credentials.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Optional

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

ENV_REFRESH_TOKEN = "SP_API_REFRESH_TOKEN"
ENV_LWA_APP_ID = "LWA_APP_ID"
ENV_LWA_CLIENT_SECRET = "LWA_CLIENT_SECRET"
ENV_ENDPOINT = "SELLEROPS_SPAPI_ENDPOINT"
ENV_LWA_ENDPOINT = "SELLEROPS_LWA_ENDPOINT"
ENV_MARKETPLACES = "SELLEROPS_SPAPI_MARKETPLACES"
ENV_REGION = "SELLEROPS_SPAPI_REGION"
ENV_SELLER_ID = "SELLEROPS_SELLER_ID"
ENV_SOURCE_FOLDER = "SELLEROPS_SOURCE_FOLDER"
DEFAULT_ACCOUNT = "default"


class MissingAccount(RuntimeError):
    """No saved block and no credentials in the environment: says exactly what is missing."""


class SellerAccount(Block):
    """A seller account's SP-API credentials, marketplaces and region."""

    _block_type_name = "Seller Account"
    _block_type_slug = "seller-account"
    _description = "Amazon Selling Partner API credentials (LWA) and marketplaces of one seller account."

    name: str = Field(default=DEFAULT_ACCOUNT, description="The account's name in sellerops (inbox folder, cursors).")
    refresh_token: Optional[SecretStr] = Field(default=None, description="LWA refresh token of the seller's authorisation.")
    lwa_app_id: Optional[str] = Field(default=None, description="LWA client id of the SP-API application.")
    lwa_client_secret: Optional[SecretStr] = Field(default=None, description="LWA client secret of the SP-API application.")
    marketplaces: list[str] = Field(default_factory=lambda: ["US"], description="Country codes (US, JP) or marketplace ids.")
    region: str = Field(default="NA", description="NA, EU or FE.")
    endpoint: Optional[str] = Field(default=None, description="SP-API endpoint override (sandbox or a test server).")
    lwa_endpoint: Optional[str] = Field(default=None, description="LWA token URL override (a test server).")
    seller_id: Optional[str] = Field(default=None, description="Merchant token, needed for listing status.")
    folder: Optional[str] = Field(default=None, description="Read reports from this folder instead of the SP-API.")
    brand_registered: bool = Field(default=False, description="Enrolled in Brand Registry: takedown appeals may ask for the 24 h priority review.")

    @classmethod
    def from_env(cls, name: str | None = None) -> "SellerAccount":
        """The account described by environment variables; raises MissingAccount naming what is absent."""
        marketplaces = [m.strip() for m in os.environ.get(ENV_MARKETPLACES, "US").split(",") if m.strip()]
        if os.environ.get(ENV_SOURCE_FOLDER):
            return cls(name=name or DEFAULT_ACCOUNT, folder=os.environ[ENV_SOURCE_FOLDER], marketplaces=marketplaces)
        missing = [k for k in (ENV_REFRESH_TOKEN, ENV_LWA_APP_ID, ENV_LWA_CLIENT_SECRET) if not os.environ.get(k)]
        if missing:
            raise MissingAccount(
                f"seller account {name or DEFAULT_ACCOUNT!r}: no saved SellerAccount block, and "
                f"{', '.join(missing)} not set in the environment (or {ENV_SOURCE_FOLDER} for a report folder)"
            )
        return cls(
            name=name or DEFAULT_ACCOUNT,
            refresh_token=SecretStr(os.environ[ENV_REFRESH_TOKEN]),
            lwa_app_id=os.environ[ENV_LWA_APP_ID],
            lwa_client_secret=SecretStr(os.environ[ENV_LWA_CLIENT_SECRET]),
            marketplaces=marketplaces,
            region=os.environ.get(ENV_REGION, "NA"),
            endpoint=os.environ.get(ENV_ENDPOINT) or None,
            lwa_endpoint=os.environ.get(ENV_LWA_ENDPOINT) or None,
            seller_id=os.environ.get(ENV_SELLER_ID) or None,
        )

    @classmethod
    def resolve(cls, name: str | None = None) -> "SellerAccount":
        """The saved block `name` (default "default") if there is one, else the environment's account."""
        block_name = name or DEFAULT_ACCOUNT
        try:
            account = cls.load(block_name, validate=True)
        except (ValueError, KeyError):
            # No such block (or no block type registered yet): the environment decides.
            return cls.from_env(block_name)
        if not account.name or account.name == DEFAULT_ACCOUNT:
            account.name = block_name
        return account

    def source(self, pacer: Optional[Callable[[str], None]] = None, **overrides: Any):
        """The account's Amazon source: its folder's, else an SpApiSource (environment endpoint overrides
        apply to saved blocks too). Raises MissingAccount naming absent credentials."""
        if self.folder:
            from sellerops.amazon.folder import FolderSource
            from sellerops.amazon.spapi.client import resolve_marketplace

            ids = tuple(resolve_marketplace(m).marketplace_id for m in self.marketplaces)
            return FolderSource(self.folder, account=self.name, marketplace_ids=ids)
        missing = [f for f in ("refresh_token", "lwa_app_id", "lwa_client_secret") if not getattr(self, f)]
        if missing:
            raise MissingAccount(f"seller account {self.name!r}: {', '.join(missing)} missing, and no folder given")
        from sellerops.amazon.spapi import SpApiCredentials, SpApiSource

        credentials = SpApiCredentials(
            refresh_token=self.refresh_token.get_secret_value(),
            lwa_app_id=self.lwa_app_id,
            lwa_client_secret=self.lwa_client_secret.get_secret_value(),
        )
        kwargs: dict[str, Any] = dict(
            region=self.region,
            endpoint=self.endpoint or os.environ.get(ENV_ENDPOINT) or None,
            lwa_endpoint=self.lwa_endpoint or os.environ.get(ENV_LWA_ENDPOINT) or None,
            seller_id=self.seller_id,
            pacer=pacer,
        )
        kwargs.update(overrides)
        return SpApiSource(self.name, credentials, list(self.marketplaces), **kwargs)
