"""The order rules of issue 3: unsettled orders, principal mismatches, refunds without a return,
refunds above the sale. Each is a pure function `rule(inp, ctx) -> list[FindingRecord]`, keyed
by (account, order-id, sku) across every settlement loaded.

Amounts at stake (positive = owed to the seller):
- unsettled_order: what the buyer paid before tax — item-price + shipping + gift wrap − the
  promotion discounts (Amazon's fees on it are unknown until it settles);
- principal_mismatch: the order report's item-price − the settled principal;
- refund_without_return: the principal refunded (what a customer-return claim recovers);
- refund_exceeds_sale: the principal refunded − the principal settled.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from sellerops.reconcile.base import (
    ITEM_KEY,
    Context,
    FindingRecord,
    ReconcileInput,
    evidence_rows,
    money,
    rows_by_key,
    show,
    text,
    with_market,
)
from sellerops.reconcile.rules import LINE_EVIDENCE

ORDER_EVIDENCE = [
    "amazon_order_id", "sku", "purchase_date", "order_status", "item_status", "fulfillment_channel",
    "sales_channel", "is_business_order", "quantity", "item_price_cents", "shipping_price_cents",
    "gift_wrap_price_cents", "item_promotion_discount_cents", "ship_promotion_discount_cents",
]
REIMBURSEMENT_EVIDENCE = [
    "reimbursement_id", "amazon_order_id", "sku", "reason", "amount_total_cents",
    "quantity_reimbursed_total", "original_reimbursement_id", "approval_date",
]


def _principal(lines: pd.DataFrame, transaction_type: str) -> pd.DataFrame:
    mask = (
        lines["transaction_type"].eq(transaction_type)
        & lines["amount_type"].eq("ItemPrice")
        & lines["amount_description"].eq("Principal")
    ).fillna(False)
    return lines[mask.to_numpy()]


def _orders(inp: ReconcileInput) -> pd.DataFrame:
    return inp.orders.rename(columns={"amazon_order_id": "order_id"})


def unsettled_order(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """A shipped order line, sold on Amazon for more than zero, purchased on or after the start
    of the earliest settlement loaded for its market and at least the grace days before as-of
    (FBA 21, seller-fulfilled 28 — also when the channel is unknown —, business orders 45), with
    no Order transaction for its (order-id, sku) in any settlement."""
    p = ctx.policy
    o = _orders(inp)
    shipped = (
        o["order_status"].eq("Shipped") & o["item_status"].eq("Shipped")
        & ~o["sales_channel"].fillna("").str.strip().str.casefold().eq("non-amazon")
        & (o["item_price_cents"] > 0)
    ).fillna(False)
    o = with_market(o[shipped.to_numpy()], ctx)
    o = o[o["as_of"].notna() & o["earliest_start"].notna()]
    if o.empty:
        return []
    grace = np.where(o["fulfillment_channel"].eq("Amazon").fillna(False), p.grace_days_fba, p.grace_days_seller_fulfilled)
    grace = np.where(o["is_business_order"].fillna(False).astype(bool), np.maximum(grace, p.grace_days_business), grace)
    purchased = o["purchase_date"].dt.tz_convert(None).to_numpy().astype("datetime64[D]")
    cutoff = o["as_of"].to_numpy().astype("datetime64[D]") - grace.astype("timedelta64[D]")
    in_history = (o["purchase_date"] >= o["earliest_start"]).to_numpy()
    o = o[in_history & (purchased <= cutoff)]
    lines = inp.settlement_lines
    settled = lines[lines["transaction_type"].eq("Order").fillna(False).to_numpy()][ITEM_KEY].drop_duplicates()
    o = o.merge(settled.assign(_settled=True), on=ITEM_KEY, how="left")
    o = o[o["_settled"].isna()]
    out = []
    for r in o.to_dict("records"):
        paid = sum(int(r[c]) for c in ("item_price_cents", "shipping_price_cents", "gift_wrap_price_cents") if not pd.isna(r[c]))
        paid -= sum(abs(int(r[c])) for c in ("item_promotion_discount_cents", "ship_promotion_discount_cents") if not pd.isna(r[c]))
        channel = "business " if r["is_business_order"] is True else ""
        out.append(FindingRecord(
            kind="unsettled_order", account=r["account"], marketplace=r["marketplace"], settlement_id=None,
            order_id=r["order_id"], sku=r["sku"], line_no=None, amount=money(paid), currency=r["currency"],
            detail=(f"{channel}order {r['order_id']} sku {r['sku']} ({r['fulfillment_channel']}) shipped, purchased "
                    f"{r['purchase_date'].date()}, but no settlement up to {pd.Timestamp(r['as_of']).date()} pays it"),
            evidence=evidence_rows(pd.DataFrame([r]).rename(columns={"order_id": "amazon_order_id"}), ORDER_EVIDENCE),
        ))
    return out


def principal_mismatch(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """An (order-id, sku) whose settled Order principal, over every settlement, covers the
    ordered quantity but differs from the order report's item-price by more than the tolerance."""
    pr = _principal(inp.settlement_lines, "Order")
    settled = pr.groupby(ITEM_KEY, sort=False).agg(
        settled_cents=("amount_cents", "sum"), settled_qty=("quantity_purchased", "sum")
    ).reset_index()
    o = _orders(inp)
    o = o[o["item_price_cents"].notna().to_numpy() & o["quantity"].notna().to_numpy()]
    m = o.merge(settled, on=ITEM_KEY, how="inner")
    covered = (m["settled_qty"] >= m["quantity"]).fillna(False)
    off = ((m["item_price_cents"] - m["settled_cents"]).abs() > ctx.policy.tolerance_cents).fillna(False)
    m = m[(covered & off).to_numpy()]
    if m.empty:
        return []
    rows = rows_by_key(pr, ITEM_KEY, m)
    out = []
    for r in m.to_dict("records"):
        key = (r["account"], r["order_id"], r["sku"])
        out.append(FindingRecord(
            kind="principal_mismatch", account=r["account"], marketplace=r["marketplace"], settlement_id=None,
            order_id=r["order_id"], sku=r["sku"], line_no=None,
            amount=money(int(r["item_price_cents"]) - int(r["settled_cents"])), currency=r["currency"],
            detail=(f"order {r['order_id']} sku {r['sku']}: {int(r['quantity'])} ordered at item-price "
                    f"{show(r['item_price_cents'])} but {int(r['settled_qty'])} settled for {show(r['settled_cents'])}"),
            evidence=evidence_rows(pd.DataFrame([r]).rename(columns={"order_id": "amazon_order_id"}), ORDER_EVIDENCE)
            + evidence_rows(rows.get(key, pd.DataFrame()), LINE_EVIDENCE),
        ))
    return out


