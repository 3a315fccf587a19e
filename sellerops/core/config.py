"""Where things live and the settings every command shares, with their defaults in code.

`SELLEROPS_HOME` (default `./.sellerops`) holds the default SQLite database, `inbox/` (the nightly
flow's drop folder) and `quarantine/`. `SELLEROPS_DATABASE_URL` overrides the database with any
SQLAlchemy URL. `SELLEROPS_TIMEZONE` is the seller's time zone (default `DEFAULT_TIMEZONE`), used only
at the edges: the schedules in prefect.yaml run in it (`make up` refuses a mismatch), storage is UTC.
Saved Prefect blocks may override these later; nothing here needs one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The seller's time zone when SELLEROPS_TIMEZONE is unset; prefect.yaml's `seller_timezone` anchor holds
# the same name (tests/test_deployments.py keeps the two equal).
DEFAULT_TIMEZONE = "America/Los_Angeles"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    account: str
    marketplace: str
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        """The seller's time zone, for showing or scheduling in seller time (never for storage)."""
        return ZoneInfo(self.timezone)

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def gx_dir(self) -> Path:
        return self.home / "gx"


def settings() -> Settings:
    """Read the settings from the environment (read each call: tests and flows may change it)."""
    home = Path(os.environ.get("SELLEROPS_HOME") or ".sellerops").expanduser().resolve()
    url = os.environ.get("SELLEROPS_DATABASE_URL") or f"sqlite:///{home / 'sellerops.db'}"
    return Settings(
        home=home,
        database_url=url,
        account=os.environ.get("SELLEROPS_ACCOUNT") or "default",
        marketplace=os.environ.get("SELLEROPS_MARKETPLACE") or "Amazon.com",
        timezone=seller_timezone(),
    )


def seller_timezone() -> str:
    """SELLEROPS_TIMEZONE (an IANA name such as `Europe/Berlin`), else `DEFAULT_TIMEZONE`."""
    name = (os.environ.get("SELLEROPS_TIMEZONE") or DEFAULT_TIMEZONE).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"SELLEROPS_TIMEZONE: expected an IANA time zone name such as {DEFAULT_TIMEZONE}, "
                         f"found {name!r}") from None
    return name


def ensure_home(s: Settings) -> None:
    for p in (s.home, s.inbox, s.quarantine):
        p.mkdir(parents=True, exist_ok=True)
