"""Order rules: an order Amazon never paid, and an order paid a different price.

- unsettled_order catches a shipped order line, sold on Amazon for more than zero, purchased on or
  after the start of the earliest settlement loaded for its market and at least the grace days
  before as-of (`Policy.grace_days_fba`, `Policy.grace_days_seller_fulfilled` — also when the
  channel is unknown —, and at least `Policy.grace_days_business` for a business order), with no
  Order transaction for its (order-id, sku) in any settlement. At stake: what the buyer paid before
  tax — item-price + shipping + gift wrap − the promotion discounts (Amazon's fees on it are unknown
  until it settles).
- principal_mismatch catches an (order-id, sku) whose settled Order principal, over every
  settlement, covers the ordered quantity but differs from the order report's item-price by more
  than `Policy.tolerance`. At stake: the item-price − the settled principal.

Keyed by (account, order-id, sku) across every settlement loaded: not settlement-local.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sellerops.core.money import from_cents
from sellerops.reconciliation.keys import equals, matches
from sellerops.reconciliation.model import (
    ITEM_KEY,
    LINE_EVIDENCE,
    Context,
    FindingRecord,
    ReconcileInput,
    evidence_of,
    evidence_rows,
    item_keys,
    line_codes,
    lines_of,
    orders_by_order_id,
    principal_rows,
    rows_by_key,
    rule,
    show,
    with_market,
)

ORDER_EVIDENCE = [
    "amazon_order_id", "sku", "purchase_date", "order_status", "item_status", "fulfillment_channel",
    "sales_channel", "is_business_order", "quantity", "item_price_cents", "shipping_price_cents",
    "gift_wrap_price_cents", "item_promotion_discount_cents", "ship_promotion_discount_cents",
]


@rule(local=False)
def unsettled_order(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """A shipped order line past its grace days that no settlement pays (see the module)."""
    p = ctx.policy
    o = orders_by_order_id(inp)
    channel = matches(o["sales_channel"], lambda s: s.fillna("").str.strip().str.casefold().eq("non-amazon"))
    shipped = (
        equals(o["order_status"], "Shipped") & equals(o["item_status"], "Shipped") & ~channel
        & (o["item_price_cents"] > 0).to_numpy(dtype=bool, na_value=False)
    )
    o = with_market(o[shipped].assign(_row=np.flatnonzero(shipped)), ctx)
    o = o[o["as_of"].notna() & o["earliest_start"].notna()]
    if o.empty:
        return []
    grace = np.where(o["fulfillment_channel"].eq("Amazon").fillna(False), p.grace_days_fba, p.grace_days_seller_fulfilled)
    grace = np.where(o["is_business_order"].fillna(False).astype(bool), np.maximum(grace, p.grace_days_business), grace)
    purchased = o["purchase_date"].dt.tz_convert(None).to_numpy().astype("datetime64[D]")
    cutoff = o["as_of"].to_numpy().astype("datetime64[D]") - grace.astype("timedelta64[D]")
    in_history = (o["purchase_date"] >= o["earliest_start"]).to_numpy()
    o = o[in_history & (purchased <= cutoff)]
    line_keys, order_keys = item_keys(inp, ctx)
    settled = line_keys[equals(line_codes(inp, ctx, "transaction_type"), "Order")]
    o = o[~np.isin(order_keys[o["_row"].to_numpy()], settled)]
    out = []
    for r in o.to_dict("records"):
        paid = sum(int(r[c]) for c in ("item_price_cents", "shipping_price_cents", "gift_wrap_price_cents") if not pd.isna(r[c]))
        paid -= sum(abs(int(r[c])) for c in ("item_promotion_discount_cents", "ship_promotion_discount_cents") if not pd.isna(r[c]))
        channel = "business " if r["is_business_order"] is True else ""
        out.append(FindingRecord(
            kind="unsettled_order", account=r["account"], marketplace=r["marketplace"], settlement_id=None,
            order_id=r["order_id"], sku=r["sku"], line_no=None, amount=from_cents(paid), currency=r["currency"],
            detail=(f"{channel}order {r['order_id']} sku {r['sku']} ({r['fulfillment_channel']}) shipped, purchased "
                    f"{r['purchase_date'].date()}, but no settlement up to {pd.Timestamp(r['as_of']).date()} pays it"),
            evidence=[evidence_of(r | {"amazon_order_id": r["order_id"]}, ORDER_EVIDENCE)],
        ))
    return out


def _settled_principal(inp: ReconcileInput, ctx: Context) -> pd.DataFrame:
    """Per (account, order-id, sku) key with no blank part: the Order principal settled over
    every settlement and its quantity (blank amounts count as nothing), indexed by item key."""
    def compute():
        lines = inp.settlement_lines
        at = principal_rows(inp, ctx, "Order")
        at = at[lines[ITEM_KEY].iloc[at].notna().all(axis=1).to_numpy()]
        line_keys, _ = item_keys(inp, ctx)
        rows = pd.DataFrame({"settled_cents": lines["amount_cents"].array.take(at),
                             "settled_qty": lines["quantity_purchased"].array.take(at)})
        return rows.groupby(line_keys[at], sort=False).sum()
    return ctx.memo(inp, "settled_principal", compute)


@rule(local=False)
def principal_mismatch(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """An (order-id, sku) whose settled Order principal, over every settlement, covers the
    ordered quantity but differs from the order report's item-price by more than `Policy.tolerance`."""
    settled = _settled_principal(inp, ctx)
    _, order_keys = item_keys(inp, ctx)
    o = orders_by_order_id(inp)
    usable = np.flatnonzero(o["item_price_cents"].notna().to_numpy() & o["quantity"].notna().to_numpy())
    found = settled.index.get_indexer(order_keys[usable])
    hit = found >= 0
    m = o.iloc[usable[hit]].reset_index(drop=True)
    sums = settled.iloc[found[hit]].reset_index(drop=True)
    m["settled_cents"], m["settled_qty"] = sums["settled_cents"], sums["settled_qty"]
    covered = (m["settled_qty"] >= m["quantity"]).fillna(False)
    off = ((m["item_price_cents"] - m["settled_cents"]).abs() > ctx.policy.tolerance_cents).fillna(False)
    keep = (covered & off).to_numpy()
    m = m[keep]
    if m.empty:
        return []
    pr = lines_of(inp, ctx, principal_rows(inp, ctx, "Order"), order_keys[usable[hit][keep]])
    rows = rows_by_key(pr, ITEM_KEY, m)
    out = []
    for r in m.to_dict("records"):
        key = (r["account"], r["order_id"], r["sku"])
        out.append(FindingRecord(
            kind="principal_mismatch", account=r["account"], marketplace=r["marketplace"], settlement_id=None,
            order_id=r["order_id"], sku=r["sku"], line_no=None,
            amount=from_cents(int(r["item_price_cents"]) - int(r["settled_cents"])), currency=r["currency"],
            detail=(f"order {r['order_id']} sku {r['sku']}: {int(r['quantity'])} ordered at item-price "
                    f"{show(r['item_price_cents'])} but {int(r['settled_qty'])} settled for {show(r['settled_cents'])}"),
            evidence=[evidence_of(r | {"amazon_order_id": r["order_id"]}, ORDER_EVIDENCE)]
            + evidence_rows(rows.get(key, pd.DataFrame()), LINE_EVIDENCE),
        ))
    return out
