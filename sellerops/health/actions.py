"""The one table from a level change to the procedure that answers it.

Each row says which signal, reaching which level, starts which answering procedure — the name of
its flow and of its deployment in prefect.yaml, whose `triggers:` a test checks against this table —
and the Prefect event that carries the change (`sellerops.health.<signal>.<level>`, the subject as
resource). With a server in use the events start the deployments; with none, `sellerops health run`
calls the same procedures itself from this table (sellerops.health.procedures), so the chain is the
same either way. `ip_complaints` has no row: a warning only; a takedown incident starts from a
listing-level signal that names the listing.
"""

from __future__ import annotations

from dataclasses import dataclass

EVENT_PREFIX = "sellerops.health"


@dataclass(frozen=True)
class Action:
    """`signal` reaching `level` starts `procedure` (flow and deployment name), which takes `parameter`."""

    signal: str
    level: str
    procedure: str
    parameter: str  # what the subject is to the procedure: its flow parameter's name
    what: str  # what it does, in the seller's words

    @property
    def event(self) -> str:
        return event_name(self.signal, self.level)


RECHECK = "account-health-recheck"
CLEARANCE = "slow-mover-clearance"
KEYWORDS = "keyword-task-list"
SUPPLIER_SWITCH = "supplier-switch"
WAREHOUSE_FREEZE = "warehouse-freeze"

ACTIONS: tuple[Action, ...] = (
    Action("odr", "critical", RECHECK, "subject", "pause ads and ask for a recheck"),
    Action("late_shipment_rate", "critical", RECHECK, "subject", "ask for a recheck with the trend"),
    Action("cancel_rate", "critical", RECHECK, "subject", "ask for a recheck with the trend"),
    Action("valid_tracking_rate", "critical", RECHECK, "subject", "ask for a recheck with the trend"),
    Action("inventory_accuracy", "critical", WAREHOUSE_FREEZE, "location",
           "freeze warehouse operations at the location until a person lifts it"),
    Action("supplier_lead_time", "critical", SUPPLIER_SWITCH, "supplier",
           "switch the supplier's SKUs to their backup supplier and notify"),
    Action("inventory_turnover", "critical", CLEARANCE, "sku",
           "propose a markdown or removal for a person to approve"),
    Action("ad_conversion", "critical", KEYWORDS, "keyword", "write the keyword's optimisation tasks"),
)
PROCEDURES = tuple(dict.fromkeys(a.procedure for a in ACTIONS))


def event_name(signal: str, level: str) -> str:
    return f"{EVENT_PREFIX}.{signal}.{level}"


def resource_id(signal: str, subject: str) -> str:
    return f"{EVENT_PREFIX}.{signal}.{subject}"


def action_for(signal: str, level: str) -> Action | None:
    """The procedure a change of `signal` to `level` starts, if any."""
    return next((a for a in ACTIONS if a.signal == signal and a.level == level), None)


def action_text(signal: str, level: str) -> str | None:
    """What the watch does about a warning at this level, as `sellerops health` shows it."""
    a = action_for(signal, level)
    if a is not None:
        return f"{a.procedure}: {a.what}"
    critical = action_for(signal, "critical")
    if critical is not None and level != "ok":
        return f"at critical, {critical.procedure}"
    return "a warning only" if level != "ok" else None
