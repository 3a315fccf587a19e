"""Integer keys for the rules: a tuple of string columns (account, order-id, sku, …) turned into
one int64 per row, so grouping and joining millions of settlement lines hashes integers once
instead of tuples of Python strings in every rule.

Codes work the same on plain object columns (the database loader) and on categoricals (the demo
reader): a categorical's codes are reused, anything else is factorized once. NA is a code of its
own (-1) and so matches NA, as a pandas merge or a `groupby(dropna=False)` would.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_LIMIT = 2**62


Codes = tuple[np.ndarray, pd.Index]


def codes(values: pd.Series | Codes) -> Codes:
    """Integer codes (NA = -1) and the distinct values they stand for (codes already made pass
    through, so a column factorized once can be reused). A categorical's own codes are used as they
    are, in their own width (int8 for a column of a few values): no copy of millions of rows."""
    if isinstance(values, tuple):
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), pd.Index(values.cat.categories, dtype=object)
    found, uniques = pd.factorize(values, use_na_sentinel=True)
    return found.astype(np.int64, copy=False), pd.Index(uniques, dtype=object)


def shared_codes(*columns: pd.Series | Codes) -> tuple[list[np.ndarray], int]:
    """Codes of several columns holding the same kind of value, in one space: equal values get
    equal codes whichever column they are in. Returns the codes and the size of the space."""
    parts = [codes(c) for c in columns]
    if len(parts) == 1:
        return [parts[0][0]], len(parts[0][1])
    everything = np.concatenate([u.to_numpy(dtype=object) for _, u in parts])
    glob, uniques = pd.factorize(everything)
    out, start = [], 0
    for found, u in parts:
        mapping = glob[start:start + len(u)].astype(np.int64)
        start += len(u)
        out.append(np.append(mapping, -1)[found])  # NA (-1) picks the appended -1: one gather per row
    return out, len(uniques)


def combine(parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """One int64 per row from several code columns, each (codes in -1..n-1, n). Equal tuples
    give equal keys; the key is only meaningful next to keys combined the same way."""
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    size = 1
    for found, n in parts:
        if size * (n + 1) >= _LIMIT:  # never at seller scale; keeps the arithmetic exact anyway
            key, uniques = pd.factorize(key)
            key, size = key.astype(np.int64), len(uniques)
        # in place: millions of rows, no temporary array per step
        key *= n + 1
        key += found
        key += 1
        size *= n + 1
    return key


def tuple_keys(*tuples: list[pd.Series | Codes]) -> list[np.ndarray]:
    """Keys of the same tuple of columns in several frames, comparable across them: e.g.
    [lines.account, lines.order_id, lines.sku] and [orders.account, orders.amazon_order_id,
    orders.sku] give equal keys to equal (account, order-id, sku)."""
    per_column = [shared_codes(*columns) for columns in zip(*tuples)]
    return [combine([(found[j], n) for found, n in per_column]) for j in range(len(tuples))]


def group_ids(key: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense group numbers 0..n-1 in order of first appearance (as `groupby(sort=False)`). A
    group's rows mostly come one after the other (an order's settlement lines), so only the first
    row of each run of equal keys is hashed."""
    if not len(key):
        return np.zeros(0, dtype=np.int64), 0
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ids, uniques = pd.factorize(key[starts])
    return np.repeat(ids.astype(np.int64, copy=False), np.diff(np.r_[starts, len(key)])), len(uniques)


def take(made: Codes, at: np.ndarray) -> Codes:
    """The codes of some rows only (same distinct values)."""
    return made[0][at], made[1]


def equals(values: pd.Series | Codes, value: str) -> np.ndarray:
    """`values == value` as a plain bool array, NA false; cheap on a categorical or codes."""
    if isinstance(values, tuple):
        where = values[1].get_indexer([value])[0]
        return values[0] == where if where >= 0 else np.zeros(len(values[0]), dtype=bool)
    if isinstance(values.dtype, pd.CategoricalDtype):
        where = values.cat.categories.get_indexer([value])[0]
        return values.cat.codes.to_numpy() == where if where >= 0 else np.zeros(len(values), dtype=bool)
    return np.array(values.eq(value).to_numpy(dtype=bool, na_value=False))


def matches(values: pd.Series | Codes, predicate) -> np.ndarray:
    """`predicate` (a function of a Series of text, giving bools) applied to each distinct value
    once, spread back to the rows as a plain bool array, NA false: string methods over a
    categorical's few values instead of a Python string per row."""
    found, uniques = codes(values)
    hits = predicate(pd.Series(uniques.to_numpy(dtype=object), dtype=object)).to_numpy(dtype=bool, na_value=False)
    out = np.zeros(len(found), dtype=bool)
    known = found >= 0
    out[known] = hits[found[known]]
    return out


def among(values: pd.Series | Codes, wanted: tuple[str, ...] | list[str]) -> np.ndarray:
    """`values.isin(wanted)` as a plain bool array; cheap on a categorical or codes."""
    if isinstance(values, tuple):
        return np.isin(values[0], np.flatnonzero(values[1].isin(list(wanted))))
    if isinstance(values.dtype, pd.CategoricalDtype):
        hits = np.flatnonzero(values.cat.categories.isin(list(wanted)))
        return np.isin(values.cat.codes.to_numpy(), hits)
    return np.array(values.isin(list(wanted)).to_numpy(dtype=bool, na_value=False))