def _refunds(inp: ReconcileInput) -> pd.DataFrame:
    """One row per refunded (account, order-id, sku): principal refunded (positive), the last
    refund day, and the sale's settled principal when the sale is in the loaded settlements."""
    lines = inp.settlement_lines
    rf = _principal(lines, "Refund")
    if rf.empty:
        return pd.DataFrame()
    rf = rf.assign(_day=rf["posted_date_time"].dt.tz_convert(None).dt.floor("D"))
    if rf["_day"].isna().any():
        rf.loc[rf["_day"].isna(), "_day"] = pd.to_datetime(rf.loc[rf["_day"].isna(), "posted_date"])
    refunds = rf.groupby(ITEM_KEY, sort=False).agg(
        marketplace=("marketplace", "first"), currency=("currency", "first"),
        refunded_cents=("amount_cents", "sum"), refunded_on=("_day", "max"),
    ).reset_index()
    refunds["refunded_cents"] = -refunds["refunded_cents"].astype("int64")
    keys = pd.MultiIndex.from_frame(refunds[ITEM_KEY])
    related = lines[pd.MultiIndex.from_frame(lines[ITEM_KEY]).isin(keys)]
    afn = related[related["fulfillment_id"].eq("AFN").fillna(False).to_numpy()][ITEM_KEY].drop_duplicates()
    sale = _principal(related, "Order").groupby(ITEM_KEY, sort=False)["amount_cents"].sum().rename("settled_cents")
    refunds = refunds.merge(sale.reset_index(), on=ITEM_KEY, how="left")
    refunds = refunds.merge(afn.assign(afn=True), on=ITEM_KEY, how="left")
    refunds["afn"] = refunds["afn"].fillna(False).astype(bool)
    return refunds


