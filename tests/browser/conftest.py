"""Real-browser fixtures: the app served by uvicorn on loopback, Debian's Chromium via Playwright.

Browser tests skip with a reason when Chromium or Playwright is missing, unless
SAFESHARE_REQUIRE_BROWSER=1 (set by .ci/run), in which case they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

from safeshare.config import Settings
from safeshare.db import migrate
from safeshare.runtime import Runtime
from safeshare.web.app import create_app
from tests.web.conftest import current_code, make_settings, seed_users

CHROMIUM = os.environ.get("SAFESHARE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
REQUIRE_BROWSER = os.environ.get("SAFESHARE_REQUIRE_BROWSER") == "1"
# Pages opened with JavaScript off: axe cannot run in them (its promises never settle).
_NO_JS_PAGES: weakref.WeakSet[Any] = weakref.WeakSet()


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(reason + " (SAFESHARE_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def browser_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(tmp_path_factory.mktemp("browser"))


_LIVE: dict[str, Any] = {}  # the served app and its runtime


def finish_mfa(page: Any, username: str) -> None:
    """After the password: roles that need MFA enter the enrolled test user's current code."""
    page.wait_for_load_state()
    if "/login/code" in page.url:
        page.fill("#code", current_code(_LIVE["runtime"], username))
        page.click("button:has-text('Continue')")


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn in a background thread on a free loopback port; its base URL."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(browser_settings: Settings) -> Iterator[str]:
    """Base URL of the app running in a background thread on a free loopback port."""
    runtime = Runtime(browser_settings)
    migrate.upgrade(runtime.engine)
    seed_users(runtime)
    _LIVE["runtime"] = runtime
    app = create_app(browser_settings, runtime)
    _LIVE["app"] = app  # tests that walk the routes read them here
    with serve(app) as base_url:
        yield base_url
    runtime.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page_factory(browser: Any) -> Iterator[Callable[..., Any]]:
    """New pages in fresh contexts; `javascript=False` for no-JavaScript journeys."""
    contexts: list[Any] = []

    def make(*, javascript: bool = True, locale: str = "en-GB") -> Any:
        context = browser.new_context(java_script_enabled=javascript, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if not javascript:
            _NO_JS_PAGES.add(page)
        return page

    yield make
    for context in contexts:
        context.close()


def assert_accessible(page: Any) -> None:
    """Run axe-core on the page; fail listing every WCAG 2.2 AA violation.

    axe needs JavaScript, so for a page opened without it the exact HTML it shows is served
    again at the same URL to a scripted page, with the app's own scripts blocked.
    """
    from axe_playwright_python.sync_playwright import Axe

    target = page
    if page in _NO_JS_PAGES:
        html = page.content()
        target = page.context.browser.new_page()
        target.route(page.url, lambda route: route.fulfill(body=html, content_type="text/html"))
        target.route("**/static/js/**", lambda route: route.abort())
        target.goto(page.url)
    try:
        results = Axe().run(target, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    finally:
        if target is not page:
            target.close()
    violations = results.response["violations"]
    summary = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )
    assert not violations, f"axe found violations on {page.url}:\n{summary}"
