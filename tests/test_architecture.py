"""The house's one-way dependencies (`flows` → `tasks` → `sellerops`, the domain free of Prefect but
for its edges `cli` and `ops`), checked by import-linter's contracts in pyproject.toml: the real tool,
run from the venv on the checkout, so a break fails `make test` and CI. The contracts are also run
on a copy of the checkout with one forbidden import added, to prove each of them can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("sellerops", "flows", "tasks", "blocks")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def lint_imports(cwd: Path, *contracts: str) -> subprocess.CompletedProcess:
    # --no-cache: no cache folder is left in the checkout or the copy
    only = [arg for c in contracts for arg in ("--contract", c)]
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", *only], cwd=cwd, capture_output=True,
                          text=True, check=False)


def test_the_import_contracts_hold():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_contracts_cover_the_house():
    assert set(CONFIG["root_packages"]) == set(PACKAGES) and CONFIG["include_external_packages"] is True
    contracts = {c["id"]: c for c in CONFIG["contracts"]}
    domain = contracts["domain"]
    assert domain["type"] == "forbidden" and domain["source_modules"] == ["sellerops"]
    assert {"prefect", "flows", "tasks", "blocks"} <= set(domain["forbidden_modules"])
    # only the edges that start things may be excused (the CLI, its command groups, `make up`),
    # never a room of the domain
    excused = {rule.split(" -> ")[0] for c in contracts.values() for rule in c.get("ignore_imports", [])}
    assert excused == {"sellerops.cli", "sellerops.commands.*", "sellerops.ops"}
    assert contracts["layers"]["layers"] == ["flows", "tasks", "blocks", "sellerops"]
    assert contracts["edges"]["exhaustive"] is True


def _copy_of_the_checkout(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(("module", "source", "contract"), [
    ("sellerops/core/leak.py", "import prefect\n", "domain"),
    ("sellerops/reconciliation/leak.py", "from tasks import reconcile\n", "domain"),
    ("tasks/leak.py", "from flows import nightly\n", "layers"),
    ("blocks/leak.py", "import tasks.ingest\n", "layers"),
    ("sellerops/findings/leak.py", "from sellerops import cli\n", "edges"),
    ("sellerops/leak.py", "X = 1\n", "edges"),  # a room nobody declared
])
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, source, contract):
    copy = _copy_of_the_checkout(tmp_path)
    assert lint_imports(copy, contract).returncode == 0  # the copy alone keeps it
    (copy / module).write_text(source)
    done = lint_imports(copy, contract)
    assert done.returncode != 0 and "1 broken" in done.stdout, done.stdout + done.stderr