def refund_exceeds_sale(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """Principal refunded for an (order-id, sku) above the principal settled for it by more than
    the tolerance — judged only when the sale itself is in the loaded settlements."""
    r = _refunds(inp)
    if r.empty:
        return []
    r = r[r["settled_cents"].notna().to_numpy()]
    r = r[((r["refunded_cents"] - r["settled_cents"]) > ctx.policy.tolerance_cents).to_numpy()]
    evidence = _refund_evidence(inp, r)
    return [_refund_finding("refund_exceeds_sale", row, evidence, int(row["refunded_cents"]) - int(row["settled_cents"]),
                            f"refunded {show(row['refunded_cents'])} but the sale settled {show(row['settled_cents'])}")
            for row in r.to_dict("records")]


def _net_reimbursed(inp: ReconcileInput) -> pd.DataFrame:
    """(account, order_id, sku) whose reimbursements, net of reversals, still pay something.
    A reversal without an order id takes its original's order id."""
    rb = inp.reimbursements.rename(columns={"amazon_order_id": "order_id"}).copy()
    if rb.empty:
        return rb[ITEM_KEY]
    origin = rb.dropna(subset=["order_id"]).drop_duplicates("reimbursement_id").set_index("reimbursement_id")["order_id"]
    missing = rb["order_id"].isna() & rb["original_reimbursement_id"].notna()
    rb.loc[missing, "order_id"] = rb.loc[missing, "original_reimbursement_id"].map(origin)
    net = rb.groupby(ITEM_KEY, sort=False).agg(
        cash=("amount_total_cents", "sum"), units=("quantity_reimbursed_inventory", "sum")
    ).reset_index()
    return net[((net["cash"] > 0) | (net["units"] > 0)).fillna(False).to_numpy()][ITEM_KEY]


def refund_without_return(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """An FBA order line fully refunded (principal refunded ≥ the principal sold − tolerance) at
    least the marketplace's claim-window opening days before as-of, with no customer return (FBA
    or seller-fulfilled report) and no reimbursement net of reversals for its (order-id, sku).

    "The principal sold" is the settled principal when the sale is in the loaded settlements,
    else the order report's item-price; with neither the refund cannot be judged full."""
    p = ctx.policy
    r = _refunds(inp)
    if r.empty:
        return []
    o = _orders(inp)[ITEM_KEY + ["item_price_cents", "fulfillment_channel"]].drop_duplicates(ITEM_KEY)
    r = r.merge(o, on=ITEM_KEY, how="left")
    r["afn"] = r["afn"] | r["fulfillment_channel"].eq("Amazon").fillna(False).astype(bool)
    sold = r["settled_cents"].fillna(r["item_price_cents"])
    full = ((r["refunded_cents"] > 0) & (r["refunded_cents"] >= sold - p.tolerance_cents)).fillna(False)
    r = r[(full & r["afn"]).to_numpy()]
    r = with_market(r, ctx)
    opening = np.array([p.claim_window_days(m)[0] for m in r["marketplace"]], dtype="int64")
    refunded_on = r["refunded_on"].to_numpy().astype("datetime64[D]")
    old_enough = r["as_of"].notna().to_numpy() & (
        refunded_on <= r["as_of"].to_numpy().astype("datetime64[D]") - opening.astype("timedelta64[D]"))
    r = r[old_enough]
    returned = pd.concat([
        inp.fba_returns[ITEM_KEY],
        inp.seller_returns.rename(columns={"merchant_sku": "sku"})[ITEM_KEY],
        _net_reimbursed(inp),
    ]).drop_duplicates()
    r = r.merge(returned.assign(_returned=True), on=ITEM_KEY, how="left")
    r = r[r["_returned"].isna()]
    evidence = _refund_evidence(inp, r)
    out = []
    for row in r.to_dict("records"):
        refunded_on = row["refunded_on"].date()
        opens, closes = p.claim_window(row["marketplace"], refunded_on)
        out.append(_refund_finding(
            "refund_without_return", row, evidence, int(row["refunded_cents"]),
            f"fully refunded {show(row['refunded_cents'])} on {refunded_on}, no return and no reimbursement; "
            f"claim window {opens} to {closes}", opens, closes))
    return out


def _refund_evidence(inp: ReconcileInput, keys: pd.DataFrame) -> dict[tuple, list[dict]]:
    """The sale and refund principal rows and any reimbursement rows of each refunded item."""
    if keys.empty:
        return {}
    lines = inp.settlement_lines
    sale = rows_by_key(_principal(lines, "Order"), ITEM_KEY, keys)
    refund = rows_by_key(_principal(lines, "Refund"), ITEM_KEY, keys)
    rb = rows_by_key(inp.reimbursements.rename(columns={"amazon_order_id": "order_id"}), ITEM_KEY, keys)
    out = {}
    for key in keys[ITEM_KEY].itertuples(index=False, name=None):
        reimbursed = rb.get(key, pd.DataFrame()).rename(columns={"order_id": "amazon_order_id"})
        out[key] = (evidence_rows(sale.get(key, pd.DataFrame()), LINE_EVIDENCE)
                    + evidence_rows(refund.get(key, pd.DataFrame()), LINE_EVIDENCE)
                    + evidence_rows(reimbursed, REIMBURSEMENT_EVIDENCE))
    return out


def _refund_finding(kind, row, evidence, at_stake, why, opens=None, closes=None) -> FindingRecord:
    return FindingRecord(
        kind=kind, account=row["account"], marketplace=row["marketplace"], settlement_id=None,
        order_id=row["order_id"], sku=row["sku"], line_no=None, amount=money(at_stake), currency=row["currency"],
        detail=f"order {row['order_id']} sku {row['sku']}: {why}",
        evidence=evidence.get(tuple(row[c] for c in ITEM_KEY), []),
        claim_window_opens=opens, claim_window_closes=closes,
    )
