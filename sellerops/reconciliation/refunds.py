"""Refund rules: a refund never returned, and a refund above the sale.

- refund_without_return catches an FBA order line fully refunded (principal refunded ≥ the
  principal sold − `Policy.tolerance`) at least its marketplace's claim-window opening days before
  as-of, with no customer return (FBA or seller-fulfilled report) and no reimbursement net of
  reversals for its (order-id, sku). The window (opening and closing days after the refund, per
  marketplace) comes from `Policy.claim_window_opens_days` and `Policy.claim_window_closes_days`,
  `Policy.default_claim_window_days` for a marketplace they do not list. At stake: the principal
  refunded (what a customer-return claim recovers).
- refund_exceeds_sale catches principal refunded for an (order-id, sku) above the principal settled
  for it by more than `Policy.tolerance`, judged only when the sale itself is in the loaded
  settlements. At stake: the principal refunded − the principal settled.

Keyed by (account, order-id, sku) across every settlement loaded: not settlement-local.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sellerops.core.money import from_cents
from sellerops.reconciliation.keys import equals
from sellerops.reconciliation.model import (
    ITEM_KEY,
    LINE_EVIDENCE,
    Context,
    FindingRecord,
    ReconcileInput,
    evidence_rows,
    item_keys,
    lines_of,
    orders_by_order_id,
    plain,
    principal_rows,
    rows_by_key,
    rule,
    show,
    used_categories,
    with_market,
)

REIMBURSEMENT_EVIDENCE = [
    "reimbursement_id", "amazon_order_id", "sku", "reason", "amount_total_cents",
    "quantity_reimbursed_total", "original_reimbursement_id", "approval_date",
]


def _refunds(inp: ReconcileInput, ctx: Context) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per refunded (account, order-id, sku): principal refunded (positive), the last
    refund day, and the sale's settled principal when the sale is in the loaded settlements;
    with the refunded items' keys. Computed once per run for both refund rules."""
    return ctx.memo(inp, "refunds", lambda: _compute_refunds(inp, ctx))


def _compute_refunds(inp: ReconcileInput, ctx: Context) -> tuple[pd.DataFrame, np.ndarray]:
    lines = inp.settlement_lines
    at = principal_rows(inp, ctx, "Refund")
    rf = used_categories(lines.iloc[at], ITEM_KEY)
    if rf.empty:
        return pd.DataFrame(), np.array([], dtype=np.int64)
    line_keys, _ = item_keys(inp, ctx)
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
    sale = (lines_of(inp, ctx, principal_rows(inp, ctx, "Order"), keys).astype({c: object for c in ITEM_KEY})
            .groupby(ITEM_KEY, sort=False)["amount_cents"].sum().rename("settled_cents"))
    refunds = refunds.merge(sale.reset_index(), on=ITEM_KEY, how="left")
    refunds = refunds.merge(afn.assign(afn=True), on=ITEM_KEY, how="left")
    refunds["afn"] = refunds["afn"].fillna(False).astype(bool)
    return refunds, keys


@rule(local=False)
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


@rule(local=False)
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
    _, order_keys = item_keys(inp, ctx)
    o = orders_by_order_id(inp)[ITEM_KEY + ["item_price_cents", "fulfillment_channel"]][np.isin(order_keys, refunded)]
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
    sale = rows_by_key(lines_of(inp, ctx, principal_rows(inp, ctx, "Order"), refunded), ITEM_KEY, keys)
    refund = rows_by_key(lines_of(inp, ctx, principal_rows(inp, ctx, "Refund"), refunded), ITEM_KEY, keys)
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
