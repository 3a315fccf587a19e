"""The full recompute in bounded pieces: memory follows a piece, not the history.

Between the run (`sellerops.reconciliation.runs`, which calls `full_findings` when a run must judge
everything) and the rules, which never know the difference. `load_input` would hold every settlement
line and order line of the account at once (gigabytes after a year); here the same findings come
from two kinds of piece, as the Dask partitions do (`sellerops.reconciliation.partition`):

- the settlement-local rules, one settlement at a time from its copy (the files that share a
  settlement id are judged together), as the copies are read in report-file order;
- the order rules, one bucket of order ids at a time (`partition.order_bucket`): an order's order lines
  and its settlement lines in any settlement share its id, so a bucket holds everything an order's
  findings come from. While the settlement copies and the order copies are read (once each), their
  rows are written by bucket to spill files in a temporary folder under the home (removed after the
  run, also on error); buckets are then grouped by their spilled size so a group's frames stay within
  a budget, and each group is read back in the order `load_input` gives its rows.

Every piece keeps the whole settlements table and the (small) returns and reimbursements, so
`build_context` derives the same as-of and earliest settlement per market in every piece as in the
whole run; a piece keeps only the findings about its own subject. Pure pandas on frames read
through `sellerops.reconciliation.input`; no Prefect here.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sellerops.core.config import settings
from sellerops.reconciliation import RULES
from sellerops.reconciliation.frames import coerce, empty_frame
from sellerops.reconciliation.input import (_read_table, _report_files, _with_file, order_parts, settlement_file_lines,
                                           settlements_frame)
from sellerops.reconciliation.model import FindingRecord, ReconcileInput, build_context
from sellerops.reconciliation.partition import ORDER_RULES, SETTLEMENT_RULES, compact, merge, order_bucket
from sellerops.reconciliation.policy import Policy
from sellerops.storage import framecache
from sellerops.storage.framecache import concat

# What one group of order buckets may hold as frames (spilled bytes, about their size in memory);
# the rules' own working frames come on top.
BUDGET_BYTES = int(os.environ.get("SELLEROPS_RECONCILE_BUDGET_MB", "256")) * 2**20
# Spill files per table and run: groups are made of these (a few thousand files at most).
_MIN_BUCKETS, _MAX_BUCKETS = 32, 1024
_WHOLE = ("fba_returns", "seller_returns", "reimbursements")
_POS = "__pos"  # a row's place in the whole input, to put a group's rows back in `load_input`'s order


@dataclass
class Full:
    """What a full recompute found and the settlements it judged them against."""

    findings: list[FindingRecord]
    settlements: pd.DataFrame
    groups: int = 0  # groups of order buckets judged one after the other
    buckets: int = 0  # order buckets (spill files per table)


def fits(conn, account: str, budget: int | None = None) -> bool:
    """Whether the account's copies (settlement lines and order lines) fit the budget together: then
    one piece is the whole input, and `load_input` reads it without spilling it first."""
    files = _report_files(conn, account)
    loaded = [f for f in files.values() if f.account == account and f.status == "loaded"]
    lines = _copies_bytes(_settlement_files(files, account), "settlement_lines")
    # no copy to judge by (the cache folder deleted): the pieces, which write the copies as they read
    return lines is not None and lines + (_copies_bytes(loaded, "orders") or 0) <= (budget or BUDGET_BYTES)


def _copies_bytes(report_files: list, table: str) -> float | None:
    """The bytes of `table`'s copies of `report_files` on disk (a missing copy as large as the
    average one; an order copy only exists for an order report); None when no copy exists."""
    sizes = []
    for f in report_files:
        try:
            sizes.append(framecache.cache_path(table, f).stat().st_size)
        except OSError:
            pass
    if not sizes:
        return None if report_files else 0.0
    return float(sum(sizes)) if table == "orders" else float(np.mean(sizes) * len(report_files))


def full_findings(conn, account: str, as_of: dt.date | None, policy: Policy,
                  budget: int | None = None) -> Full:
    """Every finding over the account's stored data, exactly as `reconcile(load_input(account))`
    finds them, in bounded pieces (see the module)."""
    files = _report_files(conn, account)
    settlements = settlements_frame(conn, account, files)
    home = settings().home
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reconcile-pieces-", dir=home) as folder:
        spill = _Spill(Path(folder), _buckets_for(_settlement_files(files, account), budget or BUDGET_BYTES))
        found = _settlement_pieces(conn, account, files, settlements, spill, as_of, policy)
        for part in order_parts(conn, account, files):
            spill.add("orders", coerce("orders", _with_file(part, files)).rename(columns={"__order": _POS}),
                      "amazon_order_id")
        whole = {name: coerce(name, _with_file(_read_table(conn, name, framecache.TABLES[name].__table__.c.account
                                                           == account), files)) for name in _WHOLE}
        groups = spill.groups(budget or BUDGET_BYTES)
        for group in groups:
            inp = ReconcileInput(settlements=settlements, settlement_lines=spill.read("settlement_lines", group),
                                 orders=spill.read("orders", group), **whole)
            found.append(_judged(inp, ORDER_RULES, as_of, policy,
                                 lambda f, g=set(group): order_bucket(f.order_id, spill.buckets) in g))
    return Full(merge(found), settlements, len(groups), spill.buckets)


def _settlement_files(files: dict, account: str) -> list:
    from sellerops.reports.settlement import REPORT_TYPE

    return sorted((f for f in files.values()
                   if f.account == account and f.status == "loaded" and f.report_type == REPORT_TYPE),
                  key=lambda f: f.id)


def _buckets_for(settlement_files: list, budget: int) -> int:
    """How many spill files: enough that a handful of them fit the budget, judged from the size of
    the settlement copies on disk (their pickles are about their frames' size in memory)."""
    total = _copies_bytes(settlement_files, "settlement_lines") or 0
    wanted = int(np.ceil(4 * 2 * total / max(budget, 1)))  # settlement lines and orders, four spill files per group
    return min(_MAX_BUCKETS, max(_MIN_BUCKETS, 1 << max(0, wanted - 1).bit_length()))


def _judged(inp: ReconcileInput, rules: tuple[str, ...], as_of, policy: Policy, owns) -> list[FindingRecord]:
    ctx = build_context(inp, as_of, policy)
    return [f for name in rules for f in RULES[name](inp, ctx) if owns(f)]


def _settlement_pieces(conn, account: str, files: dict, settlements: pd.DataFrame, spill: "_Spill",
                       as_of, policy: Policy) -> list[list[FindingRecord]]:
    """Read each settlement copy once, in report-file order: its lines go to the spill files, and
    the settlement-local rules judge each settlement when its last file has been read."""
    ids = settlements["settlement_id"].astype(object)
    by_file: dict[int, set] = {}
    for fid, sid in zip(settlements["report_file_id"], ids):
        if pd.notna(fid) and sid is not None:
            by_file.setdefault(int(fid), set()).add(sid)
    ordered = _settlement_files(files, account)
    groups = _groups(ordered, by_file)
    found, pending, judged = [], {}, set()
    for rank, f in enumerate(ordered):
        lines = coerce("settlement_lines", _with_file(settlement_file_lines(conn, account, f), files))
        group = groups[f.id]
        pending.setdefault(group.key, []).append(lines)
        spill.add("settlement_lines", lines.assign(**{_POS: (rank << 32) + np.arange(len(lines), dtype="int64")}),
                  "order_id")
        if f.id == group.last:
            parts = pending.pop(group.key)
            mine = parts[0] if len(parts) == 1 else concat(parts)
            owned = group.settlements | _ids(mine["settlement_id"])
            judged |= owned
            inp = ReconcileInput(settlements=settlements, settlement_lines=mine)
            found.append(_judged(inp, SETTLEMENT_RULES, as_of, policy, lambda x, o=owned: x.settlement_id in o))
    # settlements without a loaded copy (or without an id): judged against no lines, as the whole run does
    found.append(_judged(ReconcileInput(settlements=settlements), SETTLEMENT_RULES, as_of, policy,
                         lambda x: x.settlement_id not in judged))
    return found


@dataclass
class _Group:
    key: int
    last: int  # the report file read last
    settlements: set = field(default_factory=set)


def _groups(ordered: list, by_file: dict[int, set]) -> dict[int, _Group]:
    """The files that share a settlement id, judged together (a settlement is one file unless
    loaded again under another report): union-find over the settlements table."""
    parent = {f.id: f.id for f in ordered}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict = {}
    for f in ordered:
        for sid in by_file.get(f.id, ()):
            if sid in first:
                parent[find(f.id)] = find(first[sid])
            else:
                first[sid] = f.id
    out: dict[int, _Group] = {}
    for f in ordered:
        root = find(f.id)
        g = out.setdefault(root, _Group(root, f.id))
        g.last = f.id
        g.settlements |= by_file.get(f.id, set())
    return {f.id: out[find(f.id)] for f in ordered}


def _ids(values: pd.Series) -> set:
    return set(values.dropna().astype(object).unique()) if len(values) else set()


def bucket_codes(values: pd.Series, buckets: int) -> np.ndarray:
    """`partition.order_bucket` of every value, computed once per distinct value."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    # order_bucket's hash without its blank checks: categories and uniques are never blank (millions a run)
    per = np.array([zlib.crc32(str(u).encode("utf-8")) % buckets for u in uniques] + [order_bucket(None, buckets)],
                   dtype="int64")
    return per[np.where(codes >= 0, codes, len(uniques))]


class _Spill:
    """Rows by order bucket in pickle files (one per table and bucket, frames appended in the order
    they were read), with the bytes each bucket took."""

    def __init__(self, folder: Path, buckets: int):
        self.folder, self.buckets = folder, buckets
        self.size = np.zeros(buckets, dtype="int64")

    def _path(self, table: str, bucket: int) -> Path:
        return self.folder / f"{table}-{bucket}.pickle"

    def add(self, table: str, frame: pd.DataFrame, column: str) -> None:
        if not len(frame):
            return
        where = bucket_codes(frame[column], self.buckets)
        order = np.argsort(where, kind="stable")
        frame, where = frame.take(order), where[order]
        edges = np.flatnonzero(np.r_[True, where[1:] != where[:-1], True])
        for start, end in zip(edges[:-1], edges[1:]):
            bucket = int(where[start])
            with open(self._path(table, bucket), "ab") as out:
                before = out.tell()
                pickle.dump(compact(frame.iloc[start:end]), out, protocol=pickle.HIGHEST_PROTOCOL)
                self.size[bucket] += out.tell() - before

    def groups(self, budget: int) -> list[list[int]]:
        """Consecutive buckets whose spilled rows stay within `budget` together (a bucket alone may
        exceed it); at least one group, so a run over no data still judges the orders' rules."""
        groups, current, held = [], [], 0
        for b in range(self.buckets):
            if current and held + self.size[b] > budget:
                groups.append(current)
                current, held = [], 0
            current.append(b)
            held += int(self.size[b])
        return groups + [current]

    def read(self, table: str, group: list[int]) -> pd.DataFrame:
        """A group's rows of `table` in the whole input's order, the spill files deleted as read."""
        parts = []
        for b in group:
            path = self._path(table, b)
            if not path.exists():
                continue
            with open(path, "rb") as f:
                while True:
                    try:
                        parts.append(pickle.load(f))
                    except EOFError:
                        break
            path.unlink()
        if not parts:
            return empty_frame(table)
        df = concat(parts)
        del parts
        df = df.take(np.argsort(df[_POS].to_numpy(), kind="stable")).drop(columns=_POS)
        return df.reset_index(drop=True)
