"""The findings every procedure produces, in one store: see `sellerops.findings.store`.

The reconciliation's input loader and run records live with the reconciliation
(`sellerops.reconciliation.input`, `sellerops.reconciliation.runs`); this package is what all
procedures share.
"""

from sellerops.findings.store import (
    CLAIM_STATES,
    EXPIRED,
    STATUSES,
    OPEN,
    OUTCOMES,
    RESOLVED,
    StoreResult,
    UnknownFinding,
    at_stake_by_kind,
    claim,
    close_claim,
    finding_json,
    get_finding,
    iter_findings,
    list_findings,
    money_text,
    totals_by_currency,
    store,
)

__all__ = ["CLAIM_STATES", "EXPIRED", "STATUSES", "money_text", "totals_by_currency", "OPEN", "OUTCOMES", "RESOLVED", "StoreResult", "UnknownFinding", "at_stake_by_kind",
           "claim", "close_claim", "finding_json", "get_finding", "iter_findings", "list_findings", "store"]
