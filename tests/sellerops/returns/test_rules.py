"""The RMA decision and VIP care as pure functions, at each threshold, each expected value explained."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sellerops.returns import care, rules
from sellerops.returns.policy import Policy

P = Policy()


@pytest.mark.parametrize("status, expected", [
    ("Approved", (rules.AUTHORIZED, "amazon")),  # Amazon authorised it: kept, nothing owed
    ("Authorized", (rules.AUTHORIZED, "amazon")),
    ("Completed", (rules.AUTHORIZED, "amazon")),
    ("Closed", (rules.AUTHORIZED, "amazon")),  # Closed usually ends a completed return
    ("Rejected", (rules.REJECTED, "amazon")),
    ("Denied", (rules.REJECTED, "amazon")),
    ("Pending", (rules.AUTHORIZED, "auto")),  # the seller's: in policy, 19.99 ≤ 150 → authorised alone
    ("Requested", (rules.AUTHORIZED, "auto")),
])
def test_whose_decision_it_is(status, expected):
    v = rules.decide(status, "Y", 1999, "USD", "AMZ-PG-WJ-TOO-SMALL", P)
    assert (v.status, v.decided_by) == expected and v.reasons == ()


def test_amazons_decision_stands_even_out_of_policy_and_over_the_limit():
    v = rules.decide("Approved", "N", 99999, "USD", None, P)
    assert (v.status, v.decided_by) == (rules.AUTHORIZED, "amazon")


@pytest.mark.parametrize("cents, expected", [
    (15000, rules.AUTHORIZED),  # exactly 150.00: "at most" the limit → authorised
    (15001, rules.NEEDS_PERSON),  # one cent over → a person
])
def test_the_value_limit_is_at_most(cents, expected):
    v = rules.decide("Pending", "Y", cents, "USD", None, P)
    assert v.status == expected
    assert v.reasons == (() if expected == rules.AUTHORIZED else (rules.OVER_VALUE_LIMIT,))


def test_every_reason_a_person_is_needed_is_given():
    policy = P.with_overrides(review_reasons=["AMZ-PG-BAD-DESC"])
    v = rules.decide("Pending", "N", 20000, "EUR", "AMZ-PG-BAD-DESC", policy)
    assert v.status == rules.NEEDS_PERSON and v.decided_by is None
    assert v.reasons == (rules.OUT_OF_POLICY, rules.OVER_VALUE_LIMIT, rules.REVIEW_REASON)


def test_a_blank_in_policy_is_not_in_policy_and_an_unknown_status_goes_to_a_person():
    assert rules.decide("Pending", None, 100, "USD", None, P).reasons == (rules.OUT_OF_POLICY,)
    assert rules.decide("SomethingNew", "Y", 100, "USD", None, P).reasons == (rules.UNKNOWN_STATUS,)


def test_a_limit_per_currency():
    policy = P.with_overrides(auto_authorize_max_by_currency={"jpy": 20000})
    assert rules.decide("Pending", "Y", 1_500_000, "JPY", None, policy).status == rules.AUTHORIZED  # ¥15,000 ≤ ¥20,000
    assert rules.decide("Pending", "Y", 15_001, "USD", None, policy).status == rules.NEEDS_PERSON  # USD keeps 150


@pytest.mark.parametrize("amount, rq, oq, expected", [
    (3000, 1, 2, 1500),  # 30.00 × 1 ÷ 2 = 15.00 exactly
    (1001, 1, 2, 501),  # 10.01 ÷ 2 = 5.005 → half-up → 5.01 (half-even would give 5.00)
    (1003, 1, 2, 502),  # 5.015 → 5.02
    (1000, 1, 3, 333),  # 3.333… → 3.33
    (1000, 2, 3, 667),  # 6.666… → 6.67
    (1999, None, None, 1999),  # no quantities: the whole line
    (None, 1, 1, None),  # no amount written: unknown, not zero
])
def test_the_returned_amount_rounds_half_up_to_the_cent(amount, rq, oq, expected):
    assert rules.returned_amount_cents(amount, rq, oq) == expected


def test_an_unknown_amount_is_never_authorised_alone():
    assert rules.decide("Pending", "Y", None, "USD", None, P).reasons == (rules.AMOUNT_UNKNOWN,)


@pytest.mark.parametrize("clv_cents, orders, expected", [
    (50000, 4, False),  # CLV exactly 500: not *over* 500 → not VIP
    (50001, 4, True),  # 500.01 and 4 orders: both strictly over → VIP
    (50001, 3, False),  # 3 orders is not *more than* 3 → not VIP
    (100000, 3, False),
    (40000, 10, False),  # many orders, too little value
])
def test_vip_is_strictly_over_both_thresholds(clv_cents, orders, expected):
    got, why = rules.vip(clv_cents, orders, "USD", P)
    assert got is expected and why


def test_vip_reasons_say_which_threshold_held():
    assert rules.vip(50000, 4, "USD", P)[1] == "lifetime value 500.00 USD not over 500"
    assert rules.vip(50001, 3, "USD", P)[1] == "3 orders in 365 days, not more than 3"


def test_no_customer_key_means_vip_unknown_never_a_guess():
    got, why = rules.vip(None, None, "USD", P, why_unknown="no buyer e-mail for order 1 in the order reports")
    assert got is None and "no buyer e-mail" in why


def test_vip_threshold_per_currency():
    policy = P.with_overrides(vip_clv_by_currency={"JPY": Decimal("60000")})
    assert rules.vip(6_000_000, 4, "JPY", policy)[0] is False  # ¥60,000 is not over ¥60,000
    assert rules.vip(6_000_100, 4, "JPY", policy)[0] is True


@pytest.mark.parametrize("site, register, expected", [
    ("Amazon.de", "de-formal", "de-formal"),  # the default register for Amazon.de
    ("Amazon.de", "de-informal", "de-informal"),  # the policy changes it
    ("Amazon.fr", "de-formal", "fr"), ("Amazon.es", "de-formal", "es"), ("Amazon.it", "de-formal", "it"),
    ("Amazon.co.jp", "de-formal", "ja"), ("Amazon.com", "de-formal", "en"), ("Amazon.co.uk", "de-formal", "en"),
    ("Amazon.se", "de-formal", "en"),  # no Swedish script yet: English rather than nothing
])
def test_the_care_script_by_marketplace_language(site, register, expected):
    assert care.script_key(site, register) == expected


def test_a_person_sees_both_german_registers():
    assert set(care.scripts_shown("de-formal")) == {"de-formal", "de-informal"}
    assert set(care.scripts_shown("fr")) == {"fr"}
    assert "R1" in care.render("de-informal", "R1", "Tasse") and "du" in care.render("de-informal", "R1", "Tasse")


def test_a_register_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="german_register"):
        Policy(german_register="de-casual")
