"""The board in a real browser (Debian's headless Chromium): a takedown tier's run waiting for its
people shows as Suspended, with the button that opens its input form."""

from __future__ import annotations

import uuid
from uuid import UUID

import pytest

from tests.flows.test_takedown import until
from tests.ops.test_board_browser import _text, _wait_for, browser  # noqa: F401  (the browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_board_shows_a_tier_run_waiting_for_input(browser, board, monkeypatch):  # noqa: F811
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from sellerops import incidents
    from sellerops.storage.engine import session

    monkeypatch.setenv("SELLEROPS_DATABASE_URL",
                       board.sellerops_db_url or f"sqlite:///{board.tmp / 'worker-home' / 'sellerops.db'}")
    sku = f"SKU-{uuid.uuid4().hex[:6]}"
    with board.client_settings():
        fr = run_deployment("listing-takedown/listing-takedown", timeout=600, poll_interval=1,
                            parameters={"request": {"sku": sku, "reason": "Safety claim"}})
    assert fr.state.is_completed(), fr.state
    with session() as s:
        inc = [i for i in incidents.list_incidents(s, "open") if i.sku == sku][0]
        run_id = until("tier 1's run", lambda: incidents.tier_of(s, inc, 1)[0].run_id or s.expire_all(), wait=600)
    with board.client_settings(), get_client(sync_client=True) as client:
        until("tier 1 suspended", lambda: client.read_flow_run(UUID(run_id)).state.is_paused(), wait=600, every=1)
        name = client.read_flow_run(UUID(run_id)).name

    page = f"/runs/flow-run/{run_id}"
    browser.get(f"{board.ui_url}/login?redirect={page}")
    field = _wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "input[type=password], input"),
                      "a login field")
    field.send_keys(board.secret, Keys.ENTER)
    _wait_for(browser, lambda d: page in d.current_url and name in _text(d), "the tier run's page")
    _wait_for(browser, lambda d: d.find_element(
        By.CSS_SELECTOR, ".page-heading-flow-run__meta .state-badge").text.strip() == "Suspended",
        "the run's Suspended state badge")
    _wait_for(browser, lambda d: "Resume" in _text(d), "the Resume button that opens the input form")
    with session() as s:  # the incident is left as found: closed
        incidents.close(s, incidents.get(s, incidents.incident_id(inc.id)), "removal_accepted")
        s.commit()
