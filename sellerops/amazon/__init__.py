"""Where Amazon data comes from: the `AmazonSource` interface and its implementations.

The interface is split by what it answers (`ReportSource`, `InboundSource`, `ListingSource`,
`AccountHealthSource`; `AmazonSource` is all four). `FolderSource` reads reports a seller downloaded
into a directory; `SpApiSource` (the `spapi` package: client plumbing, pacing, one module per Amazon
API) talks to the live Selling Partner API, imported lazily so python-amazon-sp-api loads only when
used. `pull` plans what a pull asks for; `cursor` remembers how far it got.
"""

from __future__ import annotations

from typing import Any

from sellerops.amazon.source import (
    AccountHealthSource,
    AmazonSource,
    FetchedReport,
    InboundShipment,
    InboundSource,
    ListingSource,
    ReportFailed,
    ReportSource,
    ReportStatus,
    ReportTimedOut,
    ReportWindow,
    SettlementRef,
    SourceError,
    SourceUnreachable,
    max_span,
    split_window,
)
from sellerops.amazon.folder import FolderSource

__all__ = [
    "AccountHealthSource",
    "AmazonSource",
    "FetchedReport",
    "FolderSource",
    "InboundShipment",
    "InboundSource",
    "ListingSource",
    "ReportFailed",
    "ReportSource",
    "ReportStatus",
    "ReportTimedOut",
    "ReportWindow",
    "SettlementRef",
    "SourceError",
    "SourceUnreachable",
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
