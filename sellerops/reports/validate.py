"""The Great Expectations checkpoints run on every report before anything is written.

Each report type's suite is its module's `expectations` (beside its parser: required columns, keys
not blank, money, dates, integers, flags and allowed values in the marketplace's format, and rules
of its own, such as the settlement's single summary row), plus row lengths equal to the header's. great_expectations is
imported here, lazily: it takes seconds to import and most commands never validate anything.

The suite runs in two parts, each its own GX checkpoint: the rows part on every row of a narrow
frame (line, field count, keys, summary mark), the values part on a compact frame of each checked
column's distinct values, each with the line where it first occurs. A month of settlements is
millions of rows but few distinct amounts and dates, so each value is checked once, not per row.
Failures come back as `Problem`s naming line and column, for the quarantine reason: a bad value at
the first line it occurs on, with the rows of the file that repeat it counted.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import sys
import threading
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sellerops.core.config import settings
from sellerops.reports import MODULES
from sellerops.core.marketplaces import Marketplace
from sellerops.reports.base import DATE, DATETIME, INT, MONEY, ReportFormat
from sellerops.reports.read import FIELDS, LINE, RawReport, distinct
from sellerops.reports.settlement import REPORT_TYPE as SETTLEMENT, SUMMARY_MARK

_lock = threading.RLock()
_contexts: dict[str, object] = {}
_checkpoints: dict[tuple, object] = {}
DOCS_SITE = "sellerops"


@dataclass(frozen=True)
class Problem:
    line: int | None
    col: int | None  # 1-based field
    column: str | None  # as written in the header
    message: str
    cause: bool = False  # the file's shape is broken (a missing column, a short row): the rest follows from it

    def where(self, path) -> str:
        if self.line is None:
            return f"{path}"
        if self.col is None:
            return f"{path}:{self.line}"
        return f"{path}:{self.line}:{self.col}"

    def render(self, path) -> str:
        name = f"{self.column}: " if self.column else ""
        return f"{self.where(path)}: {name}{self.message}"


def _quiet_gx_env() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


# Imported by great_expectations at its own import for expectations sellerops never runs (the KL
# divergence and KS tests, and their charts): about half of its import time, paid by every night's
# first check. They are put off until first used (`Deferred`), never left out.
DEFERRED_IMPORTS = ("scipy.stats", "altair")
_deferred_lock = threading.RLock()


class Deferred(types.ModuleType):
    """A module imported on its first attribute access, in place of an import at load time."""

    def __init__(self, name: str):
        super().__init__(name)
        self._sellerops_real: types.ModuleType | None = None

    def _real(self) -> types.ModuleType:
        with _deferred_lock:
            real = self._sellerops_real
            if real is None:
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]
                real = self._sellerops_real = importlib.import_module(self.__name__)
                self.__dict__.update(real.__dict__)
            return real

    def __getattr__(self, attr: str):
        # called only for attributes the stub lacks: anything a user of the module reads
        return getattr(self._real(), attr)

    def __dir__(self):
        return dir(self._real())


def _defer_unused_imports() -> None:
    """Put DEFERRED_IMPORTS off when great_expectations is about to be imported for the first time."""
    if "great_expectations" in sys.modules:
        return
    for name in DEFERRED_IMPORTS:
        if name not in sys.modules:
            sys.modules[name] = Deferred(name)


def _gx():
    """great_expectations, imported once (its analytics off, its unused heavy imports put off, the
    cyclic collector paused meanwhile)."""
    with _lock:
        _quiet_gx_env()
        _defer_unused_imports()
        with _collector_paused("great_expectations" not in sys.modules):
            import great_expectations as gx

        return gx


@contextlib.contextmanager
def _collector_paused(pause: bool):
    """Python's cyclic garbage collector off for the block, and what the block made then kept out
    of its later passes (`gc.freeze`). Importing great_expectations makes some 200,000 objects
    that live as long as the process, and the collector's full passes over them, while it imports,
    took a fifth of the import."""
    if not pause:
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def _expectations():
    """great_expectations.expectations, imported through `_gx`."""
    _gx()
    import great_expectations.expectations as gxe

    return gxe


def docs_dir() -> Path:
    """Where the Data Docs of this SELLEROPS_HOME are written (one site; each run adds its pages)."""
    return settings().gx_dir / "data_docs"


def docs_url() -> str:
    """Where a browser opens the Data Docs: over HTTP where `make up` serves them (SELLEROPS_DOCS_URL),
    else the file itself."""
    served = os.environ.get("SELLEROPS_DOCS_URL")
    return f"{served.rstrip('/')}/index.html" if served else (docs_dir() / "index.html").as_uri()


def context(docs: Path | None = None):
    """One ephemeral GX context per Data Docs folder, its progress bars and analytics off."""
    docs = docs or docs_dir()
    with _lock:
        ctx = _contexts.get(str(docs))
        if ctx is None:
            import logging

            logging.getLogger("great_expectations").setLevel(logging.WARNING)
            gx = _gx()
            from great_expectations.data_context.types.base import ProgressBarsConfig

            for name in list(logging.root.manager.loggerDict):  # GX sets some of its loggers to INFO
                if name.startswith("great_expectations"):
                    logging.getLogger(name).setLevel(logging.WARNING)
            ctx = gx.get_context(mode="ephemeral")
            ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
            ctx.data_sources.add_pandas("sellerops")
            ctx.add_data_docs_site(site_name=DOCS_SITE, site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            })
            _contexts[str(docs)] = ctx
        return ctx


# Expectations that hold value by value: run once per distinct value, on the values frame.
_PER_VALUE = ("expect_column_values_to_match_regex", "expect_column_values_to_be_in_set")


def _split_suite(fmt: ReportFormat, m: Marketplace) -> tuple[list, list]:
    """The report type's own suite (beside its parser) split into its rows part and values part."""
    gxe = _expectations()

    checked = set(_value_columns(fmt))
    rows, values = [], []
    for e in MODULES[fmt.report_type].expectations(gxe, m):
        per_value = e.expectation_type == "expect_column_to_exist" or (
            e.expectation_type in _PER_VALUE and getattr(e, "column", None) in checked)
        (values if per_value else rows).append(e)
    return rows, values


