"""The Great Expectations checkpoint run on every report before anything is written.

Each report type's suite is built from its format (required columns, keys not blank, money, dates,
integers and flags in the marketplace's format, row lengths equal to the header's) plus the rules
in the format's own module (the settlement's single summary row, for one). great_expectations is
imported here, lazily: it takes seconds to import and most commands never validate anything.
Failures come back as `Problem`s naming line and column, for the quarantine reason.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sellerops.config import settings
from sellerops.reports import MODULES
from sellerops.reports.base import BOOL, DATE, DATETIME, INT, MONEY, ReportFormat
from sellerops.reports.marketplaces import Marketplace, date_regex, money_regex
from sellerops.reports.read import FIELDS, LINE, RawReport
from sellerops.reports.settlement import REPORT_TYPE as SETTLEMENT, SUMMARY_MARK

INT_REGEX = r"^[+-]?\d+$"
BOOL_VALUES = ["true", "false", "True", "False", "TRUE", "FALSE", "Yes", "No", "yes", "no", "Y", "N"]
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


def docs_dir() -> Path:
    """Where the Data Docs of this SELLEROPS_HOME are written (one site; each run adds its pages)."""
    return settings().gx_dir / "data_docs"


def docs_url() -> str:
    return (docs_dir() / "index.html").as_uri()


def context(docs: Path | None = None):
    """One ephemeral GX context per Data Docs folder, its progress bars and analytics off."""
    docs = docs or docs_dir()
    with _lock:
        ctx = _contexts.get(str(docs))
        if ctx is None:
            _quiet_gx_env()
            import logging

            logging.getLogger("great_expectations").setLevel(logging.WARNING)
            import great_expectations as gx
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


def suite_expectations(fmt: ReportFormat, m: Marketplace, width: int) -> list:
    """Every expectation of `fmt`'s suite for a file of `width` columns in marketplace `m`."""
    import great_expectations.expectations as gxe

    per_row_keys = fmt.report_type != SETTLEMENT  # settlement keys hold on transaction rows only
    out = [gxe.ExpectColumnValuesToBeBetween(column=FIELDS, min_value=width, max_value=width)]
    for c in fmt.columns:
        if c.required or c.key:
            out.append(gxe.ExpectColumnToExist(column=c.name))
        if c.key and per_row_keys:
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=c.name))
        if c.kind == MONEY:
            out.append(gxe.ExpectColumnValuesToMatchRegex(column=c.name, regex=money_regex(m)))
        elif c.kind in (DATETIME, DATE):
            out.append(gxe.ExpectColumnValuesToMatchRegex(column=c.name, regex=date_regex(m)))
        elif c.kind == INT:
            out.append(gxe.ExpectColumnValuesToMatchRegex(column=c.name, regex=INT_REGEX))
        elif c.kind == BOOL:
            out.append(gxe.ExpectColumnValuesToBeInSet(column=c.name, value_set=BOOL_VALUES))
    out += MODULES[fmt.report_type].expectations(gxe, m)
    return out


def _checkpoint(fmt: ReportFormat, m: Marketplace, width: int):
    docs = docs_dir()
    key = (fmt.report_type, m.decimal, m.date_order, width, str(docs))
    with _lock:
        cp = _checkpoints.get(key)
        if cp is not None:
            return cp
        import great_expectations as gx

        ctx = context(docs)
        name = "-".join(str(k) for k in key[:4]).replace(".", "dot").replace(",", "comma")
        asset = ctx.data_sources.get("sellerops").add_dataframe_asset(name)
        batch = asset.add_batch_definition_whole_dataframe("whole-file")
        suite = ctx.suites.add(gx.ExpectationSuite(name=name))
        for e in suite_expectations(fmt, m, width):
            suite.add_expectation(e)
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=name))
        cp = ctx.checkpoints.add(gx.Checkpoint(
            name=name, validation_definitions=[vd],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20,
                           "unexpected_index_column_names": [LINE]},
        ))
        _checkpoints[key] = cp
        return cp


def build_docs() -> str | None:
    """Write this process's validation results into the Data Docs site; its address, or None when
    nothing was validated here (great_expectations is then not even imported)."""
    with _lock:
        ctx = _contexts.get(str(docs_dir()))
        if ctx is None:
            return None
        ctx.build_data_docs(site_names=[DOCS_SITE])
        return docs_url()


