"""Browser tests drive Debian's Chromium through Playwright (never a downloaded browser)."""

import io
import re
from pathlib import Path
from typing import NamedTuple

import pytest
from django.conf import settings
from django.core.management import call_command

from jinguo.testing import DatabaseSnapshot

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


@pytest.fixture
def page(page):
    """Every browser test also fails on a Content-Security-Policy violation: no page may need an inline script."""
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    assert not violations, f"CSP violations: {violations}"


class DemoLogin(NamedTuple):
    username: str
    password: str


class _Demo:
    """The session's one `jinguo load_demo`: its database snapshot, its audit checkpoint files and its printed login."""

    snapshot: DatabaseSnapshot | None = None
    files: dict[str, bytes] = {}
    login: DemoLogin | None = None


def _checkpoint_files() -> list[Path]:
    """The audit chain's anchors outside the database (the checkpoint lines and the tip), which must match it."""
    path = Path(settings.AUDIT_CHECKPOINT_FILE)
    return [path, path.with_name(path.name + ".tip")]


@pytest.fixture
def demo(transactional_db, live_server) -> DemoLogin:
    """The demo data (`jinguo load_demo`) in the database, and the login it prints (a county clerk, the password).

    Loaded by the first browser test of the session; every later one gets back exactly that database (and the audit
    checkpoint files that go with it) from a snapshot instead of loading the demo again — the load took most of a
    short browser test. Each test still starts from the demo as loaded, whatever the test before it changed."""
    if _Demo.snapshot is not None:
        _Demo.snapshot.restore()
        for path in _checkpoint_files():
            path.unlink(missing_ok=True)
            if path.name in _Demo.files:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(_Demo.files[path.name])
        return _Demo.login
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    password = re.search(r"密码均为 (\S+?)）", printed).group(1)
    username = re.search(r"^\s+(\w+)\s+工作人员", printed, re.MULTILINE).group(1)
    _Demo.login = DemoLogin(username, password)
    _Demo.files = {path.name: path.read_bytes() for path in _checkpoint_files() if path.exists()}
    _Demo.snapshot = DatabaseSnapshot()
    return _Demo.login
