"""Browser tests drive Debian's Chromium through Playwright (never a downloaded browser)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


# The page has loaded what it asked for: the load event (stylesheets, scripts, images), no htmx request under way,
# the web fonts in. (Playwright's "networkidle" waits for this and then half a second of silence more, on every page
# and step: a third of the browser tests' time.)
_SETTLED = ("() => document.readyState === 'complete' && !document.querySelector('.htmx-request') "
            "&& document.fonts.status === 'loaded'")


def settle(page) -> None:
    """Wait until the page has finished loading (see _SETTLED) before measuring it or taking its screenshot."""
    page.wait_for_function(_SETTLED)


def open_phone_menu(page) -> None:
    """Open the side menu from its button (a phone's folded menu) and wait until it has finished unfolding: Bootstrap
    marks it `show` only then. A tap during the unfolding can press a link and release it elsewhere, as the menu grows
    under the finger — no click, no navigation (the first-week walk timed out so on loaded machines)."""
    page.get_by_role("button", name="打开菜单").click()
    expect(page.locator("#sidebar-menu")).to_have_class(re.compile(r"\bshow\b"))


@pytest.fixture
def page(page):
    """Every browser test also fails on a Content-Security-Policy violation: no page may need an inline script."""
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    assert not violations, f"CSP violations: {violations}"
