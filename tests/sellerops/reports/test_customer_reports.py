"""The two order reports that carry the buyer's relay e-mail, in the columns and order Amazon
writes them (actionable seller-fulfilled orders; Amazon-fulfilled shipments), ingested end to end
on SQLite and PostgreSQL: the e-mail is stored only as its customer key, and no table, log line or
quarantined copy holds it in clear (the copy is readable by its owner only)."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import sqlalchemy as sa

from sellerops.core import report_types as rt
from sellerops.customers import customer_key
from sellerops.ingest import LOADED, QUARANTINED, ingest_paths
from sellerops.storage.engine import get_engine

ACTIONABLE = ["order-id", "order-item-id", "purchase-date", "payments-date", "reporting-date", "promise-date",
              "days-past-promise", "buyer-email", "buyer-name", "buyer-phone-number", "sku", "product-name",
              "quantity-purchased", "quantity-shipped", "quantity-to-ship", "ship-service-level", "recipient-name",
              "ship-address-1", "ship-address-2", "ship-address-3", "ship-city", "ship-state", "ship-postal-code",
              "ship-country", "is-business-order", "purchase-order-number", "price-designation"]

FULFILLED = ["amazon-order-id", "merchant-order-id", "shipment-id", "shipment-item-id", "amazon-order-item-id",
             "merchant-order-item-id", "purchase-date", "payments-date", "shipment-date", "reporting-date",
             "buyer-email", "buyer-name", "buyer-phone-number", "sku", "product-name", "quantity-shipped", "currency",
             "item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
             "ship-service-level", "recipient-name", "ship-address-1", "ship-address-2", "ship-address-3",
             "ship-city", "ship-state", "ship-postal-code", "ship-country", "ship-phone-number", "bill-address-1",
             "bill-address-2", "bill-address-3", "bill-city", "bill-state", "bill-postal-code", "bill-country",
             "item-promotion-discount", "ship-promotion-discount", "carrier", "tracking-number",
             "estimated-arrival-date", "fulfillment-center-id", "fulfillment-channel", "sales-channel"]

EMAIL_1 = "4tq8x2mvkpy3zqw@marketplace.amazon.com"
EMAIL_2 = "Zl0pQ9rTb7s1@marketplace.amazon.de"


def actionable_line(order: str, email: str, qty: str = "1") -> list[str]:
    return [order, "12345678901234", "2026-06-01T09:30:00+00:00", "2026-06-01T09:35:00+00:00",
            "2026-06-01T10:00:00+00:00", "2026-06-04T07:00:00+00:00", "0", email, "Jo Smith", "+1 206 555 0100",
            "MUG-BLUE", "Mug", qty, "0", qty, "Standard", "Jo Smith", "1 Main St", "", "", "SEATTLE", "WA", "98101",
            "US", "false", "", ""]


def fulfilled_line(order: str, email: str, price: str = "25.98") -> list[str]:
    return [order, "", "DxYz1", "DxYz1-1", "11111111111111", "", "2026-05-01T09:30:00+00:00",
            "2026-05-01T09:35:00+00:00", "2026-05-02T03:00:00+00:00", "2026-05-02T03:00:00+00:00", email,
            "Jo Müller", "+49 30 1", "TEE-RED-S", "Tee", "1", "EUR", price, "4.94", "0.00", "0.00", "", "", "Standard",
            "Jo Müller", "Hauptstr. 1", "", "", "Berlin", "", "10115", "DE", "+49 30 1", "Hauptstr. 1", "", "",
            "Berlin", "", "10115", "DE", "", "", "DHL", "00340434", "2026-05-04T18:00:00+00:00", "LEJ1", "Amazon",
            "Amazon.de"]


def tsv(path: Path, header: list[str], lines: list[list[str]]) -> Path:
    path.write_text("".join("\t".join(r) + "\n" for r in [header] + lines), encoding="utf-8")
    return path


def database_text() -> str:
    """Every row of every table, as text: what a database dump would show."""
    engine = get_engine()
    out = []
    with engine.connect() as c:
        for name in sa.inspect(engine).get_table_names():
            out += [repr(tuple(r)) for r in c.execute(sa.text(f"select * from {name}"))]
    return "\n".join(out)


def test_actionable_orders_load_with_the_customer_key_only(db_url, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    p = tsv(tmp_path / "actionable.txt", ACTIONABLE, [actionable_line("113-0000001-0000001", EMAIL_1)])
    [o] = ingest_paths([p])
    assert (o.status, o.report_type) == (LOADED, rt.ACTIONABLE_ORDERS), o.reason
    with get_engine().connect() as c:
        row = c.execute(sa.text("select * from actionable_order_line")).mappings().one()
    assert row["buyer_key"] == customer_key(EMAIL_1)
    assert (row["ship_city"], row["ship_state"], row["ship_postal_code"]) == ("SEATTLE", "WA", "98101")
    assert row["quantity_purchased"] == 1 and row["sku"] == "MUG-BLUE"
    text = database_text()
    assert EMAIL_1 not in text and EMAIL_1.lower() not in text and "Jo Smith" not in text and "1 Main St" not in text
    assert EMAIL_1 not in caplog.text


def test_fulfilled_shipments_load_with_their_price_and_key(db_url, tmp_path):
    p = tsv(tmp_path / "shipments.txt", FULFILLED, [fulfilled_line("304-0000001-0000001", EMAIL_2)])
    [o] = ingest_paths([p])
    assert (o.status, o.report_type) == (LOADED, rt.FULFILLED_SHIPMENTS), o.reason
    with get_engine().connect() as c:
        row = c.execute(sa.text("select * from fulfilled_shipment_line")).mappings().one()
    # the key ignores the address's capitals: the same buyer whatever the report wrote
    assert row["buyer_key"] == customer_key(EMAIL_2.lower())
    assert (row["item_price_cents"], row["currency"], row["marketplace"]) == (2598, "EUR", "Amazon.de")
    assert EMAIL_2 not in database_text() and "Müller" not in database_text()


def test_a_rerun_adds_nothing(db_url, tmp_path):
    p = tsv(tmp_path / "actionable.txt", ACTIONABLE, [actionable_line("113-0000001-0000001", EMAIL_1)])
    ingest_paths([p])
    ingest_paths([p])
    with get_engine().connect() as c:
        assert c.execute(sa.text("select count(*) from actionable_order_line")).scalar_one() == 1


def test_a_bad_file_is_quarantined_with_keys_in_place_of_emails_readable_by_its_owner_only(sellerops_home, tmp_path):
    p = tsv(tmp_path / "actionable.txt", ACTIONABLE, [actionable_line("113-0000001-0000001", EMAIL_1),
                                                       actionable_line("113-0000002-0000002", EMAIL_2, qty="two")])
    [o] = ingest_paths([p])
    assert o.status == QUARANTINED
    assert "quantity-purchased" in o.reason and ":3:" in o.reason  # the file, line and column named
    copy = Path(o.copy)
    body = copy.read_text(encoding="utf-8")
    assert EMAIL_1 not in body and EMAIL_2 not in body and "Jo Smith" not in body
    assert customer_key(EMAIL_1) in body
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600
    reason = copy.with_name(copy.name + ".reason.json").read_text()
    assert EMAIL_1 not in reason and EMAIL_2 not in reason
    assert p.read_text(encoding="utf-8").count("@") == 2  # the user's own file is never changed
    assert json.loads(reason)["report_type"] == rt.ACTIONABLE_ORDERS
