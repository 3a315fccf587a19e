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

from sellerops.core.money import from_cents
from sellerops.reconciliation.base import (
    ITEM_KEY,
    Context,
    FindingRecord,
    ReconcileInput,
    evidence_rows,
    line_codes,
    plain,
    rows_by_key,
    show,
    text,
    with_market,
)
from sellerops.reconciliation.keys import equals, tuple_keys
from sellerops.reconciliation.settlement_rules import LINE_EVIDENCE

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
        equals(lines["transaction_type"], transaction_type)
        & equals(lines["amount_type"], "ItemPrice")
        & equals(lines["amount_description"], "Principal")
    )
    return lines[mask]


def _principal_rows(inp: ReconcileInput, ctx: Context, transaction_type: str) -> np.ndarray:
    """Positions of the ItemPrice/Principal rows of one transaction type, once per run."""
    def compute():
        return np.flatnonzero(
            equals(line_codes(inp, ctx, "transaction_type"), transaction_type)
            & equals(line_codes(inp, ctx, "amount_type"), "ItemPrice")
            & equals(line_codes(inp, ctx, "amount_description"), "Principal"))
    return ctx.memo(inp, f"principal_rows:{transaction_type}", compute)


def _item_keys(inp: ReconcileInput, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """(account, order-id, sku) as comparable integers: one per settlement line, one per order."""
    def compute():
        orders = inp.orders
        return tuple(tuple_keys([line_codes(inp, ctx, c) for c in ITEM_KEY],
                                [orders["account"], orders["amazon_order_id"], orders["sku"]]))
    return ctx.memo(inp, "item_keys", compute)


def _orders(inp: ReconcileInput) -> pd.DataFrame:
    return inp.orders.rename(columns={"amazon_order_id": "order_id"})


def unsettled_order(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """A shipped order line, sold on Amazon for more than zero, purchased on or after the start
    of the earliest settlement loaded for its market and at least the grace days before as-of
    (FBA 21, seller-fulfilled 28 — also when the channel is unknown —, business orders 45), with
    no Order transaction for its (order-id, sku) in any settlement."""
    p = ctx.policy
    o = _orders(inp)
    channel = o["sales_channel"].astype(object).fillna("").str.strip().str.casefold().eq("non-amazon").to_numpy()
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
    lines = inp.settlement_lines
    line_keys, order_keys = _item_keys(inp, ctx)
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
            evidence=evidence_rows(pd.DataFrame([r]).rename(columns={"order_id": "amazon_order_id"}), ORDER_EVIDENCE),
        ))
    return out


def _settled_principal(inp: ReconcileInput, ctx: Context) -> pd.DataFrame:
    """Per (account, order-id, sku) key with no blank part: the Order principal settled over
    every settlement and its quantity (blank amounts count as nothing), indexed by item key."""
    def compute():
        lines = inp.settlement_lines
        at = _principal_rows(inp, ctx, "Order")
        at = at[lines[ITEM_KEY].iloc[at].notna().all(axis=1).to_numpy()]
        line_keys, _ = _item_keys(inp, ctx)
        rows = pd.DataFrame({"settled_cents": lines["amount_cents"].array.take(at),
                             "settled_qty": lines["quantity_purchased"].array.take(at)})
        return rows.groupby(line_keys[at], sort=False).sum()
    return ctx.memo(inp, "settled_principal", compute)


def _lines_of(inp: ReconcileInput, ctx: Context, at: np.ndarray, keys: np.ndarray) -> pd.DataFrame:
    """The settlement lines at positions `at` whose item key is one of `keys`."""
    line_keys, _ = _item_keys(inp, ctx)
    return inp.settlement_lines.iloc[at[np.isin(line_keys[at], keys)]]


def principal_mismatch(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """An (order-id, sku) whose settled Order principal, over every settlement, covers the
    ordered quantity but differs from the order report's item-price by more than the tolerance."""
    settled = _settled_principal(inp, ctx)
    _, order_keys = _item_keys(inp, ctx)
    o = _orders(inp)
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
    pr = _lines_of(inp, ctx, _principal_rows(inp, ctx, "Order"), order_keys[usable[hit][keep]])
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
            evidence=evidence_rows(pd.DataFrame([r]).rename(columns={"order_id": "amazon_order_id"}), ORDER_EVIDENCE)
            + evidence_rows(rows.get(key, pd.DataFrame()), LINE_EVIDENCE),
        ))
    return out


def _refunds(inp: ReconcileInput, ctx: Context) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per refunded (account, order-id, sku): principal refunded (positive), the last
    refund day, and the sale's settled principal when the sale is in the loaded settlements;
    with the refunded items' keys. Computed once per run for both refund rules."""
    return ctx.memo(inp, "refunds", lambda: _compute_refunds(inp, ctx))


