"""COPY's text format as the bulk writer writes it for PostgreSQL (sellerops.storage.bulk): the
one place values become text by hand, so each escape is checked here, and byte for byte through a
real COPY in tests/sellerops/storage/test_bulk.py and tests/sellerops/ingest/test_copy.py."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sellerops.storage.bulk import COPY_NULL, copy_text


@pytest.mark.parametrize("value, text", [
    ("plain", "plain"),
    ("back\\slash", "back\\\\slash"),  # a backslash starts an escape in COPY: doubled
    ("a\tb", "a\\tb"),  # a tab would end the column
    ("a\nb\rc", "a\\nb\\rc"),  # a newline would end the row
    ("\\N", "\\\\N"),  # text that reads like the null marker stays text
    ("", ""),  # an empty string is not NULL
    (None, COPY_NULL),
    (float("nan"), COPY_NULL),  # a blank pandas read as NaN
    (np.int64(-7), "-7"),
    (True, "t"),
    (dt.date(2026, 6, 1), "2026-06-01"),
    (dt.datetime(2026, 6, 1, 2, 30, tzinfo=dt.timezone.utc), "2026-06-01T02:30:00+00:00"),  # zone kept
])
def test_values_as_copy_text(value, text):
    assert copy_text(value) == text


def test_a_nul_is_refused_before_copy_as_psycopg_refuses_a_bound_one():
    import psycopg

    with pytest.raises(psycopg.DataError, match="NUL"):
        copy_text("bad\x00name")
