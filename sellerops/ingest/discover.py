"""Which files an ingestion looks at: the first step of the ingest room (sellerops.ingest).

Files and folders from the command line or the inbox become a stable, ordered list of files, so
which of two copies is the original is reproducible. sellerops' own folders are never walked.
"""

from __future__ import annotations

import os
from pathlib import Path

from sellerops.core.config import Settings, settings


class PathError(Exception):
    """A path given on the command line that does not exist or cannot be read."""


def discover(paths: list[Path], s: Settings | None = None) -> list[Path]:
    """The files under `paths`, in a stable order. Hidden files are skipped, and so is
    SELLEROPS_HOME when a folder around it is walked; a path inside it (the inbox) is walked, less
    sellerops' own folders (quarantine, Data Docs, the frame cache, the locks)."""
    s = s or settings()
    home = s.home.resolve()
    own = {home / "quarantine", home / "gx", home / "cache", home / "locks"}
    found: list[Path] = []
    for p in paths:
        p = Path(p).expanduser()
        if not p.exists():
            raise PathError(f"{p}: no such file or folder")
        p = p.resolve()
        if p.is_file():
            found.append(p)
            continue
        skip = own if (p == home or home in p.parents) else {home}
        for root, dirs, files in os.walk(p):
            r = Path(root)
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and _resolved(r / d) not in skip)
            found += [r / f for f in sorted(files) if not f.startswith(".") and not (r == home and p == home)]
    seen, out = set(), []
    for f in found:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


def _resolved(p: Path) -> Path:
    """`p` resolved; a symlink loop is left as it is (reading it later quarantines it)."""
    try:
        return p.resolve()
    except (OSError, RuntimeError):
        return p
