"""What a report format is: its columns (by header name), their kinds, keys and expectation suite.

Headers are matched by normalised name (lower case, spaces and underscores as hyphens), never by
position or file name: Amazon adds, drops and reorders columns, and the RMA report spells its
names with spaces and capitals. Unknown extra columns are tolerated and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

TEXT, MONEY, DATETIME, DATE, INT, BOOL = "text", "money", "datetime", "date", "int", "bool"


def norm(name: str) -> str:
    """The normalised form of a header name: `Order ID` and `order_id` both read `order-id`."""
    return re.sub(r"[\s_]+", "-", name.strip().strip("\ufeff").strip().lower())


@dataclass(frozen=True)
class Col:
    name: str  # normalised header name
    field: str  # model field it loads into
    kind: str = TEXT
    required: bool = False  # the column must be in the header
    key: bool = False  # a value may not be blank (on transaction rows, for settlements)


@dataclass(frozen=True)
class ReportFormat:
    report_type: str
    title: str
    table: str  # the model class name in sellerops.storage.tables
    columns: tuple[Col, ...]
    signature: frozenset[str]  # distinctive header names used for detection
    natural_key: tuple[str, ...]  # model fields the rows upsert on (empty: insert only)
    # (suite_builder(fmt, marketplace) -> list of GX expectations) lives beside each format
    extra_expectations: Callable | None = field(default=None, compare=False)

    def col(self, name: str) -> Col:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required or c.key]

    @property
    def keys(self) -> list[str]:
        return [c.name for c in self.columns if c.key]
