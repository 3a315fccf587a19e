"""The account-health watch: Amazon's risk rules and the seller's own, checked every hour, each answered by its SOP.

Measurements (sellerops.health.measure: one value per signal and subject, from the loaded reports)
are judged against the thresholds of sellerops.health.levels with hysteresis; sellerops.health.watch
turns them into levels and level changes; sellerops.health.service stores them as warnings
(sellerops.storage.health_watch) and says which answering procedure each change starts
(sellerops.health.actions, the one table the prefect.yaml triggers are checked against);
sellerops.health.procedures are those procedures — recheck, warehouse freeze, supplier switch,
slow-mover clearance, keyword task list — recording what they propose or do and asking a person
through sellerops.decisions; sellerops.health.board draws the board. No Prefect import here: the
`account-health-watch` flow (flows/health.py) composes these, and emits the events.
"""

from sellerops.health.actions import ACTIONS, Action, action_for
from sellerops.health.levels import DEFAULT_RULES, LEVELS, SIGNALS, PolicyError, Rule, Thresholds, level
from sellerops.health.watch import Judged, judge

__all__ = ["ACTIONS", "Action", "action_for", "DEFAULT_RULES", "LEVELS", "SIGNALS", "PolicyError", "Rule",
           "Thresholds", "level", "Judged", "judge"]
