"""Prefect blocks: the configuration and credentials that outlive a run (a seller account's SP-API
keys, the reconciliation policy's overrides), saved on the server and loaded by flows and tasks.
The domain never imports them (the import contracts in pyproject.toml); defaults live in code."""
