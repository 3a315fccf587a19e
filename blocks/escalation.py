"""`EscalationPolicy`: who an overdue decision escalates to and how they are told, as a Prefect block.

Shared by every SOP that asks a person (sellerops.decisions). The defaults live in code
(`sellerops.decisions.rules.DEFAULT_CHAIN_TAIL`: the owing role, then operations_manager, then
owner); a saved block named `default` (or SELLEROPS_ESCALATION_BLOCK) overrides them. With no saved
block, or no server to ask, the defaults hold and escalations are recorded as not notified.
"""

from __future__ import annotations

from typing import Optional

from prefect.blocks.core import Block
from pydantic import Field

from blocks import load_saved
from sellerops.decisions import NotifierUnavailable
from sellerops.decisions.rules import DEFAULT_CHAIN_TAIL

DEFAULT_BLOCK = "default"


class EscalationPolicy(Block):
    """Who comes after the owing role when a decision is overdue, and the block that tells them."""

    _block_type_name = "Escalation Policy"
    _block_type_slug = "escalation-policy"
    _description = "Escalation chain of overdue decisions (after the owing role) and the notification block used."

    chain: list[str] = Field(default_factory=lambda: list(DEFAULT_CHAIN_TAIL),
                             description="Roles after the owing one, in order (operations_manager, owner).")
    notify_block: Optional[str] = Field(
        default=None, description="Notification block as '<type-slug>/<name>', e.g. 'slack-webhook/escalations'.")

    def notifier(self):
        """A `(role, subject, body)` callable sending through the notification block, or None. A
        block that cannot be loaded gives a callable that refuses, saying why, so each escalation is
        still recorded (not sent, with that reason) and the sweep goes on."""
        if not self.notify_block:
            return None
        try:
            block = Block.load(self.notify_block)
        except Exception as exc:  # missing block, unknown type, server gone: recorded on each escalation
            reason = f"notification block {self.notify_block!r} could not be loaded: {type(exc).__name__}: {exc}"

            def refuse(role: str, subject: str, body: str) -> None:
                raise NotifierUnavailable(reason)

            return refuse

        def send(role: str, subject: str, body: str) -> None:
            block.notify(body=f"[{role}] {body}", subject=subject)

        return send


def load_escalation_policy(name: str | None = None) -> EscalationPolicy:
    """The saved policy, or one holding only the defaults when none is saved."""
    return load_saved(EscalationPolicy, "SELLEROPS_ESCALATION_BLOCK", name, DEFAULT_BLOCK)
