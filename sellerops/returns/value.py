"""A customer's lifetime value and recent orders, for VIP care: frames in, one row per request out.

The customer of an order is its buyer key (the salted relay e-mail, sellerops.customers) from the
actionable-orders report (seller-fulfilled) or the fulfilled-shipments report (FBA). Value lines
are the all-orders report's lines of the customer's orders (item-price, the line total), and for an
FBA order the all-orders report does not hold, the shipment's lines. Lifetime value is the sum of
item-price of the customer's non-cancelled lines purchased before the request's date, in the
request's currency; orders are the distinct non-cancelled orders purchased in the 365 days before
it. An order without a key is never matched by name or address: its VIP status is unknown.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

YEAR = pd.Timedelta(days=365)
CANCELLED = "cancelled"


def order_keys(actionable: pd.DataFrame, shipments: pd.DataFrame) -> pd.Series:
    """order id → buyer key, from both reports (a blank key is no key)."""
    parts = [actionable[["order_id", "buyer_key"]],
             shipments[["amazon_order_id", "buyer_key"]].rename(columns={"amazon_order_id": "order_id"})]
    keys = pd.concat(parts, ignore_index=True).dropna()
    keys = keys[keys["buyer_key"].astype(str).str.len() > 0]
    return keys.drop_duplicates("order_id").set_index("order_id")["buyer_key"]


def value_lines(orders: pd.DataFrame, shipments: pd.DataFrame, actionable: pd.DataFrame) -> pd.DataFrame:
    """One row per order line that counts toward a customer: order_id, purchase_date (UTC),
    price_cents (null when unknown), currency, cancelled."""
    o = pd.DataFrame({
        "order_id": orders["amazon_order_id"], "purchase_date": orders["purchase_date"],
        "price_cents": orders["item_price_cents"], "currency": orders["currency"],
        "cancelled": (orders["order_status"].fillna("").str.lower() == CANCELLED)
        | (orders["item_status"].fillna("").str.lower() == CANCELLED)})
    known = set(o["order_id"])
    s = shipments[~shipments["amazon_order_id"].isin(known)]
    f = pd.DataFrame({"order_id": s["amazon_order_id"], "purchase_date": s["purchase_date"],
                      "price_cents": s["item_price_cents"], "currency": s["currency"], "cancelled": False})
    known |= set(f["order_id"])
    a = actionable[~actionable["order_id"].isin(known)]
    u = pd.DataFrame({"order_id": a["order_id"], "purchase_date": a["purchase_date"], "price_cents": pd.NA,
                      "currency": None, "cancelled": False})  # an unshipped order: counted, its price unknown
    out = pd.concat([x for x in (o, f, u) if len(x)], ignore_index=True) if len(o) + len(f) + len(u) else o
    out["purchase_date"] = pd.to_datetime(out["purchase_date"], utc=True)
    out["price_cents"] = pd.to_numeric(out["price_cents"], errors="coerce").astype("Int64")
    return out


def customer_value(requests: pd.DataFrame, keys: pd.Series, lines: pd.DataFrame) -> pd.DataFrame:
    """For each request (columns order_id, requested_at, currency; any index): buyer_key, clv_cents,
    orders_365d and why_unknown (set where the order has no key), on the requests' index."""
    out = pd.DataFrame(index=requests.index)
    out["buyer_key"] = requests["order_id"].map(keys)
    why = ("no buyer e-mail for order " + requests["order_id"].astype(str)
           + " in the actionable-orders or fulfilled-shipments reports")
    out["why_unknown"] = pd.Series([w if pd.isna(k) else None for k, w in zip(out["buyer_key"], why)],
                                   index=out.index, dtype=object)
    out["clv_cents"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    out["orders_365d"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    known = out["buyer_key"].notna()
    if not known.any():
        return out
    req = pd.DataFrame({"req": requests.index[known], "buyer_key": out.loc[known, "buyer_key"].to_numpy(),
                        "at": pd.to_datetime(requests.loc[known, "requested_at"], utc=True).to_numpy(),
                        "cur": requests.loc[known, "currency"].to_numpy()})
    cust = lines.assign(buyer_key=lines["order_id"].map(keys)).dropna(subset=["buyer_key"])
    cust = cust[~cust["cancelled"]]
    pairs = req.merge(cust, on="buyer_key", how="inner")
    pairs = pairs[pairs["purchase_date"] < pairs["at"]]
    same = pairs["cur"].isna() | (pairs["currency"] == pairs["cur"])
    clv = pairs[same].groupby("req")["price_cents"].sum(min_count=1)
    recent = pairs[pairs["purchase_date"] >= pairs["at"] - YEAR]
    orders = recent.groupby("req")["order_id"].nunique()
    out.loc[known, "clv_cents"] = 0
    out.loc[known, "orders_365d"] = 0
    out.loc[clv.index, "clv_cents"] = clv.fillna(0).astype("Int64")
    out.loc[orders.index, "orders_365d"] = orders.astype("Int64")
    return out


def day_start(value: dt.datetime) -> dt.datetime:
    """The request's day as an instant (the report gives only the day): its midnight, UTC."""
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
