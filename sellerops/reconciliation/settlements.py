"""Settlement rules: a settlement that does not add up, and a fee charged twice in it.

- settlement_total_mismatch catches a summary total-amount that differs from the sum of all the
  settlement's amount rows by more than `Policy.tolerance`; at stake: the rows' sum minus the
  summary total (what the rows say Amazon should have deposited, less what it says it deposited).
- duplicate_charge catches each extra copy of a fee row (ItemFees/ShipmentFees) identical in every
  raw column to an earlier row of the same settlement; at stake: the copy's fee, sign flipped (a
  -3.45 fee charged twice = 3.45 owed). No policy field steers it.

Both judge a settlement from its own lines alone: they are settlement-local.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sellerops.core.money import from_cents
from sellerops.reconciliation.model import (
    LINE_EVIDENCE,
    Context,
    FindingRecord,
    ReconcileInput,
    evidence_rows,
    line_codes,
    plain,
    rule,
    show,
    text,
)
from sellerops.reconciliation.keys import tuple_keys

SETTLEMENT_EVIDENCE = [
    "settlement_id", "settlement_start_date", "settlement_end_date", "deposit_date",
    "total_amount_cents", "currency",
]


@rule(local=True)
def settlement_total_mismatch(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """A summary total-amount that differs by more than `Policy.tolerance` from the sum of all the
    settlement's amount rows (duplicates, reserves, other-transaction rows included)."""
    lines = inp.settlement_lines
    account, settlement = line_codes(inp, ctx, "account"), line_codes(inp, ctx, "settlement_id")
    has_key = (account[0] >= 0) & (settlement[0] >= 0)
    (key,) = tuple_keys([account, settlement])
    sums = lines[["amount_cents"]][has_key].groupby(key[has_key], sort=False).agg(
        rows_cents=("amount_cents", "sum"), rows=("amount_cents", "size"))
    first = pd.Series(np.flatnonzero(has_key)).groupby(key[has_key], sort=False).first().to_numpy()
    sums.insert(0, "settlement_id", lines["settlement_id"].to_numpy(dtype=object)[first])
    sums.insert(0, "account", lines["account"].to_numpy(dtype=object)[first])
    s = plain(inp.settlements).merge(sums.reset_index(drop=True), on=["account", "settlement_id"], how="left")
    s["rows_cents"] = s["rows_cents"].fillna(0).astype("Int64")
    s["rows"] = s["rows"].fillna(0).astype("int64")
    diff = s["rows_cents"] - s["total_amount_cents"]
    hit = s[(diff.abs() > ctx.policy.tolerance_cents).fillna(False).to_numpy()]
    out = []
    for r in hit.to_dict("records"):
        at_stake = int(r["rows_cents"]) - int(r["total_amount_cents"])
        out.append(FindingRecord(
            kind="settlement_total_mismatch", account=r["account"], marketplace=r["marketplace"],
            settlement_id=r["settlement_id"], order_id=None, sku=None, line_no=None,
            amount=from_cents(at_stake), currency=r["currency"],
            detail=(f"settlement {r['settlement_id']}: summary total {show(r['total_amount_cents'])} "
                    f"{r['currency']} but its {r['rows']} amount rows sum to {show(r['rows_cents'])}"),
            evidence=evidence_rows(pd.DataFrame([r]), SETTLEMENT_EVIDENCE, line_column="summary_line"),
        ))
    return out


@rule(local=True)
def duplicate_charge(inp: ReconcileInput, ctx: Context) -> list[FindingRecord]:
    """Each extra copy of a fee row (ItemFees/ShipmentFees) identical in every raw column to an
    earlier row of the same settlement. The first row is the genuine charge."""
    lines = inp.settlement_lines
    copies = lines.loc[ctx.duplicate_fee_copies]
    if copies.empty:
        return []
    order = copies[["settlement_id", "line_no"]].astype({"settlement_id": object}).sort_values(["settlement_id", "line_no"])
    out = []
    for idx, r in copies.loc[order.index].iterrows():
        original = lines.loc[ctx.duplicate_fee_originals[idx]]
        cents = r["amount_cents"]
        at_stake = 0 if pd.isna(cents) else -int(cents)
        out.append(FindingRecord(
            kind="duplicate_charge", account=r["account"], marketplace=r["marketplace"],
            settlement_id=r["settlement_id"], order_id=text(r["order_id"]), sku=text(r["sku"]),
            line_no=int(r["line_no"]), amount=from_cents(at_stake), currency=r["currency"],
            detail=(f"settlement {r['settlement_id']} line {int(r['line_no'])}: {r['amount_description']} "
                    f"{show(cents)} {r['currency']} is an identical copy of line {int(original['line_no'])}"),
            evidence=evidence_rows(
                pd.DataFrame([original.to_dict() | {"account": r["account"], "settlement_id": r["settlement_id"]}, r.to_dict()]),
                LINE_EVIDENCE,
            ),
        ))
    return out
