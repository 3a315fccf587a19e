"""What the reconciliation rules share: their input, their output record, and the context
computed once per run (as-of and earliest settlement per account, marketplace and currency, and
the identical fee copies that the fee rules must not see).

Pure pandas and Decimal: no Prefect, no database. Money stays integer cents in the frames; a
Decimal is built only for the findings emitted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, Iterable

import numpy as np
import pandas as pd

from sellerops.reconcile.frames import empty_frame
from sellerops.reconcile.policy import Policy

FEE_AMOUNT_TYPES = ("ItemFees", "ShipmentFees")
MARKET_KEY = ["account", "marketplace", "currency"]
ITEM_KEY = ["account", "order_id", "sku"]
EVIDENCE_ROWS = 6


@dataclass(frozen=True)
class ReconcileInput:
    """One frame per stored table (columns: the model fields plus `file`); see frames.py."""

    settlements: pd.DataFrame = field(default_factory=lambda: empty_frame("settlements"))
    settlement_lines: pd.DataFrame = field(default_factory=lambda: empty_frame("settlement_lines"))
    orders: pd.DataFrame = field(default_factory=lambda: empty_frame("orders"))
    fba_returns: pd.DataFrame = field(default_factory=lambda: empty_frame("fba_returns"))
    seller_returns: pd.DataFrame = field(default_factory=lambda: empty_frame("seller_returns"))
    reimbursements: pd.DataFrame = field(default_factory=lambda: empty_frame("reimbursements"))


@dataclass(frozen=True)
class FindingRecord:
    """One discrepancy: what it is about, the money at stake (positive = owed to the seller) and
    the handful of source rows that show it."""

    kind: str
    account: str
    marketplace: str
    settlement_id: str | None
    order_id: str | None
    sku: str | None
    line_no: int | None
    amount: Decimal
    currency: str
    detail: str
    evidence: list[dict[str, Any]] = field(default_factory=list, compare=False)
    claim_window_opens: dt.date | None = None
    claim_window_closes: dt.date | None = None

    @property
    def key(self) -> str:
        """Stable across runs: the account, the kind and the subject, never the amount or text."""
        parts = (self.account, self.kind, self.settlement_id, self.order_id, self.sku, self.line_no)
        text = "\x1f".join("" if p is None else str(p) for p in parts)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class Context:
    """Computed once per run and handed to every rule."""

    policy: Policy
    # One row per (account, marketplace, currency) with settlements: as_of (datetime64[D]) and
    # earliest_start (the start of the earliest settlement loaded, tz-aware UTC).
    markets: pd.DataFrame
    # Index labels of settlement_lines that are identical extra copies of a fee row.
    duplicate_fee_copies: pd.Index


def build_context(inp: ReconcileInput, as_of: dt.date | None, policy: Policy) -> Context:
    s = inp.settlements
    markets = (
        s.groupby(MARKET_KEY, dropna=True, sort=True)
        .agg(latest_end=("settlement_end_date", "max"), earliest_start=("settlement_start_date", "min"))
        .reset_index()
    )
    if as_of is not None:
        markets["as_of"] = np.datetime64(as_of, "D")
    else:
        markets["as_of"] = _days(markets["latest_end"])
    return Context(policy=policy, markets=markets, duplicate_fee_copies=_duplicate_fee_copies(inp.settlement_lines))


def _duplicate_fee_copies(lines: pd.DataFrame) -> pd.Index:
    fees = lines[lines["amount_type"].isin(FEE_AMOUNT_TYPES)]
    if fees.empty:
        return fees.index
    fees = fees.sort_values(["account", "settlement_id", "line_no"], kind="stable")
    copies = fees.duplicated(subset=["account", "settlement_id", "raw_digest"], keep="first")
    return fees.index[copies.to_numpy()]


def with_market(frame: pd.DataFrame, ctx: Context, currency_column: str = "currency") -> pd.DataFrame:
    """`frame` joined to its market's as_of and earliest_start. A row without a currency takes its
    marketplace's currency when the marketplace settles in one currency only."""
    markets = ctx.markets[MARKET_KEY + ["as_of", "earliest_start"]]
    left = frame.copy()
    left["_currency"] = left[currency_column]
    single = markets.groupby(["account", "marketplace"]).filter(lambda g: len(g) == 1)
    fill = single.set_index(["account", "marketplace"])["currency"]
    missing = left["_currency"].isna()
    if missing.any() and len(fill):
        idx = pd.MultiIndex.from_frame(left.loc[missing, ["account", "marketplace"]])
        left.loc[missing, "_currency"] = fill.reindex(idx).to_numpy()
    merged = left.merge(
        markets.rename(columns={"currency": "_currency"}), on=["account", "marketplace", "_currency"], how="left"
    )
    merged.index = left.index
    return merged.drop(columns="_currency")


def _days(series: pd.Series) -> np.ndarray:
    """UTC calendar days (datetime64[D]) of a tz-aware datetime series; NaT stays NaT."""
    values = pd.to_datetime(series, utc=True).dt.tz_convert(None)
    return values.to_numpy().astype("datetime64[D]")


days = _days


def money(cents: int | Fraction | Decimal) -> Decimal:
    """Integer (or exact fractional) cents as a Decimal amount, rounded half-even to the cent."""
    if isinstance(cents, Fraction):
        cents = Decimal(cents.numerator) / Decimal(cents.denominator)
    return (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def show(cents: Any) -> str:
    return "blank" if cents is None or pd.isna(cents) else f"{money(int(cents))}"


def _jsonable(value: Any) -> Any:
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    return value


def evidence_rows(rows: pd.DataFrame, columns: Iterable[str], line_column: str = "line_no") -> list[dict]:
    """Source rows as {file, line, values}; `*_cents` values shown as decimal strings."""
    out = []
    for record in rows.head(EVIDENCE_ROWS).to_dict("records"):
        values = {}
        for column in columns:
            value = _jsonable(record.get(column))
            if value is None:
                continue
            if column.endswith("_cents"):
                values[column[: -len("_cents")]] = str(money(int(value)))
            else:
                values[column] = value
        line = _jsonable(record.get(line_column))
        out.append({"file": _jsonable(record.get("file")), "line": line, "values": values})
    return out


def rows_by_key(frame: pd.DataFrame, keycols: list[str], keys: pd.DataFrame) -> dict[tuple, pd.DataFrame]:
    """The rows of `frame` for each wanted key (a frame of `keycols`), sorted by line number,
    at most EVIDENCE_ROWS each — a semi-join, so it stays cheap over millions of rows."""
    if keys.empty or frame.empty:
        return {}
    wanted = pd.MultiIndex.from_frame(keys[keycols].drop_duplicates())
    mask = pd.MultiIndex.from_frame(frame[keycols]).isin(wanted)
    picked = frame[mask]
    if "line_no" in picked.columns:
        picked = picked.sort_values("line_no", kind="stable")
    picked = picked.groupby(keycols, sort=False, dropna=False).head(EVIDENCE_ROWS)
    return {k: g for k, g in picked.groupby(keycols, sort=False, dropna=False)}


def text(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
