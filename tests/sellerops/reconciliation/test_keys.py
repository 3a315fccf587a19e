"""The rules' integer keys and code helpers (`sellerops.reconciliation.keys`), without a database."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sellerops.reconciliation.keys import codes, group_ids, matches, tuple_keys

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


@pytest.mark.parametrize("key", [
    np.array([5, 5, 3, 3, 3, 9, 5, 5, 3, 1]),  # runs, a key coming back after others
    np.array([2, 1, 2, 1, 2, 1]),              # no run longer than a row
    np.array([7, 7, 7]),
    np.array([], dtype=np.int64),
])
def test_group_ids_number_groups_in_order_of_first_appearance_as_factorize_does(key):
    ids, n = group_ids(key)
    want, uniques = pd.factorize(key)
    assert ids.tolist() == want.tolist() and n == len(uniques)


def test_a_categoricals_codes_are_used_in_their_own_width_and_still_combine():
    # int8 codes (a few values) combined with int16 ones give the keys plain int64 codes give
    few = pd.Series(["a", "b", None, "a"], dtype="category")
    many = pd.Series([f"o{i % 200}" for i in range(4)], dtype=pd.CategoricalDtype([f"o{i}" for i in range(200)]))
    found, _ = codes(few)
    assert found.dtype == np.int8
    (narrow,) = tuple_keys([few, many])
    (wide,) = tuple_keys([few.astype(object), many.astype(object)])
    assert pd.factorize(narrow)[0].tolist() == pd.factorize(wide)[0].tolist() == [0, 1, 2, 3]
