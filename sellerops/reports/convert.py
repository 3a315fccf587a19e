"""From raw strings to typed columns named like the model fields, vectorised.

Runs after the checkpoint has passed, so shapes are right; what can still fail here is a value of
the right shape that is not real (month 13, an integer too large), reported with its place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sellerops.reports.base import BOOL, DATE, DATETIME, INT, MONEY, ReportFormat
from sellerops.reports.marketplaces import (MARKETPLACES, Marketplace, marketplace, marketplace_for_currency,
                                            read_datetime, read_money)
from sellerops.reports.read import LINE, RawReport
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
    """The format's columns converted to their kinds, under their model field names."""
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
        elif c.kind in (DATETIME, DATE):
            v, bad = read_datetime(s, m)
            out[c.field] = v.dt.date.where(v.notna(), None) if c.kind == DATE else v
        elif c.kind == INT:
            v = pd.to_numeric(s, errors="coerce")
            bad = s.notna() & (v.isna() | (v.abs() > 2**62))
            out[c.field] = v.where(~bad).astype("Int64")
        elif c.kind == BOOL:
            out[c.field] = s.map(lambda x: None if x is None else str(x).strip().lower() in _TRUE)
        else:
            out[c.field] = strip_text(s) if raw.padded else s
        if bad is not None and bool(bad.any()):
            for idx in np.flatnonzero(bad.to_numpy(dtype=bool))[:20]:
                problems.append(Problem(int(raw.frame[LINE].iloc[idx]), pos[c.name] + 1, raw.header[pos[c.name]],
                                        f"{s.iloc[idx]!r} cannot be read as {c.kind} in {m.name} format"))
    out["line_no"] = raw.frame[LINE].to_numpy()
    if fmt.report_type == SETTLEMENT:
        # A hash of every raw column of the line (its number excluded): identical copies share it.
        cols = [n for n in raw.names]
        h = pd.util.hash_pandas_object(raw.frame[cols].fillna(""), index=False).to_numpy()
        out["raw_digest"] = hex_digests(h)
    return out, problems


def strip_text(s: pd.Series) -> pd.Series:
    """Text with surrounding blanks removed, once per distinct value (a settlement month repeats
    the same few thousand SKUs and types over millions of rows); blanks stay None."""
    codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
    stripped = np.array([None] + [u.strip() if isinstance(u, str) else u for u in uniques], dtype=object)
    return pd.Series(stripped[codes + 1], index=s.index, dtype=object)


def hex_digests(h: np.ndarray) -> list[str]:
    """64-bit hashes as 16 lowercase hex digits each, converted in one pass (not one format() a row)."""
    import binascii

    text = binascii.hexlify(np.ascontiguousarray(h, dtype=">u8").tobytes())
    return np.frombuffer(text, dtype="S16").astype("U16").tolist()
