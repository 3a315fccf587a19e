"""The account-health watch: Amazon's account metrics and the seed's risk rules, checked every hour.

Its inputs (the seller performance report, manage-inventory, all orders, the search-term report,
the seller's cycle counts and purchase orders) are loaded by `sellerops ingest` into
sellerops.storage.health; `measure` turns them into one value per signal and subject; the levels,
warnings and level changes judge those values and start the procedure that answers each one.
"""
