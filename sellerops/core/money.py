"""Money's one conversion between Decimal amounts and integer cents.

The house keeps money as integer hundredths of the currency unit (cents; yen x 100) in frames and
tables, exact on every backend, and as Decimal where a person reads it (findings, policy, JSON).
Every crossing between the two goes through here, so the rounding rule is written once.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def to_cents(amount: Decimal | int | str) -> int:
    """An amount as integer cents, exactly: a fraction of a cent is refused, never rounded away."""
    cents = Decimal(amount) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of hundredths")
    return int(cents)


def from_cents(cents: int | Fraction | Decimal) -> Decimal:
    """Integer (or exact fractional) cents as a Decimal amount, rounded half-even to the cent."""
    if isinstance(cents, Fraction):
        cents = Decimal(cents.numerator) / Decimal(cents.denominator)
    return (Decimal(cents) / 100).quantize(CENT, rounding=ROUND_HALF_EVEN)


def cents_text(cents: int) -> str:
    """Integer cents as Amazon writes an amount in a flat file: `-12.34`, `0.05`."""
    return str(from_cents(int(cents)))
