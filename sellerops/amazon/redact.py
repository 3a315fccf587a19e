"""Keep credentials out of the logs.

python-amazon-sp-api logs every request's headers at DEBUG — the LWA access token among them
(`x-amz-access-token`) — and its responses, which on the token endpoint carry the refresh and access
tokens. `SecretRedactingFilter` rewrites a record's message before any handler sees it;
`install_redaction()` puts it on every `sp_api` logger and on `httpx` (which logs each URL it
requests, and a report document's pre-signed URL carries an AWS signature and session token) (a logger's filters only see records logged on
that very logger, so the parent alone is not enough) and is called again whenever the SP-API source
is built, so loggers created by late imports are covered too.
"""

from __future__ import annotations

import logging
import re

REDACTED = "***REDACTED***"

_SECRET_KEYS = (
    r"x-amz-access-token|x-amz-security-token|authorization|access_token|accessToken|refresh_token|"
    r"refreshToken|client_secret|lwa_client_secret|restricted_data_token|restrictedDataToken|"
    # the query of a pre-signed S3 URL (report documents): httpx logs every URL it requests
    r"X-Amz-Signature|X-Amz-Security-Token|X-Amz-Credential"
)

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 'key': 'value' / "key": "value" (dict reprs and JSON)
    (re.compile(rf"""(?i)(['"]?(?:{_SECRET_KEYS})['"]?\s*[:=]\s*)(['"])(.*?)(\2)"""), rf"\1\2{REDACTED}\4"),
    # key=value in form bodies and query strings
    (re.compile(rf"""(?i)(\b(?:{_SECRET_KEYS})=)([^&\s'",}}]+)"""), rf"\1{REDACTED}"),
    # header lines: Authorization: Bearer abc / x-amz-access-token: abc
    (re.compile(rf"""(?i)(\b(?:{_SECRET_KEYS})\s*:\s*)(?!['"])(?:Bearer\s+)?([^\s,'"}}]+)"""), rf"\1{REDACTED}"),
    # LWA tokens have recognisable prefixes wherever they appear
    (re.compile(r"Atz[ar]\|[^\s'\",}&]+"), REDACTED),
    (re.compile(r"(?i)\bBearer\s+[A-Za-z0-9._~+/=|-]+"), f"Bearer {REDACTED}"),
]


def redact(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """`text` with every recognisable credential (and each of `extra_secrets`) replaced."""
    for secret in extra_secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class SecretRedactingFilter(logging.Filter):
    """A logging filter that rewrites records so no token or secret reaches a handler."""

    def __init__(self, extra_secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.extra_secrets: set[str] = {s for s in extra_secrets if s}

    def add_secret(self, secret: str | None) -> None:
        """Also redact this literal value (e.g. a refresh token that has no recognisable prefix)."""
        if secret and len(secret) >= 4:
            self.extra_secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: redact what we have
            message = f"{record.msg} {record.args!r}"
        secrets = tuple(sorted(self.extra_secrets, key=len, reverse=True))
        cleaned = redact(message, secrets)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        return True


REDACTING_FILTER = SecretRedactingFilter()

# sp_api logs headers and bodies; httpx logs each URL, and a report document's URL is pre-signed.
LOGGER_PREFIXES = ("sp_api", "httpx")


def install_redaction(extra_secrets: tuple[str, ...] = ()) -> SecretRedactingFilter:
    """Attach the shared redacting filter to every existing `sp_api` / `httpx` logger (idempotent)."""
    for secret in extra_secrets:
        REDACTING_FILTER.add_secret(secret)
    names = [
        name
        for name in list(logging.Logger.manager.loggerDict)
        if any(name == p or name.startswith(p + ".") for p in LOGGER_PREFIXES)
    ]
    for name in set(names) | set(LOGGER_PREFIXES):
        logger = logging.getLogger(name)
        if REDACTING_FILTER not in logger.filters:
            logger.addFilter(REDACTING_FILTER)
    return REDACTING_FILTER
