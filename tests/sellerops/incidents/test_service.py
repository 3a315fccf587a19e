"""The listing-status poll applied to open incidents (sellerops.incidents.service), without Prefect."""

from __future__ import annotations

import datetime as dt

import pytest

from sellerops import decisions, incidents
from sellerops.amazon.source import SourceError, SourceUnreachable
from sellerops.incidents import service
from sellerops.storage.engine import session

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
US = "ATVPDKIKX0DER"


def _status(sku: str, *status: str, marketplace_id: str = US) -> dict:
    return {"sku": sku, "summaries": [{"marketplaceId": marketplace_id, "status": list(status)}], "issues": []}


def _open(s, sku: str, account: str = "acme"):
    return incidents.open_incident(s, account=account, marketplace="Amazon.com", sku=sku, asin="B0" + sku,
                                   reason="IP complaint", now=T0).incident


def test_a_buyable_listing_closes_its_incident_only_after_an_appeal_or_a_retraction(db_url):
    with session() as s:
        appealed, retracted, unexplained, still_down, other_account = (
            _open(s, "SKU-A"), _open(s, "SKU-R"), _open(s, "SKU-U"), _open(s, "SKU-D"), _open(s, "SKU-A", "other"))
        for inc in (appealed, still_down):
            incidents.answer_tier(s, inc, 1, approve=True, now=T0)
            incidents.answer_tier(s, inc, 2, decision="appeal", now=T0)
            incidents.appeal(s, inc, now=T0 + dt.timedelta(hours=1))
        incidents.answer_tier(s, retracted, 2, decision="retraction", now=T0)
        s.commit()
    records = [_status("SKU-A", "BUYABLE", "DISCOVERABLE"), _status("SKU-R", "BUYABLE"),
               _status("SKU-U", "BUYABLE"), _status("SKU-D", "DISCOVERABLE")]

    closed = service.listing_status_seen("acme", records, now=T0 + dt.timedelta(days=2))

    # the appealed and the retracted listings are back; SKU-U's return has no cause the incident
    # knows of (left for a person), SKU-D is still not buyable, and the other account's SKU-A is
    # not this poll's business
    assert [(c["incident"], c["sku"]) for c in closed] == [("INC-1", "SKU-A"), ("INC-2", "SKU-R")]
    with session() as s:
        state = {i.sku + "/" + i.account: (i.status, i.outcome) for i in incidents.list_incidents(s)}
        j = incidents.incident_json(s, incidents.get(s, "INC-1"))
        owed = decisions.owed(s, procedure="listing-takedown")
    assert state == {"SKU-A/acme": ("closed", "reinstated"), "SKU-R/acme": ("closed", "reinstated"),
                     "SKU-U/acme": ("open", None), "SKU-D/acme": ("open", None), "SKU-A/other": ("open", None)}
    assert j["closed_at"] == (T0 + dt.timedelta(days=2)).isoformat()
    last = j["timeline"][-1]
    assert (last["kind"], last["by"]) == ("closed", "listing-status poll")
    assert "SKU-A BUYABLE on Amazon.com again after the appeal filed" in last["what"]
    assert "1 owed decision(s) withdrawn" in last["what"]  # tier 3 was still owed
    # nothing is owed any more on the two closed incidents
    assert {d.subject for d in owed} == {"INC-3", "INC-4", "INC-5"}


def test_a_poll_that_repeats_changes_nothing(db_url):
    with session() as s:
        inc = _open(s, "SKU-R")
        incidents.answer_tier(s, inc, 2, decision="retraction", now=T0)
        s.commit()
    first = service.listing_status_seen("acme", [_status("SKU-R", "BUYABLE")], now=T0 + dt.timedelta(days=1))
    again = service.listing_status_seen("acme", [_status("SKU-R", "BUYABLE")], now=T0 + dt.timedelta(days=2))
    assert [c["incident"] for c in first] == ["INC-1"] and again == []


def test_open_listings_are_the_accounts_open_incidents(db_url):
    with session() as s:
        _open(s, "SKU-1")
        gone = _open(s, "SKU-2")
        _open(s, "SKU-3", "other")
        incidents.close(s, gone, "removal_accepted", now=T0)
        s.commit()
    assert service.open_listings("acme") == [{"incident": "INC-1", "marketplace": "Amazon.com", "sku": "SKU-1"}]


class _Source:
    """A stand-in Amazon source: the failures it raises (a refused SKU, an unreachable Amazon) cannot be
    produced on demand by the real ones here without a server; the flow test uses the real client."""

    def __init__(self, refuse=(), unreachable=False):
        self.refuse, self.unreachable, self.asked = set(refuse), unreachable, []

    def listing_status(self, skus):
        self.asked.append(list(skus))
        if self.unreachable:
            raise SourceUnreachable("https://sellingpartnerapi-na.amazon.com", "connection refused")
        if skus[0] in self.refuse:
            raise SourceError(f"SP-API getListingsItem refused (HTTP 404): SKU {skus[0]} not found")
        return [_status(skus[0], "BUYABLE")]


def test_the_poll_asks_sku_by_sku_and_one_refusal_hides_no_other():
    source = _Source(refuse={"SKU-2"})
    records, failed = service.poll_listing_status(source, ["SKU-1", "SKU-2", "SKU-3"])
    assert [r["sku"] for r in records] == ["SKU-1", "SKU-3"]
    assert list(failed) == ["SKU-2"] and "not found" in failed["SKU-2"]
    with pytest.raises(SourceUnreachable):
        service.poll_listing_status(_Source(unreachable=True), ["SKU-1", "SKU-2"])
