"""The one Decimal <-> cents conversion: exact both ways, half-even where a fraction of a cent appears."""

from decimal import Decimal
from fractions import Fraction

import pytest

from sellerops.core.money import cents_text, from_cents, to_cents


@pytest.mark.parametrize("amount, cents", [
    (Decimal("12.34"), 1234),
    (Decimal("-0.05"), -5),
    ("7", 700),
    (3, 300),
    (Decimal("1234567.89"), 123456789),
])
def test_to_cents_is_exact(amount, cents):
    assert to_cents(amount) == cents


def test_a_fraction_of_a_cent_is_refused_not_rounded():
    with pytest.raises(ValueError, match="hundredths"):
        to_cents(Decimal("0.005"))


@pytest.mark.parametrize("cents, amount", [
    (1234, Decimal("12.34")),
    (-5, Decimal("-0.05")),
    (0, Decimal("0.00")),
    (Fraction(1, 2), Decimal("0.00")),  # half a cent rounds to the even cent, 0
    (Fraction(3, 2), Decimal("0.02")),  # one and a half cents rounds to the even cent, 2
    (Decimal("250.5"), Decimal("2.50")),
])
def test_from_cents_rounds_half_even_to_the_cent(cents, amount):
    got = from_cents(cents)
    assert got == amount and got.as_tuple().exponent == -2


@pytest.mark.parametrize("cents, text", [(-1234, "-12.34"), (5, "0.05"), (0, "0.00"), (100000000, "1000000.00")])
def test_cents_text_is_amazons_flat_file_form(cents, text):
    assert cents_text(cents) == text


def test_round_trip():
    for cents in (-99999, -1, 0, 1, 12345678):
        assert to_cents(from_cents(cents)) == cents