def rows_expectations(fmt: ReportFormat, m: Marketplace, width: int) -> list:
    """The row-level part of `fmt`'s suite, run on the rows frame (every row, few columns): row
    lengths equal to the header's, keys not blank, and the format's other per-row rules."""
    gxe = _expectations()

    width_check = gxe.ExpectColumnValuesToBeBetween(column=FIELDS, min_value=width, max_value=width)
    return [width_check] + _split_suite(fmt, m)[0]


def values_expectations(fmt: ReportFormat, m: Marketplace) -> list:
    """The per-value part of `fmt`'s suite, run on the values frame (each column's distinct values):
    required columns in the header; money, dates, integers, flags and allowed values."""
    return _split_suite(fmt, m)[1]


def line_column(col: str) -> str:
    """The values frame's column holding the file line where each value of `col` first occurs."""
    return f"{LINE}:{col}"


def _value_columns(fmt: ReportFormat) -> list[str]:
    """The columns whose every value is checked (money, dates, integers, flags)."""
    return [c.name for c in fmt.columns if c.checked]


def _checkpoint(fmt: ReportFormat, m: Marketplace, width: int):
    """The report type's two checkpoints (rows, values), built once per format, marketplace
    number/date format, header width and Data Docs folder."""
    docs = docs_dir()
    key = (fmt.report_type, m.decimal, m.date_order, width, str(docs))
    with _lock:
        cps = _checkpoints.get(key)
        if cps is not None:
            return cps
        gx = _gx()
        ctx = context(docs)
        base = "-".join(str(k) for k in key[:4]).replace(".", "dot").replace(",", "comma")
        cps = []
        for part, exps, index_cols in (
            ("rows", rows_expectations(fmt, m, width), [LINE]),
            ("values", values_expectations(fmt, m), [line_column(c) for c in _value_columns(fmt)]),
        ):
            name = f"{base}-{part}"
            asset = ctx.data_sources.get("sellerops").add_dataframe_asset(name)
            batch = asset.add_batch_definition_whole_dataframe("whole-file")
            # the expectations given with the suite: added one by one, each would be saved to the
            # context's store again (a settlement's 30-odd: a fifth of a second)
            suite = ctx.suites.add(gx.ExpectationSuite(name=name, expectations=exps))
            vd = ctx.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=name))
            cps.append(ctx.checkpoints.add(gx.Checkpoint(
                name=name, validation_definitions=[vd],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20,
                               "unexpected_index_column_names": index_cols},
            )))
        _checkpoints[key] = cps = tuple(cps)
        return cps


