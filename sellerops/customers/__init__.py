"""The customer key: a buyer's relay e-mail as a salted hash, and reports scrubbed of personal data.

Amazon's reports carry no buyer id; the relay e-mail (`buyer-email`, stable per buyer and seller)
in the actionable-orders and fulfilled-shipments reports is the only sound customer key, and it is
personal data. Ingestion (sellerops.ingest.prepare) hands a report's bytes through `scrub` before
anything else reads them, so no frame, log line, quarantine copy or table ever holds the address:
the e-mail becomes `customer_key(email)` and the other personal columns (names, phone numbers,
street lines) are blanked. The salt lives outside the database, like the Prefect server's secret:
SELLEROPS_CUSTOMER_SALT, else a file under SELLEROPS_HOME created on first use with mode 600 —
a stolen database alone cannot be matched against a list of addresses.
"""

from __future__ import annotations

import codecs
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from sellerops.core.config import Settings, settings
from sellerops.core.report_types import norm

SALT_ENV = "SELLEROPS_CUSTOMER_SALT"
SALT_FILE = "customer_salt"
KEY_PREFIX = "cust-"
# The column whose value becomes the customer key, and those emptied: nothing reads them.
HASHED = frozenset({"buyer-email"})
BLANKED = frozenset({"buyer-name", "buyer-phone-number", "recipient-name", "ship-address-1", "ship-address-2",
                     "ship-address-3", "ship-phone-number", "bill-address-1", "bill-address-2", "bill-address-3"})
PERSONAL = HASHED | BLANKED


class Unscrubbable(ValueError):
    """A report with personal columns whose text cannot be decoded: it is not read, nor copied."""


def salt_path(s: Settings | None = None) -> Path:
    return (s or settings()).home / SALT_FILE


def salt(s: Settings | None = None) -> bytes:
    """The salt: SELLEROPS_CUSTOMER_SALT, else the home's salt file (created, mode 600, on first use)."""
    if os.environ.get(SALT_ENV):
        return os.environ[SALT_ENV].encode("utf-8")
    path = salt_path(s)
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32).encode("ascii")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as f:
        f.write(value + b"\n")
    return value


def customer_key(email: str, key_salt: bytes | None = None) -> str | None:
    """The customer key of a relay e-mail (case and surrounding spaces ignored); None for a blank one."""
    text = (email or "").strip().lower()
    if not text:
        return None
    digest = hmac.new(key_salt if key_salt is not None else salt(), text.encode("utf-8"), hashlib.sha256)
    return KEY_PREFIX + digest.hexdigest()[:32]


def is_key(value: str) -> bool:
    return value.startswith(KEY_PREFIX) and len(value) == len(KEY_PREFIX) + 32


def carries_personal_data(data: bytes) -> bool:
    """Whether the first line of a report names a personal column (the names are ASCII: read before
    decoding, but for UTF-16, whose BOM says how)."""
    head = data[:65536]
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom):].decode(enc, errors="ignore").encode("utf-8")
            break
    first = head.split(b"\n", 1)[0]
    names = {norm(n.decode("latin-1")) for n in first.split(b"\t")}
    return bool(names & PERSONAL)


def scrub(data: bytes, japanese: bool = False, key_salt: bytes | None = None) -> bytes:
    """`data` (a tab-separated report) with each buyer e-mail replaced by its customer key and the
    other personal columns emptied; UTF-8 out. A report without personal columns comes back as is, and
    scrubbing a scrubbed report changes nothing (its keys are kept).
    Raises Unscrubbable when its text cannot be decoded."""
    if not carries_personal_data(data):
        return data
    from sellerops.reports.read import decode

    try:
        body, encoding = decode(data, japanese)
        text = body.decode("utf-8" if encoding.startswith("utf") else encoding)
    except UnicodeDecodeError as exc:
        raise Unscrubbable(f"a report with personal columns that cannot be decoded as {exc.encoding} "
                           f"(byte {exc.start}): not read, so no buyer e-mail is kept in clear") from None
    lines = text.split("\n")
    header = lines[0].rstrip("\r").split("\t")
    hashed = [i for i, h in enumerate(header) if norm(h) in HASHED]
    blanked = [i for i, h in enumerate(header) if norm(h) in BLANKED]
    key_salt = key_salt if key_salt is not None else salt()
    keys: dict[str, str] = {}
    for n in range(1, len(lines)):
        line = lines[n]
        if not line.strip("\r"):
            continue
        cr = line.endswith("\r")
        fields = (line[:-1] if cr else line).split("\t")
        for i in hashed:
            # a key already (a report the pull scrubbed on download): hashing it again would lose the customer
            if i < len(fields) and fields[i].strip() and not is_key(fields[i].strip()):
                raw = fields[i]
                if raw not in keys:
                    keys[raw] = customer_key(raw, key_salt) or ""
                fields[i] = keys[raw]
        for i in blanked:
            if i < len(fields):
                fields[i] = ""
        lines[n] = "\t".join(fields) + ("\r" if cr else "")
    return "\n".join(lines).encode("utf-8")
