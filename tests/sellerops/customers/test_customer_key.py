"""The customer key and the scrubbing of personal data: the relay e-mail is hashed with a salt kept
outside the database, while the report is read, so no table, log, or quarantine copy holds it."""

from __future__ import annotations

import os
import stat

import pytest

from sellerops import customers
from sellerops.customers import customer_key, salt, scrub


def test_the_salt_is_a_file_of_the_home_readable_by_its_owner_only_and_kept(sellerops_home):
    first = salt()
    path = sellerops_home / customers.SALT_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert salt() == first  # created once: keys stay stable across runs


def test_the_salt_from_the_environment_wins(monkeypatch, sellerops_home):
    monkeypatch.setenv(customers.SALT_ENV, "pepper")
    assert salt() == b"pepper"
    assert not (sellerops_home / customers.SALT_FILE).exists()


def test_the_key_ignores_case_and_spaces_and_depends_on_the_salt():
    a = customer_key("Buyer1@Marketplace.Amazon.com ", b"s1")
    assert a == customer_key("buyer1@marketplace.amazon.com", b"s1")
    assert a != customer_key("buyer1@marketplace.amazon.com", b"s2")  # another seller's salt: another key
    assert customers.is_key(a) and "@" not in a
    assert customer_key(" ", b"s1") is None  # a blank e-mail is no customer


def test_scrub_hashes_the_email_and_empties_names_phones_and_streets():
    data = ("order-id\tbuyer-email\tbuyer-name\tbuyer-phone-number\tship-address-1\tship-city\n"
            "1\tjo@marketplace.amazon.de\tJo Müller\t+49 30 1\tHauptstr. 1\tBerlin\r\n").encode("utf-8")
    out = scrub(data, key_salt=b"s").decode("utf-8")
    line = out.split("\n")[1].rstrip("\r").split("\t")
    assert line == ["1", customer_key("jo@marketplace.amazon.de", b"s"), "", "", "", "Berlin"]
    assert "@" not in out and "Müller" not in out


def test_scrubbing_a_scrubbed_report_keeps_its_keys():
    # the pull scrubs on download and ingestion scrubs what it reads: a key hashed again would be a new customer
    data = "order-id\tbuyer-email\tbuyer-name\n1\tjo@marketplace.amazon.de\tJo\n2\t\t\n".encode("utf-8")
    once = scrub(data, key_salt=b"s")
    assert scrub(once, key_salt=b"s") == once
    assert customer_key("jo@marketplace.amazon.de", b"s") in once.decode()


def test_a_report_without_personal_columns_is_left_as_it_is():
    data = b"order-id\tsku\n1\tMUG\n"
    assert scrub(data) is data


def test_a_personal_report_that_cannot_be_decoded_is_refused():
    with pytest.raises(customers.Unscrubbable):
        # a UTF-16 file cut in the middle of a character
        scrub(b"\xff\xfe" + "order-id\tbuyer-email\n1\tjo@x\n".encode("utf-16-le") + b"\x00", False)


def test_a_utf16_report_is_scrubbed_too():
    data = b"\xff\xfe" + "order-id\tbuyer-email\n1\tjo@x\n".encode("utf-16-le")
    assert b"jo@x" not in scrub(data, key_salt=b"s")
