"""Headless Chromium (Debian's) driven by Playwright against pytest-django's live_server.

Screenshots go to test-artifacts/screenshots/. ``login(page, username)`` signs a user in.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from tests.browser.steps import submit

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
PASSWORD = "Passw0rd!2026"  # tests.factories.UserFactory's password

pytestmark = pytest.mark.browser


class _OneRequestAtATimeOnSharedSQLite(ThreadedWSGIServer):
    """The live server, answering one request at a time when its threads share one connection.

    With an in-memory SQLite test database Django hands the test's single connection to every server thread
    (``connections_override``). Two requests at once (the leave form's day preview, which the browser sends
    when the reason field loses focus, and the form's own POST) would then run on that one connection
    together and fail with "cannot start a transaction within a transaction". Production and the PostgreSQL
    suite have a connection per thread and keep answering in parallel.
    """

    def set_app(self, application):
        if not self.connections_override:
            return super().set_app(application)
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                response = application(environ, start_response)
                try:
                    return list(response)  # the body is read (and the database used) inside the lock
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneRequestAtATimeOnSharedSQLite


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if settings.REQUIRE_SERVICES:
        return  # CI: fail loudly in the fixture rather than skip
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def chromium(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--disable-quic"],
    )
    yield browser
    browser.close()


def _page(chromium, **options):
    context = chromium.new_context(locale="zh-CN", **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


@pytest.fixture
def phone(chromium):
    """A phone-sized page (390×844, touch), as a village secretary or cadre would use."""
    context, page = _page(chromium, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield page
    context.close()


@pytest.fixture
def desktop(chromium):
    """An office screen (1366×768, the common office laptop), as a township or county official would use."""
    context, page = _page(chromium, viewport={"width": 1366, "height": 768})
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    def do(page, username, password=PASSWORD):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        submit(page)  # the home page asks for nothing after its load: no wait for the network to go quiet
        return page

    return do


@pytest.fixture
def shot():
    """``shot(page, "name")`` saves a full-page screenshot under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
