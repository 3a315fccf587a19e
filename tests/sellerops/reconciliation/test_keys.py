"""The rules' integer keys and code helpers (`sellerops.reconciliation.keys`), without a database."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sellerops.reconciliation.keys import codes, matches

CHANNELS = [" Non-Amazon ", "Amazon.com", None, "NON-AMAZON", "Amazon.com", "non-amazon"]


def _non_amazon(s: pd.Series) -> pd.Series:
    return s.fillna("").str.strip().str.casefold().eq("non-amazon")


@pytest.mark.parametrize("values", [
    pd.Series(CHANNELS, dtype=object),       # the database loader's text
    pd.Series(CHANNELS, dtype="category"),   # a reader's categorical
    codes(pd.Series(CHANNELS, dtype=object)),  # codes made once, reused
])
def test_a_text_test_judged_per_distinct_value_is_the_per_row_answer(values):
    # the spaces and case are the seller's; a blank channel (None) is not non-Amazon
    assert matches(values, _non_amazon).tolist() == [True, False, False, True, False, True]


def test_a_column_of_blanks_matches_nothing():
    assert matches(pd.Series([None, np.nan], dtype=object), _non_amazon).tolist() == [False, False]
