"""Authorisation times per ISO week and return-rate spikes, as frames, at each threshold."""

from __future__ import annotations

import pandas as pd

from sellerops.returns.measures import authorisation_times, spikes, weekly_rates
from sellerops.returns.policy import Policy

UTC = "UTC"


def test_authorisation_time_median_and_p90_per_iso_week():
    day = pd.Timestamp("2025-07-07", tz=UTC)  # a Monday: ISO week 2025-W28
    req = pd.DataFrame({
        "requested_at": [day] * 5 + [day],
        "decided_at": [day + pd.Timedelta(hours=h) for h in (1, 2, 3, 4, 42)] + [day + pd.Timedelta(hours=1)],
        "decided_by": ["auto", "auto", "sam", "sam", "sam", "amazon"],  # Amazon's decision is not the seller's time
    })
    [w] = authorisation_times(req, 6.0).to_dict("records")
    # hours 1, 2, 3, 4, 42: median 3; p90 by linear interpolation 4 + 0.6 × 38 = 26.8; 4 within 6 h
    assert (w["week"], w["decided"], w["median_hours"], w["p90_hours"], w["within_target"]) == ("2025-W28", 5, 3.0, 26.8, 4)


def weeks_of(sku: str, shipped_returned: list[tuple[int, int]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    start = pd.Timestamp("2025-05-05", tz=UTC)  # a Monday
    s, r = [], []
    for i, (ship, ret) in enumerate(shipped_returned):
        at = start + pd.Timedelta(weeks=i, days=2)
        s.append((sku, at, ship))
        r.append((sku, at, ret))
    return (pd.DataFrame(s, columns=["sku", "at", "units"]), pd.DataFrame(r, columns=["sku", "at", "units"]))


def test_a_spike_is_strictly_more_than_5_points_over_the_8_week_baseline_with_20_units():
    p = Policy()
    # eight weeks of 100 shipped, 2 returned: baseline 2%
    base = [(100, 2)] * 8
    for last, expected in [((20, 2), True),  # 10% − 2% = 8 points > 5, 20 units shipped → spike
                           ((100, 7), False),  # 7% − 2% = exactly 5 points: not *more* than 5
                           ((100, 8), True),  # 6 points
                           ((19, 5), False)]:  # 26% but only 19 units shipped: too few to judge
        shipped, returned = weeks_of("MUG", base + [last])
        found = spikes(weekly_rates(shipped, returned), p)
        assert (len(found) == 1) is expected, last
        if expected:
            assert found.iloc[0]["baseline"] == 2.0


def test_a_sku_without_a_baseline_of_its_own_raises_nothing():
    shipped, returned = weeks_of("NEW", [(50, 25)])
    assert spikes(weekly_rates(shipped, returned), Policy()).empty


def test_rates_with_nothing_shipped_or_returned_yet():
    none = pd.DataFrame(columns=["sku", "at", "units"])
    shipped, returned = weeks_of("MUG", [(10, 1)])
    assert weekly_rates(none, none).empty
    assert list(weekly_rates(none, returned)["shipped"]) == [0]  # returns without orders loaded: no rate
    assert spikes(weekly_rates(none, returned), Policy()).empty
    assert list(weekly_rates(shipped, none)["returned"]) == [0]


def test_the_rate_per_sku_and_reason_divides_by_the_skus_units_shipped_that_week():
    from sellerops.returns.measures import reason_rates

    shipped, _ = weeks_of("MUG", [(40, 0)])
    at = shipped["at"].iloc[0]
    returned = pd.DataFrame([("MUG", at, 2, "TOO_SMALL"), ("MUG", at, 1, "DEFECTIVE"), ("MUG", at, 1, "TOO_SMALL")],
                            columns=["sku", "at", "units", "reason"])
    got = {r["reason"]: (r["returned"], r["shipped"], r["rate"]) for r in reason_rates(shipped, returned).to_dict("records")}
    # 3 of 40 too small (7.5%), 1 of 40 defective (2.5%): each over the SKU's units, not the reason's
    assert got == {"TOO_SMALL": (3, 40, 7.5), "DEFECTIVE": (1, 40, 2.5)}