def validation_frame(raw: RawReport, fmt: ReportFormat) -> pd.DataFrame:
    """The columns the suite reads: the format's columns present in the file (an absent optional
    column reads as all blank), the line number, the field count and, for settlements, the summary mark."""
    have = set(raw.names)
    cols = {}
    for c in fmt.columns:
        if c.name in have:
            cols[c.name] = raw.frame[c.name]
        elif not (c.required or c.key):
            cols[c.name] = pd.Series([None] * len(raw.frame), dtype=object)
    df = pd.DataFrame(cols)
    df[LINE] = raw.frame[LINE].to_numpy()
    df[FIELDS] = raw.frame[FIELDS].to_numpy()
    if fmt.report_type == SETTLEMENT and "total-amount" in have:
        df[SUMMARY_MARK] = raw.frame["total-amount"].notna().astype(int).to_numpy()
    elif fmt.report_type == SETTLEMENT:
        df[SUMMARY_MARK] = 0
    return df


def run_checkpoint(raw: RawReport, fmt: ReportFormat, m: Marketplace) -> list[Problem]:
    """Run the report type's checkpoint on `raw`; the problems it found, in file order."""
    missing = [c.name for c in fmt.columns if (c.required or c.key) and c.name not in set(raw.names)]
    cp = _checkpoint(fmt, m, len(raw.header))
    df = validation_frame(raw, fmt)
    with _lock:
        result = cp.run(batch_parameters={"dataframe": df})
    problems: list[Problem] = []
    for vr in result.run_results.values():
        for r in vr.results:
            if not r.success:
                problems += _problems(r, raw, fmt, m, missing)
    problems.sort(key=lambda p: (p.line or 0, p.col or 0))
    return problems


def _problems(r, raw: RawReport, fmt: ReportFormat, m: Marketplace, missing: list[str]) -> list[Problem]:
    cfg = r.expectation_config
    kind, col = cfg.type, cfg.kwargs.get("column")
    width = len(raw.header)
    pos = {n: i for i, n in enumerate(raw.names)}
    orig = raw.header[pos[col]] if col in pos else col
    colno = pos[col] + 1 if col in pos else None
    if kind == "expect_column_to_exist":
        return [Problem(1, None, None, f"missing required column '{col}' (the header has {width} columns)")]
    if col in missing:
        return []  # reported once by its existence check
    if r.exception_info and r.exception_info.get("raised_exception"):
        return [Problem(None, None, orig, f"check {kind} failed: {r.exception_info.get('exception_message')}")]
    res = r.result or {}
    rows = res.get("partial_unexpected_index_list") or []
    more = max(0, int(res.get("unexpected_count") or 0) - len(rows))
    out: list[Problem] = []
    if col == FIELDS:
        last_line = int(raw.frame[LINE].iloc[-1]) if len(raw.frame) else None
        for row in rows:
            line, n = int(row[LINE]), int(row[FIELDS])
            if n < width and line == last_line:
                out.append(Problem(line, n + 1, raw.header[n], f"truncated: the last row has {n} of {width} fields"))
            elif n < width:
                out.append(Problem(line, n + 1, raw.header[n], f"row has {n} fields, the header has {width}"))
            else:
                out.append(Problem(line, width + 1, None, f"row has {n} fields, the header has {width}"))
    elif col == SUMMARY_MARK:
        n = res.get("observed_value")
        tc = pos.get("total-amount")
        msg = ("no settlement summary row (the row with total-amount filled)" if not n
               else f"{n} settlement summary rows (total-amount filled); exactly one expected")
        out.append(Problem(2 if not n else None, tc + 1 if tc is not None else None,
                           raw.header[tc] if tc is not None else None, msg))
    elif kind == "expect_column_unique_value_count_to_be_between":
        out.append(Problem(None, colno, orig, f"{res.get('observed_value')} different values; one expected per file"))
    else:
        c = fmt.col(col) if any(x.name == col for x in fmt.columns) else None
        for row in rows:
            line, value = int(row[LINE]), row.get(col)
            if kind == "expect_column_values_to_not_be_null":
                where = " on a transaction row" if fmt.report_type == SETTLEMENT and col != "settlement-id" else ""
                msg = f"is blank{where}; a value is required"
            elif c is not None and c.kind == MONEY:
                msg = f"{value!r} is not money in {m.name} format (e.g. {m.money_example})"
            elif c is not None and c.kind in (DATE, DATETIME):
                msg = f"{value!r} is not a date in {m.name} format (ISO 8601, or {m.date_order} order)"
            elif c is not None and c.kind == INT:
                msg = f"{value!r} is not a whole number"
            else:
                msg = f"{value!r} is not one of the allowed values"
            out.append(Problem(line, colno, orig, msg))
    if more and out:
        out.append(Problem(None, colno, orig, f"… and {more} more rows like these"))
    return out