def build_docs() -> str | None:
    """Write this process's validation results into the Data Docs site; its address, or None when
    nothing was validated here (great_expectations is then not even imported)."""
    with _lock:
        ctx = _contexts.get(str(docs_dir()))
        if ctx is None:
            return None
        ctx.build_data_docs(site_names=[DOCS_SITE])
        return docs_url()


def _summary_mark(raw: RawReport) -> pd.Series:
    """1 on the settlement summary row(s) (total-amount filled), else 0."""
    if "total-amount" in set(raw.names):
        return raw.frame["total-amount"].notna().astype(np.int8)
    return pd.Series(0, index=raw.frame.index, dtype=np.int8)


def rows_frame(raw: RawReport, fmt: ReportFormat, m: Marketplace) -> pd.DataFrame:
    """Every row of the file, but only the columns the rows suite reads: the line number, the field
    count, the columns its expectations name (keys, settlement id) and, for settlements, the summary
    mark. A required column missing from the file is left out (its existence check reports it).
    Text columns are the report's own categoricals, which GX filters and copies per check far
    faster than a million Python strings."""
    have = set(raw.names)
    wanted = [LINE, FIELDS] + ([SUMMARY_MARK] if fmt.report_type == SETTLEMENT else [])
    wanted += [getattr(e, "column", None) for e in rows_expectations(fmt, m, len(raw.header))]
    cols: dict[str, pd.Series] = {}
    for name in dict.fromkeys(w for w in wanted if w):
        if name == SUMMARY_MARK and fmt.report_type == SETTLEMENT:
            cols[name] = _summary_mark(raw)
        elif name in (LINE, FIELDS) or name in have:
            cols[name] = raw.frame[name]
    return pd.DataFrame(cols)


def _first_occurrences(codes: np.ndarray) -> np.ndarray:
    """Where each code first occurs, given codes numbered in order of first appearance (-1 blank)."""
    if len(codes) == 0:
        return np.empty(0, dtype=np.int64)
    # a value first occurs exactly where the running maximum of the codes steps up
    top = np.maximum.accumulate(codes)
    return np.flatnonzero(np.diff(top, prepend=-1) > 0)


