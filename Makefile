# sellerops — every target creates .venv itself from the committed uv.lock.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.synced
DEMO_OUT ?= demo-out

.PHONY: install demo test test-fast bench bench-returns up down clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==0.13.9"

# Byte-compile the environment once: where PYTHONDONTWRITEBYTECODE is set (as on our CI machines)
# every process would otherwise compile Prefect, Great Expectations and pandas from source again.
# A few files in site-packages are for newer Pythons and do not compile; that is expected.
$(STAMP): $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet
	@$(BIN)/python -m compileall -q -j 0 $(VENV)/lib >/dev/null 2>&1 || true
	@touch $(STAMP)

install: $(STAMP)  ## create .venv from uv.lock

demo: $(STAMP)  ## generate a seller, ingest it, run the nightly reconciliation, print what was found
	$(BIN)/sellerops demo --out $(DEMO_OUT)

# Tests run in pytest-xdist worker processes, one per core this process may use, at most 4 (CI has 2
# cores; each worker starts its own Prefect harness); tests sharing an expensive fixture stay on one
# worker (--dist loadgroup, tests/conftest.py). `make test TEST_WORKERS=1` for a single worker.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ "$$n" -gt 4 ] && n=4; echo $$n)

test: $(STAMP)  ## the whole test suite (services that are missing skip with a message, never under CI=true)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

bench: $(STAMP)  ## the benchmarks: a month at 12,000 orders a day, the inbound tracker, the account-health inputs and watch, returns (figures in README "Speed", docs/benchmarks.md)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/history.py
	$(BIN)/python bench/inbound.py
	$(BIN)/python bench/health_inputs.py
	$(BIN)/python bench/health.py
	$(BIN)/python bench/returns.py

bench-returns: $(STAMP)  ## returns: 10,000 RMA requests against a year of orders, decided with labels (target < 60 s)
	$(BIN)/python bench/returns.py

up: $(STAMP)  ## a local Prefect server with a worker, blocks and deployments
	$(BIN)/python -m sellerops.ops up

down:  ## stop what `make up` started
	$(BIN)/python -m sellerops.ops down

clean:
	rm -rf $(VENV) .sellerops $(DEMO_OUT) .pytest_cache
