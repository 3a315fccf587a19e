"""The returns procedure's measures: how long authorisation takes, and which SKUs come back more
than they used to.

Authorisation time is request date → decision for each request the seller decided (sellerops or a
person; Amazon's own decisions are not the seller's time), summarised per ISO week as a median and
90th percentile against the target hours. The return rate is returned units ÷ units shipped that
week, per SKU (and per SKU and reason for the board); a SKU whose week, with at least
`spike_min_units` shipped, is more than `spike_margin` points over its own previous
`baseline_weeks` raises a `return_rate_spike` finding (procedure `returns`, amount 0) through the
findings store — the reconciliation's findings, such as `refund_without_return`, are never touched.
Frames in, frames out; `findings_for` and `spike_findings` read and write the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sellerops.core.marketplaces import marketplace
from sellerops.returns.policy import Policy

SPIKE = "return_rate_spike"


def iso_week(ts: pd.Series) -> pd.Series:
    """`2025-W28` for each instant (its ISO year and week)."""
    cal = pd.to_datetime(ts, utc=True).dt.isocalendar()
    return cal["year"].astype(str) + "-W" + cal["week"].astype(str).str.zfill(2)


def authorisation_times(requests: pd.DataFrame, target_hours: float) -> pd.DataFrame:
    """Per ISO week of the request: decided, median and p90 hours, within target (count), target.
    `requests`: requested_at, decided_at, decided_by."""
    cols = ["week", "decided", "median_hours", "p90_hours", "within_target", "target_hours"]
    done = requests[requests["decided_at"].notna() & requests["requested_at"].notna()
                    & (requests["decided_by"] != "amazon")]
    if done.empty:
        return pd.DataFrame(columns=cols)
    hours = (pd.to_datetime(done["decided_at"], utc=True) - pd.to_datetime(done["requested_at"], utc=True)) \
        .dt.total_seconds() / 3600
    frame = pd.DataFrame({"week": iso_week(done["requested_at"]).to_numpy(), "hours": hours.to_numpy()})
    g = frame.groupby("week")["hours"]
    out = pd.DataFrame({"decided": g.size(), "median_hours": g.median().round(2),
                        "p90_hours": g.quantile(0.9).round(2),
                        "within_target": g.apply(lambda h: int((h <= target_hours).sum()))}).reset_index()
    out["target_hours"] = target_hours
    return out[cols]


def weekly_rates(shipped: pd.DataFrame, returned: pd.DataFrame) -> pd.DataFrame:
    """Per SKU and week start (Monday, UTC): shipped units, returned units, rate in points.
    `shipped`: sku, at, units; `returned`: sku, at, units."""
    def weekly(df: pd.DataFrame, name: str) -> pd.Series:
        if df.empty:
            return pd.Series([], dtype="int64", name=name,
                             index=pd.MultiIndex.from_tuples([], names=["sku", "week"]))
        at = pd.to_datetime(df["at"], utc=True)
        start = (at - pd.to_timedelta(at.dt.day_of_week, unit="D")).dt.floor("D")
        return df.assign(week=start).groupby(["sku", "week"])["units"].sum().rename(name)

    out = pd.concat([weekly(shipped, "shipped"), weekly(returned, "returned")], axis=1).fillna(0)
    if out.empty:
        return pd.DataFrame(columns=["sku", "week", "shipped", "returned", "rate"])
    out = out.astype("int64").reset_index()
    out["rate"] = np.where(out["shipped"] > 0, out["returned"] * 100 / out["shipped"].where(out["shipped"] > 0, 1), np.nan)
    return out.sort_values(["sku", "week"], kind="stable").reset_index(drop=True)


def spikes(rates: pd.DataFrame, policy: Policy, weeks: list[pd.Timestamp] | None = None) -> pd.DataFrame:
    """The (SKU, week) rows whose rate is more than `spike_margin` points over the SKU's pooled rate
    of the `baseline_weeks` before (returned ÷ shipped over them), with at least `spike_min_units`
    shipped in the week; only `weeks` when given. Adds baseline and over (points)."""
    rows = []
    margin = float(policy.spike_margin)
    for sku, g in rates.groupby("sku", sort=True):
        g = g.set_index("week").sort_index()
        for week, r in g.iterrows():
            if weeks is not None and week not in weeks:
                continue
            if r["shipped"] < policy.spike_min_units:
                continue
            before = g[(g.index < week) & (g.index >= week - pd.Timedelta(weeks=policy.baseline_weeks))]
            if before["shipped"].sum() <= 0:
                continue  # no baseline of its own yet
            baseline = before["returned"].sum() * 100 / before["shipped"].sum()
            if r["rate"] - baseline > margin:
                rows.append({"sku": sku, "week": week, "shipped": int(r["shipped"]), "returned": int(r["returned"]),
                             "rate": round(float(r["rate"]), 2), "baseline": round(float(baseline), 2),
                             "over": round(float(r["rate"] - baseline), 2)})
    return pd.DataFrame(rows, columns=["sku", "week", "shipped", "returned", "rate", "baseline", "over"])


def _frames(conn, account: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(shipped, returned, returned by reason) from the stored reports: order lines not cancelled by
    purchase week; the seller's RMAs by request week and FBA returns by return week."""
    from sellerops.storage import tables
    from sellerops.storage.returns import ReturnRequest

    o, f, r = tables.OrderLine.__table__, tables.FbaReturn.__table__, ReturnRequest.__table__
    shipped = pd.DataFrame(conn.execute(sa.select(o.c.sku, o.c.purchase_date, o.c.quantity).where(
        o.c.account == account, sa.func.lower(o.c.order_status) != "cancelled")).all(), columns=["sku", "at", "units"])
    seller = pd.DataFrame(conn.execute(sa.select(r.c.sku, r.c.requested_at, r.c.quantity, r.c.return_reason).where(
        r.c.account == account)).all(), columns=["sku", "at", "units", "reason"])
    fba = pd.DataFrame(conn.execute(sa.select(f.c.sku, f.c.return_date, f.c.quantity, f.c.reason).where(
        f.c.account == account)).all(), columns=["sku", "at", "units", "reason"])
    returned = pd.concat([x for x in (seller, fba) if len(x)], ignore_index=True) if len(seller) + len(fba) else seller
    shipped["units"] = shipped["units"].fillna(0).astype("int64")
    returned["units"] = returned["units"].fillna(0).astype("int64")
    return shipped, returned[["sku", "at", "units"]], returned


