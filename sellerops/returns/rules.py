"""The RMA decision as pure functions: whose decision a request is, what it is worth, whether it
can be authorised alone, and whether the customer gets VIP care. Tested without a database.

A request Amazon already decided keeps Amazon's decision. One that is the seller's (Pending or
Requested) is authorised automatically when it is in Amazon's policy, worth at most the policy's
limit and its reason is not one a person reviews; otherwise a person decides, told why. VIP care
is decided apart from the return: lifetime value strictly over the threshold and strictly more
orders than the policy's count in the year before the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sellerops.core.money import from_cents
from sellerops.returns.policy import Policy

PENDING, AUTHORIZED, NEEDS_PERSON, REJECTED = "pending", "authorized", "needs_person", "rejected"
STATUSES = (PENDING, AUTHORIZED, NEEDS_PERSON, REJECTED)
BY_AMAZON, BY_AUTO = "amazon", "auto"
OUT_OF_POLICY, OVER_VALUE_LIMIT, REVIEW_REASON = "out_of_policy", "over_value_limit", "review_reason"
AMOUNT_UNKNOWN, UNKNOWN_STATUS = "amount_unknown", "unknown_status"

# Amazon's `Return request status`: Closed usually ends a completed return.
AMAZON_AUTHORIZED = frozenset({"approved", "authorized", "authorised", "completed", "closed"})
AMAZON_REJECTED = frozenset({"rejected", "denied"})
SELLERS_TO_DECIDE = frozenset({"pending", "requested"})


@dataclass(frozen=True)
class Verdict:
    status: str
    reasons: tuple[str, ...] = ()
    decided_by: str | None = None


def returned_amount_cents(order_amount_cents: int | None, return_quantity: int | None,
                          order_quantity: int | None) -> int | None:
    """Order Amount × Return quantity ÷ Order quantity, rounded half-up to the cent; None when the
    report gives no amount. A missing quantity counts as the whole order line."""
    if order_amount_cents is None:
        return None
    if not return_quantity or not order_quantity:
        return int(order_amount_cents)
    exact = Decimal(int(order_amount_cents)) * int(return_quantity) / Decimal(int(order_quantity))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amazons_verdict(status: str | None) -> Verdict | None:
    """Amazon's own decision on a request, or None when the request is the seller's to decide."""
    s = (status or "").strip().lower()
    if s in AMAZON_AUTHORIZED:
        return Verdict(AUTHORIZED, (), BY_AMAZON)
    if s in AMAZON_REJECTED:
        return Verdict(REJECTED, (), BY_AMAZON)
    return None


def decide(status: str | None, in_policy: str | None, amount_cents: int | None, currency: str | None,
           reason: str | None, policy: Policy) -> Verdict:
    """The verdict on one request line (see the module's docstring)."""
    amazon = amazons_verdict(status)
    if amazon is not None:
        return amazon
    reasons = []
    if (status or "").strip().lower() not in SELLERS_TO_DECIDE:
        reasons.append(UNKNOWN_STATUS)  # a status Amazon adds later: a person reads it first
    if (in_policy or "").strip().upper() != "Y":
        reasons.append(OUT_OF_POLICY)
    if amount_cents is None:
        reasons.append(AMOUNT_UNKNOWN)
    elif from_cents(amount_cents) > policy.limit(currency):
        reasons.append(OVER_VALUE_LIMIT)
    if reason and reason.strip() in policy.review_reasons:
        reasons.append(REVIEW_REASON)
    if reasons:
        return Verdict(NEEDS_PERSON, tuple(reasons))
    return Verdict(AUTHORIZED, (), BY_AUTO)


def vip(clv_cents: int | None, orders_365d: int | None, currency: str | None, policy: Policy,
        why_unknown: str | None = None) -> tuple[bool | None, str]:
    """(VIP or not — None when the customer is unknown —, why), from the lifetime value and the
    orders of the year before the request: both strictly over the policy's thresholds."""
    if why_unknown is not None or clv_cents is None or orders_365d is None:
        return None, why_unknown or "no customer key for the order"
    clv, limit = from_cents(clv_cents), policy.vip_threshold(currency)
    over_value, enough_orders = clv > limit, orders_365d > policy.vip_orders
    value = f"lifetime value {clv} {currency or ''}".rstrip()
    count = f"{orders_365d} orders in 365 days"
    if over_value and enough_orders:
        return True, f"{value} over {limit} and {count}, more than {policy.vip_orders}"
    if not over_value:
        return False, f"{value} not over {limit}" + ("" if enough_orders else f"; {count}, not more than {policy.vip_orders}")
    return False, f"{count}, not more than {policy.vip_orders}"
