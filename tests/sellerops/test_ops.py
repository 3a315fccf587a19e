"""`make up`'s provisioning of blocks: every block type the project defines is registered, so the UI
lists and edits it, and each policy's defaults are saved once, never over an operator's own block."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

from sellerops import ops

BLOCKS_DIR = Path(__file__).resolve().parents[2] / "blocks"
POLICIES = {"reconciliation-policy", "escalation-policy", "inbound-policy", "returns-policy", "health-policy"}


def defined_block_modules() -> set[str]:
    """Every module under blocks/ that defines a Block class of its own (read from the tree, not the list)."""
    from prefect.blocks.core import Block

    found = set()
    for info in pkgutil.iter_modules([str(BLOCKS_DIR)]):
        module = importlib.import_module(f"blocks.{info.name}")
        if any(issubclass(c, Block) and c.__module__ == module.__name__
               for _, c in inspect.getmembers(module, inspect.isclass)):
            found.add(module.__name__)
    return found


def test_every_block_module_is_provisioned():
    # a block module left out of BLOCK_MODULES would be a policy the UI cannot edit
    assert set(ops.BLOCK_MODULES) == defined_block_modules()
    slugs = {cls.get_block_type_slug() for cls, _ in ops.block_types()}
    assert POLICIES | {"seller-account"} <= slugs
    saved_as = {cls.get_block_type_slug(): name for cls, name in ops.block_types()}
    assert {saved_as[p] for p in POLICIES} == {"default"}
    assert saved_as["seller-account"] is None  # credentials: saved only from the environment, by provision


@pytest.fixture
def clean_defaults(prefect_harness):
    """Remove, afterwards, the default blocks this test saved (the session's server is shared: other
    tests expect no saved policy)."""
    from prefect.client.orchestration import get_client

    def existing() -> set:
        with get_client(sync_client=True) as client:
            return {d.id for d in client.read_block_documents()}

    before = existing()
    yield
    with get_client(sync_client=True) as client:
        for block_id in existing() - before:
            client.delete_block_document(block_id)


def test_register_blocks_registers_every_type_and_keeps_an_operators_block(clean_defaults):
    from prefect.client.orchestration import get_client

    from blocks.health_policy import HealthPolicy

    HealthPolicy(decision_hours=12).save("default", overwrite=True)  # the operator's own setting
    registered = ops.register_blocks()

    assert set(registered) == {cls.get_block_type_slug() for cls, _ in ops.block_types()}
    with get_client(sync_client=True) as client:
        for slug in registered:
            assert client.read_block_type_by_slug(slug).slug == slug  # the UI's block catalogue lists it
        for slug in POLICIES:  # each policy editable at once, holding the defaults in code
            assert client.read_block_document_by_name("default", slug).name == "default"
    assert HealthPolicy.load("default").decision_hours == 12  # never overwritten
    ops.register_blocks()  # idempotent: a second `make up` changes nothing
    assert HealthPolicy.load("default").decision_hours == 12