def _compute_refunds(inp: ReconcileInput, ctx: Context) -> tuple[pd.DataFrame, np.ndarray]:
    lines = inp.settlement_lines
    at = _principal_rows(inp, ctx, "Refund")
    rf = lines.iloc[at]
    if rf.empty:
        return pd.DataFrame(), np.array([], dtype=np.int64)
    line_keys, _ = _item_keys(inp, ctx)
    keys = np.unique(line_keys[at[rf[ITEM_KEY].notna().all(axis=1).to_numpy()]])
    rf = rf.assign(_day=rf["posted_date_time"].dt.tz_convert(None).dt.floor("D"))
    if rf["_day"].isna().any():
        rf.loc[rf["_day"].isna(), "_day"] = pd.to_datetime(rf.loc[rf["_day"].isna(), "posted_date"])
    refunds = rf.groupby(ITEM_KEY, sort=False, observed=True).agg(
        marketplace=("marketplace", "first"), currency=("currency", "first"),
        refunded_cents=("amount_cents", "sum"), refunded_on=("_day", "max"),
    ).reset_index()
    refunds[ITEM_KEY + ["marketplace", "currency"]] = refunds[ITEM_KEY + ["marketplace", "currency"]].astype(object)
    refunds["refunded_cents"] = -refunds["refunded_cents"].astype("int64")
    related = lines[np.isin(line_keys, keys)]
    afn = related[equals(related["fulfillment_id"], "AFN")][ITEM_KEY].astype(object).drop_duplicates()
    sale = (_principal(related, "Order").astype({c: object for c in ITEM_KEY})
            .groupby(ITEM_KEY, sort=False)["amount_cents"].sum().rename("settled_cents"))
    refunds = refunds.merge(sale.reset_index(), on=ITEM_KEY, how="left")
    refunds = refunds.merge(afn.assign(afn=True), on=ITEM_KEY, how="left")
    refunds["afn"] = refunds["afn"].fillna(False).astype(bool)
    return refunds, keys


def refund_exceeds_sale(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """Principal refunded for an (order-id, sku) above the principal settled for it by more than
    the tolerance — judged only when the sale itself is in the loaded settlements."""
    r, _ = _refunds(inp, ctx)
    if r.empty:
        return []
    r = r[r["settled_cents"].notna().to_numpy()]
    r = r[((r["refunded_cents"] - r["settled_cents"]) > ctx.policy.tolerance_cents).to_numpy()]
    evidence = _refund_evidence(inp, ctx, r)
    return [_refund_finding("refund_exceeds_sale", row, evidence, int(row["refunded_cents"]) - int(row["settled_cents"]),
                            f"refunded {show(row['refunded_cents'])} but the sale settled {show(row['settled_cents'])}")
            for row in r.to_dict("records")]


def _net_reimbursed(inp: ReconcileInput) -> pd.DataFrame:
    """(account, order_id, sku) whose reimbursements, net of reversals, still pay something.
    A reversal without an order id takes its original's order id."""
    rb = plain(inp.reimbursements.rename(columns={"amazon_order_id": "order_id"}))
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
    r, refunded = _refunds(inp, ctx)
    if r.empty:
        return []
    _, order_keys = _item_keys(inp, ctx)
    o = _orders(inp)[ITEM_KEY + ["item_price_cents", "fulfillment_channel"]][np.isin(order_keys, refunded)]
    o = o.astype({c: object for c in ITEM_KEY + ["fulfillment_channel"]}).drop_duplicates(ITEM_KEY)
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
        plain(inp.fba_returns[ITEM_KEY]),
        plain(inp.seller_returns.rename(columns={"merchant_sku": "sku"})[ITEM_KEY]),
        _net_reimbursed(inp),
    ]).drop_duplicates()
    r = r.merge(returned.assign(_returned=True), on=ITEM_KEY, how="left")
    r = r[r["_returned"].isna()]
    evidence = _refund_evidence(inp, ctx, r)
    out = []
    for row in r.to_dict("records"):
        refunded_on = row["refunded_on"].date()
        opens, closes = p.claim_window(row["marketplace"], refunded_on)
        out.append(_refund_finding(
            "refund_without_return", row, evidence, int(row["refunded_cents"]),
            f"fully refunded {show(row['refunded_cents'])} on {refunded_on}, no return and no reimbursement; "
            f"claim window {opens} to {closes}", opens, closes))
    return out


def _refund_evidence(inp: ReconcileInput, ctx: Context, keys: pd.DataFrame) -> dict[tuple, list[dict]]:
    """The sale and refund principal rows and any reimbursement rows of each refunded item."""
    if keys.empty:
        return {}
    _, refunded = _refunds(inp, ctx)
    sale = rows_by_key(_lines_of(inp, ctx, _principal_rows(inp, ctx, "Order"), refunded), ITEM_KEY, keys)
    refund = rows_by_key(_lines_of(inp, ctx, _principal_rows(inp, ctx, "Refund"), refunded), ITEM_KEY, keys)
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
        order_id=row["order_id"], sku=row["sku"], line_no=None, amount=from_cents(at_stake), currency=row["currency"],
        detail=f"order {row['order_id']} sku {row['sku']}: {why}",
        evidence=evidence.get(tuple(row[c] for c in ITEM_KEY), []),
        claim_window_opens=opens, claim_window_closes=closes,
    )