def spike_findings(now: dt.datetime, policy: Policy, account: str, market: str) -> list:
    """The spike findings of the last complete ISO week and the current one, as of `now`."""
    from sellerops.reconciliation.model import FindingRecord
    from sellerops.storage.engine import get_engine

    with get_engine().connect() as c:
        shipped, returned, _ = _frames(c, account)
    rates = weekly_rates(shipped, returned)
    this_week = pd.Timestamp(now).tz_convert("UTC").floor("D") - pd.Timedelta(days=now.weekday())
    found = spikes(rates, policy, [this_week - pd.Timedelta(weeks=1), this_week])
    m = marketplace(market)
    records = {}
    for r in found.sort_values("week").itertuples(index=False):  # the latest week of a SKU is its finding
        records[r.sku] = FindingRecord(
            kind=SPIKE, account=account, marketplace=m.name, settlement_id=None, order_id=None, sku=r.sku,
            line_no=None, amount=Decimal("0"), currency=m.currency,
            detail=(f"{r.sku}: {r.rate:.1f}% of units shipped in the week of {r.week.date()} came back "
                    f"({r.returned} of {r.shipped}), {r.over:.1f} points over its {policy.baseline_weeks}-week "
                    f"baseline of {r.baseline:.1f}%"),
            evidence=[{"week": str(r.week.date()), "shipped": r.shipped, "returned": r.returned, "rate": r.rate,
                       "baseline": r.baseline}])
    return list(records.values())


def store_spikes(now: dt.datetime, policy: Policy, account: str, market: str) -> dict:
    """Store this run's spike findings under procedure `returns` (others' findings untouched)."""
    from sellerops.findings.store import store

    records = spike_findings(now, policy, account, market)
    got = store(records, procedure="returns", account=account, now=now)
    return {"spikes": len(records), "new": len(got.new), "resolved": len(got.resolved)}


def reason_rates(shipped: pd.DataFrame, returned: pd.DataFrame) -> pd.DataFrame:
    """Per SKU, reason and week start: returned units, the SKU's units shipped that week, and the
    rate in points (null where nothing shipped). `returned`: sku, at, units, reason."""
    cols = ["sku", "reason", "week", "returned", "shipped", "rate"]
    if returned.empty:
        return pd.DataFrame(columns=cols)
    at = pd.to_datetime(returned["at"], utc=True)
    r = returned.assign(week=(at - pd.to_timedelta(at.dt.day_of_week, unit="D")).dt.floor("D"),
                        reason=returned["reason"].fillna("(none)"))
    by = r.groupby(["sku", "reason", "week"])["units"].sum().rename("returned").reset_index()
    weekly = weekly_rates(shipped, returned[["sku", "at", "units"]])[["sku", "week", "shipped"]]
    out = by.merge(weekly, on=["sku", "week"], how="left")
    out["shipped"] = out["shipped"].fillna(0).astype("int64")
    out["rate"] = (out["returned"] * 100 / out["shipped"].where(out["shipped"] > 0)).round(2)
    return out[cols]


def top_reasons(account: str, now: dt.datetime, limit: int = 10) -> list[dict]:
    """The most returned (SKU, reason) pairs of the week of `now` and the one before, with the
    return rate of their week: for the board."""
    from sellerops.storage.engine import get_engine

    with get_engine().connect() as c:
        shipped, _, returned = _frames(c, account)
    rates = reason_rates(shipped, returned)
    this_week = pd.Timestamp(now).tz_convert("UTC").floor("D") - pd.Timedelta(days=now.weekday())
    recent = rates[rates["week"] >= this_week - pd.Timedelta(weeks=1)]
    top = recent.sort_values(["returned", "sku"], ascending=[False, True]).head(limit)
    return [{"sku": r.sku, "reason": r.reason, "week": str(r.week.date()), "returned": int(r.returned),
             "shipped": int(r.shipped), "rate_pct": None if pd.isna(r.rate) else float(r.rate)}
            for r in top.itertuples(index=False)]
