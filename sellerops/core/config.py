"""Where things live and the settings every command shares, with their defaults in code.

`SELLEROPS_HOME` (default `./.sellerops`) holds the default SQLite database, `inbox/` (the nightly
flow's drop folder) and `quarantine/`. `SELLEROPS_DATABASE_URL` overrides the database with any
SQLAlchemy URL. Saved Prefect blocks may override these later; nothing here needs one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    account: str
    marketplace: str

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
    )


def ensure_home(s: Settings) -> None:
    for p in (s.home, s.inbox, s.quarantine):
        p.mkdir(parents=True, exist_ok=True)