def values_frame(raw: RawReport, fmt: ReportFormat) -> pd.DataFrame:
    """One column per value-checked column holding its distinct non-null values (order of first
    appearance; padded with None, which the checks skip), each beside a `__line__:<column>` column
    with the file line where that value first occurs. An optional column absent from the file reads
    as all blank; a required one is left out (its existence check reports it). Required columns with
    no per-value check are carried empty, for their existence checks."""
    have = set(raw.names)
    lines = raw.frame[LINE].to_numpy()
    found: dict[str, tuple[object, object]] = {}
    for name in _value_columns(fmt):
        if name in have:
            codes, uniques = distinct(raw.frame[name])
            found[name] = (uniques, _first_occurrences(codes))
    length = max((len(v) for v, _ in found.values()), default=0)

    def padded(values=(), first=np.empty(0, dtype=np.int64)):
        col = np.full(length, None, dtype=object)
        col[: len(values)] = values
        at = np.zeros(length, dtype=np.int64)
        at[: len(first)] = lines[first]
        absent = np.arange(length) >= len(first)
        return pd.Series(col, dtype=object), pd.Series(pd.arrays.IntegerArray(at, absent))

    cols: dict[str, pd.Series] = {}
    checked = set(_value_columns(fmt))
    for c in fmt.columns:
        if c.name in found:
            cols[c.name], cols[line_column(c.name)] = padded(*found[c.name])
        elif c.name in checked:
            values, at = padded()
            if not (c.required or c.key):  # an absent optional column reads as all blank
                cols[c.name] = values
            cols[line_column(c.name)] = at  # there even when its column is not, for the result format
        elif (c.required or c.key) and c.name in have:
            cols[c.name] = padded()[0]
    return pd.DataFrame(cols, index=pd.RangeIndex(length))


def checkpoint_for(raw: RawReport, fmt: ReportFormat, m: Marketplace) -> tuple:
    """The two checkpoints (rows, values) that check `raw`: built on first use in this process, then
    reused for every file of the same type, number and date format and header width."""
    return _checkpoint(fmt, m, len(raw.header))


def run_checkpoint(raw: RawReport, fmt: ReportFormat, m: Marketplace) -> list[Problem]:
    """Run the report type's checkpoints on `raw`; the problems they found, causes first, then in file order."""
    missing = [c.name for c in fmt.columns if (c.required or c.key) and c.name not in set(raw.names)]
    rows_cp, values_cp = checkpoint_for(raw, fmt, m)
    rows = rows_frame(raw, fmt, m)
    values = values_frame(raw, fmt)
    with _lock:
        results = [(rows_cp.run(batch_parameters={"dataframe": rows}), None),
                   (values_cp.run(batch_parameters={"dataframe": values}), values)]
    problems: list[Problem] = []
    for result, compact in results:
        for vr in result.run_results.values():
            for r in vr.results:
                if not r.success:
                    problems += _problems(r, raw, fmt, m, missing, compact)
    # the cause first (a truncated file also shows a wrong settlement id count), then file order
    problems.sort(key=lambda p: (not p.cause, p.line or 0, p.col or 0))
    return problems


def _nth_line(raw: RawReport, where: np.ndarray, n: int) -> int | None:
    """The file line of the `n`-th (0-based) row marked in `where`, or None when there are fewer."""
    rows = np.flatnonzero(where)
    return int(raw.frame[LINE].iloc[rows[n]]) if len(rows) > n else None


def _unexpected(cfg, values: pd.Series) -> list:
    """The values of `values` (non-null) that fail the per-value expectation `cfg`, tested as GX's
    pandas engine tests them; used to count the rows behind more failing values than GX lists."""
    v = values.dropna()
    if cfg.type == "expect_column_values_to_match_regex":
        return v[~v.astype(str).str.contains(cfg.kwargs["regex"])].tolist()
    if cfg.type == "expect_column_values_to_be_in_set":
        return v[~v.isin(cfg.kwargs["value_set"])].tolist()
    return []  # not a check values_expectations makes; the listed values alone are counted


