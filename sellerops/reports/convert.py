"""From raw strings to typed columns named like the model fields, vectorised.

Runs after the checkpoint has passed, so shapes are right; what can still fail here is a value of
the right shape that is not real (month 13, an integer too large), reported with its place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sellerops.reports.base import BOOL, DATE, DATETIME, INT, MONEY, ReportFormat
from sellerops.core.marketplaces import (MARKETPLACES, Marketplace, marketplace, marketplace_for_currency,
                                            per_distinct, read_datetime, read_money)
from sellerops.reports.read import LINE, RawReport, distinct, mapped, spread
from sellerops.reports.settlement import REPORT_TYPE as SETTLEMENT
from sellerops.reports.validate import Problem

_TRUE = {"true", "yes", "y"}


def file_marketplace(raw: RawReport, fmt: ReportFormat, default: str) -> Marketplace:
    """The marketplace a file is written for: named in its rows where the report says, else by its
    currency, else the configured default."""
    for col in ("marketplace-name", "sales-channel"):
        if col in raw.names:
            counts = raw.frame[col].value_counts()
            named = [v for v in counts.index if str(v).lower() in MARKETPLACES]
            if named:
                return marketplace(named[0])  # value_counts is sorted, most common first
    for col in ("currency", "currency-unit", "currency-code"):
        if col in raw.names:
            cur = raw.frame[col].dropna()
            if len(cur):
                name = marketplace_for_currency(str(cur.iloc[0]))
                if name:
                    return marketplace(name)
    return marketplace(default)


def typed_frame(raw: RawReport, fmt: ReportFormat, m: Marketplace) -> tuple[pd.DataFrame, list[Problem]]:
    """The format's columns converted to their kinds, under their model field names; a settlement's
    lines also carry `raw_digest`, each row's 64-bit hash (`row_digests`) as an unsigned integer."""
    out = pd.DataFrame(index=raw.frame.index)
    problems: list[Problem] = []
    pos = {n: i for i, n in enumerate(raw.names)}
    for c in fmt.columns:
        if c.name not in pos:
            out[c.field] = None
            continue
        s = raw.frame[c.name]
        bad = None
        if c.kind == MONEY:
            out[c.field], bad = read_money(s, m)
        elif c.kind == DATETIME:
            out[c.field], bad = read_datetime(s, m)
        elif c.kind == DATE:  # a categorical of dates: a month of lines has thirty distinct ones
            codes, uniques = distinct(s)
            days, wrong = read_datetime(pd.Series(uniques, dtype=object), m)
            out[c.field] = mapped(codes, [None if pd.isna(x) else x.date() for x in days], s.index)
            bad = pd.Series(spread(codes, wrong.to_numpy(dtype=bool), False).astype(bool), index=s.index)
        elif c.kind == INT:
            out[c.field], bad = read_int(s, m)
        elif c.kind == BOOL:
            codes, uniques = distinct(s)
            out[c.field] = spread(codes, [str(x).strip().lower() in _TRUE for x in uniques])
        else:
            out[c.field] = strip_text(s) if raw.padded else s
        if bad is not None and bool(bad.any()):
            for idx in np.flatnonzero(bad.to_numpy(dtype=bool))[:20]:
                problems.append(Problem(int(raw.frame[LINE].iloc[idx]), pos[c.name] + 1, raw.header[pos[c.name]],
                                        f"{s.iloc[idx]!r} cannot be read as {c.kind} in {m.name} format"))
    out["line_no"] = raw.frame[LINE].to_numpy()
    if fmt.report_type == SETTLEMENT:
        # as the 64-bit integers a block and the reconciliation keep; text only where a row table
        # stores it (`hex_digests`)
        out["raw_digest"] = row_digests(raw.frame[raw.names])
    return out, problems


@per_distinct
def read_int(raw: pd.Series, m: Marketplace) -> tuple[pd.Series, pd.Series]:
    """Whole numbers (nullable Int64); `bad` marks a non-blank value that is not one, or too large."""
    v = pd.to_numeric(raw, errors="coerce")
    bad = raw.notna() & (v.isna() | (v.abs() > 2**62))
    return v.where(~bad).astype("Int64"), bad


def row_digests(frame: pd.DataFrame) -> np.ndarray:
    """A 64-bit hash of every column of each row, a blank hashed as an empty string: identical rows
    share it. Each column's distinct values are hashed once; the same numbers as
    `pd.util.hash_pandas_object(frame.fillna(""), index=False)`."""
    from pandas.core.util.hashing import combine_hash_arrays  # pandas' own row combination (tested)

    empty = pd.util.hash_array(np.array([""], dtype=object), categorize=False)[0]

    def column(s: pd.Series) -> np.ndarray:
        codes, uniques = distinct(s)
        hashed = np.append(pd.util.hash_array(uniques, categorize=False), np.uint64(empty))
        return hashed[codes]

    return combine_hash_arrays((column(frame.iloc[:, i]) for i in range(frame.shape[1])), frame.shape[1])


def strip_text(s: pd.Series) -> pd.Series:
    """Text with surrounding blanks removed, once per distinct value (a settlement month repeats
    the same few thousand SKUs and types over millions of rows), as a categorical; a value left
    empty is blank."""
    codes, uniques = distinct(s)
    stripped = [u.strip() if isinstance(u, str) else u for u in uniques]
    return mapped(codes, [u if u != "" else None for u in stripped], s.index)


def hex_digests(h: np.ndarray) -> list[str]:
    """64-bit hashes as 16 lowercase hex digits each, converted in one pass (not one format() a row)."""
    import binascii

    text = binascii.hexlify(np.ascontiguousarray(h, dtype=">u8").tobytes())
    return np.frombuffer(text, dtype="S16").astype("U16").tolist()
