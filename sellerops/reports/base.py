"""What a report format is: its columns (by header name), their kinds, keys and contract.

Headers are matched by normalised name (lower case, spaces and underscores as hyphens), never by
position or file name: Amazon adds, drops and reorders columns, and the RMA report spells its
names with spaces and capitals. Unknown extra columns are tolerated and ignored. A format's
contract (`contract`) is written from its columns: required columns present, keys filled, money,
dates, integers and flags in the marketplace's format, and allowed values only where a value
outside them is certainly an error (Y/N flags, currency codes) — an unknown transaction type,
status or reason is data. Each report module adds its own rules beside it in `expectations`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sellerops.core.marketplaces import CURRENCIES, Marketplace, date_regex, money_regex
from sellerops.core.report_types import norm

TEXT, MONEY, DATETIME, DATE, INT, BOOL = "text", "money", "datetime", "date", "int", "bool"
INT_REGEX = r"^[+-]?\d+$"
BOOL_VALUES = ("true", "false", "True", "False", "TRUE", "FALSE", "Yes", "No", "yes", "no", "Y", "N")
YES_NO = frozenset({"Y", "N"})
CURRENCY_CODES = CURRENCIES

__all__ = ["BOOL", "BOOL_VALUES", "CURRENCY_CODES", "DATE", "DATETIME", "INT", "INT_REGEX", "MONEY", "TEXT",
           "YES_NO", "Col", "ReportFormat", "contract", "norm"]


@dataclass(frozen=True)
class Col:
    name: str  # normalised header name
    field: str  # model field it loads into
    kind: str = TEXT
    required: bool = False  # the column must be in the header
    key: bool = False  # a value may not be blank (on transaction rows, for settlements)
    allowed: frozenset[str] | None = None  # every filled value is one of these

    @property
    def checked(self) -> bool:
        """Whether each of its values is checked (a kind with a written form, or allowed values)."""
        return self.kind in (MONEY, DATETIME, DATE, INT, BOOL) or self.allowed is not None


@dataclass(frozen=True)
class ReportFormat:
    report_type: str
    title: str
    table: str  # the model class name in sellerops.storage.tables
    columns: tuple[Col, ...]
    natural_key: tuple[str, ...]  # model fields the rows upsert on (empty: insert only)

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required or c.key]

    @property
    def keys(self) -> list[str]:
        return [c.name for c in self.columns if c.key]


def contract(fmt: ReportFormat, gxe, m: Marketplace, row_keys: bool = True) -> list:
    """The GX expectations `fmt`'s columns declare for a file of marketplace `m`. `row_keys=False`
    leaves the keys' not-blank checks to the format (the settlement's hold on transaction rows only)."""
    out = []
    for c in fmt.columns:
        if c.required or c.key:
            out.append(gxe.ExpectColumnToExist(column=c.name))
        if c.key and row_keys:
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=c.name))
        if c.kind == MONEY:
            out.append(gxe.ExpectColumnValuesToMatchRegex(column=c.name, regex=money_regex(m)))
        elif c.kind in (DATETIME, DATE):
            out.append(gxe.ExpectColumnValuesToMatchRegex(column=c.name, regex=date_regex(m)))
        elif c.kind == INT:
            out.append(gxe.ExpectColumnValuesToMatchRegex(column=c.name, regex=INT_REGEX))
        elif c.kind == BOOL:
            out.append(gxe.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(BOOL_VALUES)))
        if c.allowed is not None:
            out.append(gxe.ExpectColumnValuesToBeInSet(column=c.name, value_set=sorted(c.allowed)))
    return out
