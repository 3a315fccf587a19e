"""The fee rule's group reductions (`sellerops.reconciliation.fees._Groups`), without a database."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sellerops.reconciliation.fees import _Groups
from sellerops.reconciliation.keys import codes


def test_first_valid_is_each_groups_first_non_blank_value_in_row_order():
    # rows of groups 0,1,2 interleaved; group 1's first row is blank so its second value counts;
    # group 2 is all blank: NaN, as pandas' groupby.first gives
    gid = np.array([0, 1, 0, 2, 1, 1, 2])
    market = pd.Series(["US", None, "CA", None, "MX", "US", None], dtype=object)
    got = _Groups(gid).first_valid(codes(market))
    want = market.groupby(gid).first().reindex(range(3))
    assert got[:2].tolist() == ["US", "MX"] and pd.isna(got[2])
    assert got[:2].tolist() == want[:2].tolist() and pd.isna(want[2])


def test_first_valid_of_no_rows_is_empty():
    assert _Groups(np.array([], dtype=np.int64)).first_valid(codes(pd.Series([], dtype=object))).tolist() == []


def test_first_valid_without_blanks_in_grouped_rows_is_each_groups_first_row():
    # the rows already come group by group (an order's settlement lines): no sort, no blank
    gid = np.array([0, 0, 1, 2, 2, 2])
    market = pd.Series(["US", "CA", "MX", "CA", "US", "US"], dtype="category")
    groups = _Groups(gid)
    assert groups.order is None
    assert groups.first_valid(codes(market)).tolist() == ["US", "MX", "CA"]


@pytest.mark.parametrize("gid", [
    np.array([0, 0, 1, 1, 1, 2, 3, 3]),      # grouped: reduced in place
    np.array([0, 1, 0, 2, 1, 3, 2, 0]),      # interleaved: sorted first
])
def test_group_sums_maxima_and_earliest_times_are_pandas_groupby_ones(gid):
    rng = np.random.default_rng(7)
    values = rng.integers(-500, 500, len(gid))
    times = pd.to_datetime(rng.integers(1_700_000_000, 1_800_000_000, len(gid)), unit="s").to_numpy().copy()
    times[2] = np.datetime64("NaT")
    groups = _Groups(gid)
    by = pd.Series(values).groupby(gid)
    assert groups.sum(values).tolist() == by.sum().tolist()
    assert groups.max(values).tolist() == by.max().tolist()
    assert groups.min_time(times).tolist() == pd.Series(times).groupby(gid).min().to_numpy().tolist()
    assert groups.first_rows.tolist() == pd.Series(np.arange(len(gid))).groupby(gid).first().tolist()
