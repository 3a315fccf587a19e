"""Returns and RMA authorisation: every seller-fulfilled return request decided within one run.

The room's parts: `policy` (the settings, defaults in code; the `ReturnsPolicy` block overrides
them), `rules` (the decision, the returned amount, VIP care — pure functions), `value` (a
customer's lifetime value and orders from the stored order reports, keyed by the salted customer
key of sellerops.customers), `care` (the care-script library), `label` (the label-provider
interface and its reportlab PDF), `units` (what returned units call for), `service` (the database side: read what is new, decide, ask a
person through sellerops.decisions, write labels) and `measures` (authorisation times, return-rate
spikes as findings). No Prefect here: tasks/returns.py wraps the service and flows/returns.py
composes it.
"""
