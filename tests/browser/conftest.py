"""Browser tests: Debian's Chromium driven by Playwright against the app served on a
free loopback port. They run on one engine (the first selected): the engines are
covered by the other tests; here the user's path through the pages is.

Screenshots of failures and traces go to test-artifacts/playwright; ``snap(page, name)``
keeps a screenshot of a main page in test-artifacts/screenshots.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from fixtures.web import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/lib/chromium/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []),
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                 "--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def web_login(page, live_server, users):
    """``web_login("rep1")`` logs the page in through the login form."""
    def _login(username: str, password: str = PASSWORD):
        page.context.clear_cookies()
        page.goto(f"{live_server}/scm/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page
    return _login


@pytest.fixture
def snap():
    def _snap(page, name: str):
        folder = ARTIFACTS / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    return _snap
