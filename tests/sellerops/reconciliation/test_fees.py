"""The fee rule's group reductions (`sellerops.reconciliation.fees._Groups`), without a database."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
