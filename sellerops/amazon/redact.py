"""Keep credentials out of everything sellerops writes: exception texts, logs, states, artifacts.

Two tools. `redact(text, secrets)` is pure: the SP-API client passes every error text that may carry
a credential (Login with Amazon's answers, SP-API and HTTP bodies) through it before it becomes an
exception, so a state, artifact or event built from the exception is clean too. `install_redaction()`
guards the logs: python-amazon-sp-api logs request headers (the LWA access token) at DEBUG, httpx logs
every URL (a report document's is pre-signed). Nothing is installed on import — the edges that start
things (the CLI, the flows' tasks) call it. It puts the filter on the loggers of the libraries that
talk to Amazon, of sellerops and of Prefect (a logger's filter sees only records logged on that very
logger), and on every handler those loggers and the root hold, so a record from a logger created
later is still cleaned when a handler writes it.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, quote_plus

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
            # An echoed form body carries the secret URL-encoded (`Atzr|…` as `Atzr%7C…`).
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, REDACTED)
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

# sp_api logs headers and bodies; httpx/httpcore log each URL (a report document's is pre-signed);
# sellerops and Prefect log what the flows do, and Prefect ships its records to the API.
LOGGER_PREFIXES = ("sp_api", "httpx", "httpcore", "sellerops", "flows", "tasks", "prefect")


def _covered(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in LOGGER_PREFIXES)


def install_redaction(extra_secrets: tuple[str, ...] = ()) -> SecretRedactingFilter:
    """Attach the shared redacting filter to the loggers that may carry credentials and to every handler
    they and the root logger hold (idempotent; call again after new loggers or handlers appear)."""
    for secret in extra_secrets:
        REDACTING_FILTER.add_secret(secret)
    names = {n for n in list(logging.Logger.manager.loggerDict) if _covered(n)} | set(LOGGER_PREFIXES)
    loggers = [logging.getLogger(n) for n in sorted(names)] + [logging.getLogger()]
    for logger in loggers:
        targets: list[logging.Filterer] = [logger, *logger.handlers]
        for target in targets:
            if REDACTING_FILTER not in target.filters:
                target.addFilter(REDACTING_FILTER)
    return REDACTING_FILTER
