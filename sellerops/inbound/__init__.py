"""FBA inbound shipments, tracked node by node (the `inbound` procedure).

Saved SP-API responses (`responses`) become observations; observations move each shipment along the
twelve nodes of the inbound SOP (`nodes`, `track`); the tracked shipments, their items, the orders
and the reimbursements are evaluated into findings in the shared store (`evaluate`, `store`); an
open shortage yields a claim pack for Seller Central (`claims`). Pure Python below `store`: no
Prefect here — tasks/inbound.py wraps these functions and flows/inbound.py composes them.
"""

PROCEDURE = "inbound"
