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


def test_an_echoed_form_body_is_redacted_even_url_encoded():
    # Login with Amazon's form body sends `Atzr|…` as `Atzr%7C…`; a refresh token has no fixed shape
    # once encoded, so the known literal is redacted in every encoding.
    echoed = "cannot use client_id=x&refresh%5Ftoken=opaque%7Cvalue%2F1 and opaque|value/1"
    cleaned = redact(echoed, ("opaque|value/1",))
    assert "opaque" not in cleaned and cleaned.count(REDACTED) == 2


def test_importing_the_sources_installs_nothing():
    import subprocess
    import sys

    code = ("import logging, sellerops.amazon.spapi, sellerops.amazon.redact as r\n"
            "names = ['sp_api', 'httpx', 'prefect', '']\n"
            "print(any(r.REDACTING_FILTER in logging.getLogger(n).filters for n in names))\n")  # fmt: skip
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert p.stdout.strip() == "False"


def test_install_covers_prefect_and_sellerops_loggers_and_every_handler_they_hold():
    handler = logging.StreamHandler()
    holder = logging.getLogger("prefect.flow_runs.redaction-test")
    holder.addHandler(handler)
    root_handler = logging.NullHandler()
    logging.getLogger().addHandler(root_handler)
    try:
        installed = install_redaction(("opaque-client-secret",))
        for name in ("prefect", "prefect.flow_runs.redaction-test", "sellerops", "sp_api", "httpx"):
            assert installed in logging.getLogger(name).filters, name
        assert installed in handler.filters and installed in root_handler.filters

        # A logger created after the install, outside every covered prefix, still writes through a
        # covered handler: the handler's filter cleans the record.
        late = logging.getLogger("some.library.created.later")
        record = late.makeRecord(late.name, logging.ERROR, __file__, 1, "body: %s", ("opaque-client-secret",), None)
        assert root_handler.filter(record) and "opaque-client-secret" not in record.getMessage()
    finally:
        holder.removeHandler(handler)
        logging.getLogger().removeHandler(root_handler)
