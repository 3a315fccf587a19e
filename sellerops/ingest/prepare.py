"""Reading, detecting, checking and converting one report file: the CPU-bound half of ingestion.

Runs in the process that writes the database or in the ingestion worker (sellerops.ingest.preparer),
so it returns everything as data and raises nothing a file can cause: an unreadable, undecodable or
vanished file comes back as a `Detected` with its `error`, for the decision (sellerops.ingest.decide)
to quarantine. No database here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sellerops.core.marketplaces import Marketplace, marketplace
from sellerops.customers import Unscrubbable, scrub
from sellerops.ingest.outcome import clip
from sellerops.reports import detect
from sellerops.reports.base import ReportFormat
from sellerops.reports.read import RawReport, ReportError, looks_japanese, read_report, sha256_of


@dataclass
class Detected:
    path: Path
    sha256: str
    raw: RawReport | None
    fmt: ReportFormat | None
    marketplace: Marketplace | None
    error: str | None = None
    # set by `prepare`: the checkpoint's problems and the typed rows (the raw frame is then dropped)
    problems: list[str] | None = None
    typed: pd.DataFrame | None = None
    rows: int = 0
    readable: bool = True  # False: the bytes could not be read, `sha256` only names the failure


def unreadable_digest(exc: BaseException) -> str:
    """The sha256 recorded for a file whose bytes could not be read: one per kind of failure, so a
    rerun finds the same (path, sha256) and keeps its first outcome until the file can be read."""
    return sha256_of(f"unreadable: {type(exc).__name__}".encode())


def failure(path: Path, exc: BaseException) -> str:
    """A per-file failure as a short reason, its cause first and the path named."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return clip(f"{path}: cannot be read: {type(exc).__name__}: {text}")


def fingerprint(path: Path) -> str:
    """The file's sha256, or the digest of why it could not be read."""
    return stamped_fingerprint(path)[0]


Stamp = tuple[int, int]  # (size, mtime in ns) of a file


def stamp(path: Path) -> Stamp | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def stamped_fingerprint(path: Path) -> tuple[str, Stamp | None]:
    """The file's sha256 (or the digest of why it could not be read) and its stamp taken before
    the read: a later reader whose bytes were read under the same stamp may take the digest as theirs
    instead of hashing them again (a write during or after this read changes the stamp)."""
    before = stamp(path)
    try:
        return sha256_of(path.read_bytes()), before
    except OSError as exc:
        return unreadable_digest(exc), None


def read_and_detect(path: Path, default_marketplace: str, data: bytes | None = None,
                    digest: str | None = None, fingerprinted: tuple[str, Stamp | None] | None = None) -> Detected:
    """Read the bytes (unless given, with their digest), decode, split and name the report type.
    `fingerprinted`: a digest already taken of the file (`stamped_fingerprint`), used when the file
    still has the stamp it had then, so its bytes are not hashed twice."""
    from sellerops.reports.convert import file_marketplace

    try:
        if data is None:
            data = path.read_bytes()
            if fingerprinted is not None and fingerprinted[1] is not None and stamp(path) == fingerprinted[1]:
                digest = fingerprinted[0]
    except OSError as exc:
        return Detected(path, unreadable_digest(exc), None, None, None, failure(path, exc), readable=False)
    digest = digest or sha256_of(data)
    japanese = marketplace(default_marketplace).japanese
    # a buyer's e-mail becomes its customer key before anything holds the text (sellerops.customers)
    try:
        data = scrub(data, japanese or looks_japanese(data))
    except Unscrubbable as exc:
        return Detected(path, digest, None, None, None, clip(f"{path}: {exc}"))
    try:
        raw = read_report(path, data, japanese_default=japanese)
    except ReportError as exc:
        return Detected(path, digest, None, None, None, clip(str(exc)))
    fmt = detect(raw.header)
    if fmt is None:
        shown = clip(", ".join(clip(h, 40) for h in raw.header[:8]) + (" …" if len(raw.header) > 8 else ""), 160)
        return Detected(path, digest, raw, None, None,
                        f"{path}:1:1: unknown report type: the header ({shown}) matches no report sellerops reads")
    return Detected(path, digest, raw, fmt, file_marketplace(raw, fmt, default_marketplace))


def validate(d: Detected) -> list[str]:
    """Run the report type's checkpoint and the typed conversion; the problems, rendered."""
    from sellerops.reports.validate import run_checkpoint

    problems = run_checkpoint(d.raw, d.fmt, d.marketplace)
    return [p.render(d.path) for p in problems]


def unchecked(path: Path, exc: BaseException) -> str:
    """The reason for a file whose check or conversion failed on something the file caused."""
    return clip(f"{path}: cannot be checked: {type(exc).__name__}: {exc}")


def prepare(path: Path, default_marketplace: str, fingerprinted: tuple[str, Stamp | None] | None = None,
            convert: bool = True) -> Detected:
    """Read, detect, check and convert a file whose outcome is not known yet: the result carries the
    checkpoint's problems (or the conversion's) and, when there are none, the typed rows ready to
    load — not the raw frame. Whatever a file causes comes back as `error`, never raised.
    `fingerprinted`: see `read_and_detect`. `convert=False` stops after the checkpoint and keeps the
    raw frame of a file that passed it, for `converted` to finish where the rows are stored: the
    ingestion worker hands files over that way (sellerops.ingest.preparer)."""
    d = checked(read_and_detect(path, default_marketplace, fingerprinted=fingerprinted))
    if d.error or d.problems:
        return d
    return converted(d) if convert else d


def checked(d: Detected) -> Detected:
    """A read file (`read_and_detect`) through its checkpoint: its row count and problems, or why it
    could not be checked; the raw frame is kept only when there are none."""
    if d.error:
        return _without_rows(d)
    try:
        d.rows = d.raw.rows
        d.problems = validate(d)
    except Exception as exc:  # noqa: BLE001 - a file must not stop the night; the reason says what
        d.error = unchecked(d.path, exc)
    if d.error or d.problems:
        return _without_rows(d)
    return d


def converted(d: Detected) -> Detected:
    """A checked file (`prepare(..., convert=False)`) converted to its typed rows (or the
    conversion's problems), its raw frame dropped; a file already converted or failed is as is."""
    from sellerops.reports.convert import typed_frame

    if d.error or d.problems or d.typed is not None or d.raw is None or d.fmt is None:
        return _without_rows(d)
    try:
        typed, problems = typed_frame(d.raw, d.fmt, d.marketplace)
        d.problems = [p.render(d.path) for p in problems]
        d.typed = None if problems else typed
    except Exception as exc:  # noqa: BLE001 - a file must not stop the night; the reason says what
        d.error, d.typed = unchecked(d.path, exc), None
    return _without_rows(d)


def _without_rows(d: Detected) -> Detected:
    if d.raw is not None:
        d.raw = dataclasses.replace(d.raw, frame=d.raw.frame.iloc[:0])
    return d
