"""Lifetime value and orders of the year before a request, from frames: which lines count and which do not."""

from __future__ import annotations

import pandas as pd

from sellerops.returns.value import customer_value, order_keys, value_lines

T = pd.Timestamp


def frames():
    orders = pd.DataFrame([
        # order, purchased, price, currency, status
        ("A1", "2025-01-10", 20000, "USD", "Shipped"),  # more than a year before: value yes, order count no
        ("A2", "2025-09-01", 20000, "USD", "Shipped"),
        ("A3", "2025-10-01", 5000, "USD", "Cancelled"),  # cancelled: neither
        ("A4", "2025-11-01", 10001, "USD", "Shipped"),
        ("A5", "2026-03-01", 9999, "USD", "Shipped"),  # on the request's day: not before it
        ("B1", "2025-12-01", 99999, "USD", "Shipped"),  # another customer
    ], columns=["amazon_order_id", "purchase_date", "item_price_cents", "currency", "order_status"])
    orders["item_status"] = orders["order_status"]
    orders["purchase_date"] = pd.to_datetime(orders["purchase_date"], utc=True)
    actionable = pd.DataFrame({"order_id": ["A1", "A2", "A3", "A4", "A5", "B1", "A6"],
                               "buyer_key": ["ka", "ka", "ka", "ka", "ka", "kb", "ka"],
                               "purchase_date": pd.to_datetime(["2025-01-10"] * 6 + ["2026-02-01"], utc=True)})
    shipments = pd.DataFrame({"amazon_order_id": ["F1"], "buyer_key": ["ka"], "item_price_cents": [500],
                              "currency": ["USD"], "purchase_date": pd.to_datetime(["2026-01-15"], utc=True)})
    return orders, actionable, shipments


def test_value_and_orders_count_only_what_the_rules_say():
    orders, actionable, shipments = frames()
    keys = order_keys(actionable, shipments)
    lines = value_lines(orders, shipments, actionable)
    req = pd.DataFrame({"order_id": ["A5", "ZZ"], "requested_at": pd.to_datetime(["2026-03-01", "2026-03-01"], utc=True),
                        "currency": ["USD", "USD"]})
    got = customer_value(req, keys, lines)
    # value: A1 200.00 + A2 200.00 + A4 100.01 + F1 (FBA, from the shipments) 5.00; A3 cancelled, A5 not before
    assert got.loc[0, "clv_cents"] == 20000 + 20000 + 10001 + 500
    # orders in the year before 2026-03-01: A2, A4, F1 and the unshipped A6 (price unknown, still an order)
    assert got.loc[0, "orders_365d"] == 4
    assert got.loc[0, "buyer_key"] == "ka" and got.loc[0, "why_unknown"] is None
    # an order with no key: unknown, never guessed
    assert pd.isna(got.loc[1, "clv_cents"]) and "no buyer e-mail for order ZZ" in got.loc[1, "why_unknown"]
