"""Sign in through a real browser and check the shell's pages with axe (WCAG 2.2 AA)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import assert_accessible
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_in_and_start_page_are_accessible(
    live_server: str, page_factory: Callable[..., Any], javascript: bool
) -> None:
    page = page_factory(javascript=javascript)
    page.goto(f"{live_server}/login")
    assert page.title() == "Sign in – SafeShare"
    assert page.locator(".govuk-exit-this-page").count() == 1
    assert_accessible(page)

    page.click("button:has-text('Sign in')")
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.title().startswith("Error:")
    assert_accessible(page)

    page.fill("#username", "officer")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{live_server}/home")
    assert "Welcome, Test officer" in page.inner_text("h1")
    assert_accessible(page)


def test_public_start_and_error_pages_are_accessible(
    live_server: str, page_factory: Callable[..., Any]
) -> None:
    page = page_factory()
    page.goto(f"{live_server}/")
    assert_accessible(page)
    page.goto(f"{live_server}/no-such-page")
    assert "Page not found" in page.inner_text("h1")
    assert_accessible(page)


def test_exit_this_page_leaves_the_service(
    live_server: str, page_factory: Callable[..., Any]
) -> None:
    page = page_factory(javascript=False)
    page.goto(f"{live_server}/")
    href = page.get_attribute(".govuk-exit-this-page a", "href")
    assert href and not href.startswith(live_server)


def test_your_sessions_page_is_accessible_and_ends_a_session(
    live_server: str, page_factory: Callable[..., Any]
) -> None:
    """The sessions list (ASVS 3.3.4) passes axe and reflows at 320 px."""
    page = page_factory()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/login")
    page.fill("#username", "supervisor")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{live_server}/home")
    page.click("a:has-text('Your sessions')")
    assert page.locator("#sessions tbody tr").count() >= 1
    assert page.locator(".govuk-tag:has-text('This session')").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 320 + 1
    assert_accessible(page)
    page.click("button:has-text('End this session') >> nth=0")
    page.wait_for_load_state()
    assert "/login" in page.url or "/account/sessions" in page.url
