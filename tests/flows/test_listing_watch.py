"""`listing-watch` under the Prefect test harness: the listing-status poll closes reinstated incidents,
through the real python-amazon-sp-api client against the local SP-API server, and through a folder."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from tests import spapi_server
from tests.spapi_server import fake, spapi_http  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("prefect_harness")
UTC = dt.timezone.utc
US = "ATVPDKIKX0DER"


def _listing(sku: str, *status: str) -> dict:
    return {"sku": sku, "summaries": [{"marketplaceId": US, "asin": "B0" + sku, "status": list(status)}],
            "issues": []}


def _incidents_waiting_on_amazon() -> None:
    """SKU-A appealed, SKU-R retracted, SKU-U taken down with nothing filed yet: all three open."""
    from sellerops import incidents
    from sellerops.incidents import service
    from sellerops.storage.engine import session

    for sku in ("SKU-A", "SKU-R", "SKU-U"):
        service.open_takedown(account="default", marketplace="Amazon.com", sku=sku, asin="B0" + sku,
                              reason="IP complaint", waiting=True)
    with session() as s:
        a, r = incidents.get(s, "INC-1"), incidents.get(s, "INC-2")
        incidents.answer_tier(s, a, 1, approve=True, by="cs")
        incidents.answer_tier(s, a, 2, decision="appeal", by="legal")
        incidents.appeal(s, a, by="cs")
        incidents.answer_tier(s, r, 2, decision="retraction", by="legal")
        s.commit()


def _state() -> dict[str, tuple[str, str | None]]:
    from sellerops import incidents
    from sellerops.storage.engine import session

    with session() as s:
        return {i.sku: (i.status, i.outcome) for i in incidents.list_incidents(s)}


def test_a_listing_buyable_again_closes_its_incident_through_the_sp_api(sellerops_home, fake, monkeypatch, tmp_path):
    from flows.listing_watch import listing_watch
    from sellerops import decisions, incidents
    from sellerops.storage.engine import session

    for name, value in {"SP_API_REFRESH_TOKEN": spapi_server.REFRESH_TOKEN, "LWA_APP_ID": spapi_server.LWA_APP_ID,
                        "LWA_CLIENT_SECRET": spapi_server.LWA_CLIENT_SECRET, "SELLEROPS_SPAPI_ENDPOINT": fake.base_url,
                        "SELLEROPS_LWA_ENDPOINT": f"{fake.base_url}/auth/o2/token",
                        "SELLEROPS_SELLER_ID": "A1SELLER", "SELLEROPS_SPAPI_RATE_LIMITS": "local"}.items():
        monkeypatch.setenv(name, value)
    _incidents_waiting_on_amazon()
    inbox = tmp_path / "inbox"
    inbox.mkdir()

    # still down everywhere: nothing closes
    fake.listings = {sku: _listing(sku, "DISCOVERABLE") for sku in ("SKU-A", "SKU-R", "SKU-U")}
    assert listing_watch(paths=[str(inbox)]) == []
    assert set(_state().values()) == {("open", None)}

    # back on sale: the appealed and the retracted listings close as reinstated; SKU-U's return has
    # no appeal or retraction behind it, so a person decides
    fake.listings = {sku: _listing(sku, "BUYABLE", "DISCOVERABLE") for sku in ("SKU-A", "SKU-R", "SKU-U")}
    listing_watch(paths=[str(inbox)])
    assert _state() == {"SKU-A": ("closed", "reinstated"), "SKU-R": ("closed", "reinstated"),
                        "SKU-U": ("open", None)}
    asked = [p for p in fake.params("getListingsItem")]
    assert asked and all(p["includedData"] == "summaries,issues" for p in asked)
    with session() as s:
        timeline = incidents.incident_json(s, incidents.get(s, "INC-1"))["timeline"]
        owed = {d.subject for d in decisions.owed(s, procedure="listing-takedown")}
    assert timeline[-1]["kind"] == "closed" and timeline[-1]["by"] == "listing-status poll"
    assert "BUYABLE on Amazon.com again after the appeal filed" in timeline[-1]["what"]
    assert owed == {"INC-3"}  # the closed incidents' tiers were withdrawn


def test_a_folder_of_saved_listing_responses_closes_it_too(sellerops_home, monkeypatch, tmp_path):
    from flows.listing_watch import listing_watch

    folder = tmp_path / "downloads"
    folder.mkdir()
    monkeypatch.setenv("SELLEROPS_SOURCE_FOLDER", str(folder))
    _incidents_waiting_on_amazon()
    (folder / "listings.json").write_text(json.dumps({"items": [_listing("SKU-R", "BUYABLE")]}))

    (tmp_path / "inbox").mkdir()
    listing_watch(paths=[str(tmp_path / "inbox")])

    assert _state() == {"SKU-A": ("open", None), "SKU-R": ("closed", "reinstated"), "SKU-U": ("open", None)}


def test_with_no_amazon_account_the_poll_is_skipped_quietly(sellerops_home, monkeypatch, tmp_path, caplog):
    from flows.listing_watch import listing_watch

    for name in ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET", "SELLEROPS_SOURCE_FOLDER"):
        monkeypatch.delenv(name, raising=False)
    _incidents_waiting_on_amazon()
    (tmp_path / "inbox").mkdir()
    assert listing_watch(paths=[str(tmp_path / "inbox")]) == []
    assert set(_state().values()) == {("open", None)}
    assert "listing status not polled" in caplog.text
