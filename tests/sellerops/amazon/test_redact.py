"""The redacting filter: what sp_api logs, with the secrets taken out."""

from __future__ import annotations

import logging

import pytest

from sellerops.amazon.redact import REDACTED, SecretRedactingFilter, install_redaction, redact


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        # sp_api.base.client logs the request headers dict at DEBUG
        ("Request Headers: {'host': 'x', 'x-amz-access-token': 'Atza|abc123', 'user-agent': 'u'}", "Atza|abc123"),
        # the LWA form body
        ("grant_type=refresh_token&refresh_token=Atzr|r3fr3sh&client_secret=s3cr3t", "Atzr|r3fr3sh"),
        ("grant_type=refresh_token&refresh_token=Atzr|r3fr3sh&client_secret=s3cr3t", "s3cr3t"),
        # the LWA JSON answer
        ('{"access_token": "tok-without-prefix", "token_type": "bearer"}', "tok-without-prefix"),
        ("Authorization: Bearer eyJhbGciOi.x.y", "eyJhbGciOi.x.y"),
        ("x-amz-access-token: plain-header-token", "plain-header-token"),
        # httpx logs the pre-signed document URL
        ('HTTP Request: GET https://s3.amazonaws.com/doc?X-Amz-Security-Token=FwoGZX&X-Amz-Signature=abc123 "HTTP/1.1 200 OK"', "FwoGZX"),
        ('HTTP Request: GET https://s3.amazonaws.com/doc?X-Amz-Security-Token=FwoGZX&X-Amz-Signature=abc123 "HTTP/1.1 200 OK"', "abc123"),
        # a bare LWA token anywhere in a message
        ("retrying with Atza|IwEBIbare", "Atza|IwEBIbare"),
    ],
)
def test_redact_removes_secrets(line, secret):
    cleaned = redact(line)
    assert secret not in cleaned and REDACTED in cleaned


def test_redact_keeps_the_rest_of_the_message():
    assert redact("Request Headers: {'host': 'sellingpartnerapi-na.amazon.com'}") == (
        "Request Headers: {'host': 'sellingpartnerapi-na.amazon.com'}"
    )


def test_filter_rewrites_args_and_known_literal_secrets():
    f = SecretRedactingFilter()
    f.add_secret("opaque-refresh-value")
    record = logging.LogRecord("sp_api.x", logging.DEBUG, __file__, 1, "token %s and %s", ("opaque-refresh-value", {"access_token": "t"}), None)
    assert f.filter(record) is True
    assert "opaque-refresh-value" not in record.getMessage() and "'t'" not in record.getMessage()
    assert record.args is None


def test_install_covers_child_loggers_created_before_and_is_idempotent():
    child = logging.getLogger("sp_api.some.late.module")
    installed = install_redaction()
    install_redaction()
    assert child.filters.count(installed) == 1
    assert installed in logging.getLogger("sp_api").filters
