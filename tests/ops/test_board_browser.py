"""The board in a real browser: Debian's headless Chromium, through selenium and Debian's chromedriver
(never a downloaded browser), logs in with the auth string, opens the nightly run's page and sees it
completed, with the findings artifacts listing planted findings. A screenshot is kept."""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import need_service
from tests.ops.conftest import expected_findings

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        need_service("Debian's chromium and chromium-driver", "apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1100",
                f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def _wait_for(driver, predicate, what: str, limit: float = 90):
    """Poll the page until `predicate(driver)` is truthy (a bound on waiting, not an assertion on time)."""
    deadline = time.monotonic() + limit
    while True:
        try:
            value = predicate(driver)
            if value:
                return value
        except Exception:  # noqa: BLE001 - the page is still rendering
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the board never showed {what}; page text:\n{_text(driver)[:2000]}")
        time.sleep(0.5)


def _click(driver, element) -> None:
    """Click in the page's own script: the UI's toasts (bottom right) may cover the element."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", element)


def _text(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.TAG_NAME, "body").text


def _login(browser, board, page: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(f"{board.ui_url}/login?redirect={page}")
    field = _wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "input[type=password], input"),
                      "a login field")
    field.send_keys(board.secret, Keys.ENTER)


def test_a_night_that_quarantined_a_file_is_named_so_on_the_board(browser, board, quarantined_run):
    from selenium.webdriver.common.by import By

    assert quarantined_run.state.name == "Completed with quarantined files"
    page = f"/runs/flow-run/{quarantined_run.id}"
    _login(browser, board, page)
    _wait_for(browser, lambda d: page in d.current_url and quarantined_run.name in _text(d),
              "the quarantined night's run page")
    _wait_for(browser, lambda d: d.find_element(
        By.CSS_SELECTOR, ".page-heading-flow-run__meta .state-badge").text.strip() == "Completed with quarantined files",
        "the run's 'Completed with quarantined files' state badge")


def test_the_board_shows_the_completed_run_and_its_findings(browser, board, nightly_run, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    assert nightly_run.flow_run.state.is_completed()
    page = f"/runs/flow-run/{nightly_run.flow_run.id}"
    browser.get(f"{board.ui_url}/login?redirect={page}")
    # The server asks: the UI's login page has one password field for the auth string.
    field = _wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "input[type=password], input"),
                      "a login field")
    field.send_keys(board.secret, Keys.ENTER)
    _wait_for(browser, lambda d: page in d.current_url and nightly_run.flow_run.name in _text(d),
              "the flow run page after logging in")
    # The state badge in the run's heading (the logs below also say "Completed", about task runs).
    _wait_for(browser, lambda d: d.find_element(
        By.CSS_SELECTOR, ".page-heading-flow-run__meta .state-badge").text.strip() == "Completed",
        "the run's Completed state badge")

    # The run page's Artifacts tab (a tab's `?tab=` URL does not switch it: the UI keeps tabs in its state).
    _click(browser, browser.find_element(By.CSS_SELECTOR, "[role=tablist] li#artifacts"))
    _wait_for(browser, lambda d: "reconciliation-summary" in _text(d) and "open-findings" in _text(d),
              "the reconciliation-summary and open-findings artifacts on the run's Artifacts tab")
    browser.save_screenshot(str(tmp_path / "board-run-artifacts.png"))
    # The open-findings card opens the artifact: the findings table of this run.
    _click(browser, _wait_for(browser, lambda d: d.find_elements(By.XPATH, "//*[normalize-space(.)='open-findings']"),
                              "the open-findings card")[-1])
    _wait_for(browser, lambda d: "/artifacts/artifact/" in d.current_url and nightly_run.flow_run.name in _text(d),
              "the open-findings artifact of this run")
    kinds = {e["kind"] for e in expected_findings(nightly_run.demo)}
    shown = _wait_for(browser, lambda d: {k for k in kinds if k in _text(d)}, "any planted finding kind")
    # read as a seller reads it: the claim deadline and days left first, and a total
    text = _text(browser)
    assert "deadline" in text and "days left" in text and "Total" in text, text[:2000]
    assert text.index("deadline") < text.index("amount")
    shot = tmp_path / "board.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    with contextlib.suppress(OSError):  # a convenience copy for people; the test's own copy is the record
        board_copy = Path(__file__).resolve().parents[2] / ".run" / "board.png"
        board_copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, board_copy)
    assert shown, "no planted finding kind on the artifact"
