"""Prefect blocks: the configuration and credentials that outlive a run (a seller account's SP-API
keys, the reconciliation policy's overrides), saved on the server and loaded by flows and tasks.
The domain never imports them (the import contracts in pyproject.toml); defaults live in code."""

from __future__ import annotations

import os


def load_saved(block_class, env_var: str, name: str | None = None, default: str = "default"):
    """The saved block `name` (else the one named by `env_var`, else `default`), or a block holding
    only the defaults in code when none is saved or no server can be asked."""
    name = name or os.environ.get(env_var) or default
    try:
        return block_class.load(name)
    except (ValueError, KeyError):
        return block_class()
