"""Leaving safely and knowing the rules, in a real browser (issue 17), on a phone and a
desktop, with JavaScript on and off: after "Exit this page", Back shows nothing of hers; a
new browser holding the old cookies finds nothing; the "What we share" notice follows the
regime an administrator makes active.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.policy import service as policy_service
from safeshare.policy.regimes import get_regime
from safeshare.vault.keys import FileKeyProvider
from tests.browser.conftest import _LIVE, assert_accessible

pytestmark = pytest.mark.browser
ACCOUNT = "He locked me in the flat on Quarry Street (leave-7K3)"
ELSEWHERE = "https://www.bbc.co.uk/weather"
SIZES = {"phone": (375, 800), "desktop": (1280, 900)}


@pytest.fixture(scope="module", autouse=True)
def vault_key(browser_settings: Settings) -> None:
    assert browser_settings.vault_key_file is not None
    if not browser_settings.vault_key_file.exists():
        FileKeyProvider.create(browser_settings.vault_key_file)


def _open(page_factory: Callable[..., Any], size: str, javascript: bool) -> Any:
    page = page_factory(javascript=javascript)
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    # The sandbox has no internet: answer for the exit destination so navigation completes.
    page.context.route(
        ELSEWHERE + "**",
        lambda route: route.fulfill(body="<title>Elsewhere</title>", content_type="text/html"),
    )
    return page


def _continue(page: Any) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_load_state()


def _tell_her_story(page: Any, base: str) -> None:
    page.goto(f"{base}/report/what-happened")
    page.get_by_label("Domestic abuse", exact=True).check()
    _continue(page)
    page.get_by_label("Yes, it happened to me", exact=True).check()
    _continue(page)
    page.fill("#occurred_from-day", "9")
    page.fill("#occurred_from-month", "5")
    page.fill("#occurred_from-year", "2026")
    _continue(page)
    page.fill("#area", "Leeds")
    _continue(page)
    page.fill("#account", ACCOUNT)
    _continue(page)
    page.goto(f"{base}/report/your-account")
    assert ACCOUNT in page.content()  # the draft is there before she leaves


def _shows_nothing_of_hers(page: Any) -> None:
    page.wait_for_load_state()
    assert ACCOUNT not in page.content()
    field = page.locator("#account")
    assert field.count() == 0 or field.input_value() == ""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", list(SIZES))
def test_after_exit_back_and_old_cookies_show_nothing(
    live_server: str, page_factory: Callable[..., Any], size: str, javascript: bool
) -> None:
    page = _open(page_factory, size, javascript)
    _tell_her_story(page, live_server)
    old_cookies = page.context.cookies()

    exit_button = page.locator(".govuk-exit-this-page a, .govuk-exit-this-page button").first
    assert exit_button.is_visible()
    exit_button.click()
    page.wait_for_url(ELSEWHERE + "**")

    page.go_back()
    if page.url.startswith(live_server):
        _shows_nothing_of_hers(page)
    page.goto(f"{live_server}/report/your-account")
    _shows_nothing_of_hers(page)
    page.goto(f"{live_server}/report/check")
    _shows_nothing_of_hers(page)

    # The next person on the device, in a fresh browser holding the old cookies.
    other = _open(page_factory, size, javascript)
    other.context.add_cookies(old_cookies)
    for path in ("/report/your-account", "/report/check", "/report/confirmation"):
        other.goto(f"{live_server}{path}")
        _shows_nothing_of_hers(other)
    assert_accessible(other)


def _set_regime(regime: str) -> None:
    runtime = _LIVE["runtime"]
    with runtime.session() as session:
        policy_service.set_active_regime(
            session, regime=regime, actor="admin", actor_role=Role.admin, note="browser test"
        )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("size", list(SIZES))
def test_the_notice_follows_the_regime_an_admin_makes_active(
    live_server: str, page_factory: Callable[..., Any], size: str, javascript: bool
) -> None:
    page = _open(page_factory, size, javascript)
    firewall, npcc = get_regime("firewall"), get_regime("npcc-2020")
    page.goto(f"{live_server}/report/what-we-share")
    text = page.inner_text("main")
    assert firewall.title in text
    assert all(
        " ".join(p.reason.split()) in " ".join(text.split()) for p in firewall.policies.values()
    )
    _set_regime("npcc-2020")
    try:
        page.reload()
        text = " ".join(page.inner_text("main").split())
        assert npcc.title in text and firewall.title not in text
        assert all(" ".join(p.reason.split()) in text for p in npcc.policies.values())
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0]
        assert_accessible(page)
    finally:
        _set_regime("firewall")
