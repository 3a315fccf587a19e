"""The one marketplace table: each site's id, currency, locale, zone, number and date format."""

import zoneinfo

import pytest

from sellerops.core.marketplaces import (CURRENCIES, MARKETPLACES, SITE_BY_ID, marketplace, marketplace_for_currency,
                                         names_and_ids)


def test_every_row_is_complete_and_ids_are_unique():
    ids = [m.id for m in MARKETPLACES.values()]
    assert len(ids) == len(set(ids)) and all(ids)
    for m in MARKETPLACES.values():
        zoneinfo.ZoneInfo(m.timezone)  # a real zone name
        assert m.decimal in (".", ",") and m.date_order in ("MDY", "DMY", "YMD")
        assert m.region in ("NA", "EU", "FE") and len(m.currency) == 3 and m.locale


@pytest.mark.parametrize("name, site, currency, decimal", [
    ("Amazon.com", "Amazon.com", "USD", "."),
    ("amazon.de", "Amazon.de", "EUR", ","),
    ("A1VC38T7YXB528", "Amazon.co.jp", "JPY", "."),  # an id reads as its site
])
def test_marketplace_by_site_or_id(name, site, currency, decimal):
    m = marketplace(name)
    assert (m.name, m.currency, m.decimal) == (site, currency, decimal)


def test_an_unknown_site_reads_like_the_default_under_its_own_name():
    m = marketplace("Amazon.example", default="Amazon.de")
    assert (m.name, m.decimal, m.currency, m.id) == ("Amazon.example", ",", "EUR", "")


def test_currency_and_id_views_come_from_the_table():
    assert SITE_BY_ID["ATVPDKIKX0DER"] == "Amazon.com"
    assert marketplace_for_currency("eur") == "Amazon.de"  # the first EUR site in the table
    assert marketplace_for_currency("XXX") is None
    assert {"USD", "EUR", "GBP", "JPY"} <= CURRENCIES and "XXX" not in CURRENCIES
    assert names_and_ids("Amazon.co.jp") == ("Amazon.co.jp", "A1VC38T7YXB528")
