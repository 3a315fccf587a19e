"""Where Amazon data comes from: the `AmazonSource` interface and its implementations.

`FolderSource` reads reports a seller downloaded into a directory; `SpApiSource` talks to the live
Selling Partner API (imported lazily: python-amazon-sp-api is only loaded when it is used).
"""

from __future__ import annotations

from typing import Any

from sellerops.amazon.source import (
    AmazonSource,
    FetchedReport,
    InboundShipment,
    ReportFailed,
    ReportStatus,
    ReportTimedOut,
    ReportWindow,
    SettlementRef,
    SourceError,
    max_span,
    split_window,
)
from sellerops.amazon.folder import FolderSource

__all__ = [
    "AmazonSource",
    "FetchedReport",
    "FolderSource",
    "InboundShipment",
    "ReportFailed",
    "ReportStatus",
    "ReportTimedOut",
    "ReportWindow",
    "SettlementRef",
    "SourceError",
    "SpApiCredentials",
    "SpApiSource",
    "max_span",
    "split_window",
]


def __getattr__(name: str) -> Any:
    if name in ("SpApiSource", "SpApiCredentials"):
        from sellerops.amazon import spapi

        return getattr(spapi, name)
    raise AttributeError(name)
