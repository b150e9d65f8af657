"""Browser journeys: Playwright driving the system's Chromium against Django's live server.

Without /usr/bin/chromium the journeys are skipped with one line saying how to enable them, except in CI
(``ABE_REQUIRE_BROWSER=1``), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or os.environ.get("ABE_REQUIRE_BROWSER"):
        return
    skip = pytest.mark.skip(
        reason="browser tests need Chromium: apt-get install chromium (expected at /usr/bin/chromium)"
    )
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the tests stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


class InFlight:
    """Counts the live server's requests between Django's request_started and request_finished signals.

    A journey can end while the page still has requests on their way (an htmx panel loading after a save).
    The server goes on answering them after the browser has gone; if the test database is flushed meanwhile,
    the flush's TRUNCATE and the request's reads lock the same tables in opposite orders and PostgreSQL
    breaks the deadlock by failing the flush, which fails the next journey too. So the page's teardown closes
    the browser and then waits for the server to go quiet.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0
        self.total = 0

    def started(self, **kwargs) -> None:
        with self._lock:
            self.count += 1
            self.total += 1

    def finished(self, **kwargs) -> None:
        with self._lock:
            self.count = max(0, self.count - 1)

    def wait_quiet(self, timeout: float = 15.0, settle: float = 0.3) -> bool:
        """True once no request has been in flight for ``settle`` seconds (a request accepted just before the
        browser closed may not have started yet); False after ``timeout``."""
        deadline = time.monotonic() + timeout
        quiet_since = None
        while time.monotonic() < deadline:
            if self.count:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= settle:
                return True
            time.sleep(0.02)
        return False


@pytest.fixture
def in_flight():
    counter = InFlight()
    request_started.connect(counter.started, dispatch_uid="e2e-in-flight-started")
    request_finished.connect(counter.finished, dispatch_uid="e2e-in-flight-finished")
    yield counter
    request_started.disconnect(dispatch_uid="e2e-in-flight-started")
    request_finished.disconnect(dispatch_uid="e2e-in-flight-finished")


@pytest.fixture
def page(browser, live_server, in_flight):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()  # closes every page of this browser, so no new request starts
    assert in_flight.wait_quiet(), "the live server was still answering requests 15 s after the browser closed"


@pytest.fixture
def screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, username: str, password: str = "pw") -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