def _problems(r, raw: RawReport, fmt: ReportFormat, m: Marketplace, missing: list[str],
              compact: pd.DataFrame | None = None) -> list[Problem]:
    """The problems one failed expectation stands for. `compact` is the values frame when `r` comes
    from the values checkpoint: its rows are distinct values, each mapped back to its first line."""
    cfg = r.expectation_config
    kind, col = cfg.type, cfg.kwargs.get("column")
    width = len(raw.header)
    pos = {n: i for i, n in enumerate(raw.names)}
    orig = raw.header[pos[col]] if col in pos else col
    colno = pos[col] + 1 if col in pos else None
    if kind == "expect_column_to_exist":
        return [Problem(1, None, None, f"missing required column '{col}' (the header has {width} columns)",
                        cause=True)]
    if col in missing:
        return []  # reported once by its existence check
    if r.exception_info and r.exception_info.get("raised_exception"):
        return [Problem(None, None, orig, f"check {kind} failed: {r.exception_info.get('exception_message')}")]
    res = r.result or {}
    rows = res.get("partial_unexpected_index_list") or []
    unexpected = int(res.get("unexpected_count") or 0)
    if compact is not None and rows:
        # GX counted distinct values; the user is told about rows of the file
        listed = [row.get(col) for row in rows]
        bad = listed if unexpected <= len(listed) else listed + _unexpected(cfg, compact[col])
        unexpected = int(raw.frame[col].isin(bad).sum())
    more = max(0, unexpected - len(rows))
    line_of = LINE if compact is None else line_column(col)
    out: list[Problem] = []
    if col == FIELDS:
        last_line = int(raw.frame[LINE].iloc[-1]) if len(raw.frame) else None
        for row in rows:
            line, n = int(row[LINE]), int(row[FIELDS])
            if n < width and line == last_line:
                out.append(Problem(line, n + 1, raw.header[n], f"truncated: the last row has {n} of {width} fields",
                                   cause=True))
            elif n < width:
                out.append(Problem(line, n + 1, raw.header[n], f"row has {n} fields, the header has {width}",
                                   cause=True))
            else:
                out.append(Problem(line, width + 1, None, f"row has {n} fields, the header has {width}", cause=True))
    elif col == SUMMARY_MARK or (kind == "expect_table_row_count_to_equal" and fmt.report_type == SETTLEMENT):
        n = res.get("observed_value")
        tc = pos.get("total-amount")
        msg = ("no settlement summary row (the row with total-amount filled)" if not n
               else f"{n} settlement summary rows (total-amount filled); exactly one expected")
        line = 2 if not n else _nth_line(raw, _summary_mark(raw).to_numpy(dtype=bool), 1)
        out.append(Problem(line, tc + 1 if tc is not None else None, raw.header[tc] if tc is not None else None, msg))
    elif kind == "expect_column_unique_value_count_to_be_between":
        values = raw.frame[col]
        first = values.dropna().iloc[0]
        other = (values.notna() & (values != first)).to_numpy(dtype=bool)
        at = _nth_line(raw, other, 0)
        found = raw.frame[col].to_numpy(dtype=object)[other][0] if other.any() else None
        out.append(Problem(at, colno, orig, f"{found!r} after {first!r}: {res.get('observed_value')} different "
                                            "values; one expected per file"))
    else:
        c = fmt.col(col) if any(x.name == col for x in fmt.columns) else None
        for row in rows:
            line, value = int(row[line_of]), row.get(col)
            if kind == "expect_column_values_to_not_be_null":
                where = " on a transaction row" if fmt.report_type == SETTLEMENT and col != "settlement-id" else ""
                msg = f"is blank{where}; a value is required"
            elif c is not None and c.kind == MONEY:
                msg = f"{value!r} is not money in {m.name} format (e.g. {m.money_example})"
            elif c is not None and c.kind in (DATE, DATETIME):
                msg = f"{value!r} is not a date in {m.name} format (ISO 8601, or {m.date_order} order)"
            elif c is not None and c.kind == INT:
                msg = f"{value!r} is not a whole number"
            elif c is not None and c.allowed is not None:
                msg = f"{value!r} is not one of {', '.join(sorted(c.allowed))}"
            else:
                msg = f"{value!r} is not one of the allowed values"
            out.append(Problem(line, colno, orig, msg))
    if more and out:
        out.append(Problem(None, colno, orig, f"… and {more} more rows like these"))
    return out
