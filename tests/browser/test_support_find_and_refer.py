"""Find support and refer, in Chromium with JavaScript off, every page checked with axe
(WCAG 2.2 AA); then the advocate's and the PCC's pages the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from safeshare.config import Settings
from safeshare.runtime import Runtime
from safeshare.support import service as support
from tests.browser.conftest import assert_accessible, finish_mfa
from tests.web.conftest import PASSWORD
from tests.web.support_data import SupportData, make_report, principal, seed_directory

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seeded(live_server: str, browser_settings: Settings) -> tuple[Runtime, SupportData]:
    """The live server's database, with the support directory in it."""
    runtime = Runtime(browser_settings)
    return runtime, seed_directory(runtime)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    finish_mfa(page, username)
    page.wait_for_url(f"{base}/home")


def card_titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".govuk-summary-card__title").all_inner_texts()]


def test_find_and_refer_without_javascript(
    live_server: str, page_factory: Callable[..., Any], seeded: tuple[Runtime, SupportData]
) -> None:
    runtime, _ = seeded
    _, reference = make_report(runtime, consent=True)
    _, no_consent = make_report(runtime, consent=False)
    page = page_factory(javascript=False)
    sign_in(page, live_server, "officer")

    page.click(".govuk-service-navigation a:has-text('Find support')")
    assert page.inner_text("h1") == "Find support"
    assert_accessible(page)

    page.fill("#language", "Spanish")
    page.select_option("#area", label="North Demoshire")
    page.check("#nrpf")
    page.check("#vacancy")
    page.click("button:has-text('Search')")
    assert "nrpf=yes" in page.url and "vacancy=yes" in page.url
    assert card_titles(page)[0] == "Casa Segura Refuge"
    assert page.locator("text=NRPF-ringfenced: 1 of 4 units").count() == 1
    assert_accessible(page)

    # Stale figures carry a visible tag.
    page.goto(f"{live_server}/support/find?need=refuge")
    assert page.locator(".govuk-tag:has-text('Stale')").count() == 1
    assert_accessible(page)

    # Refer from the results: without consent first, which is refused clearly.
    page.go_back()
    page.locator(".govuk-summary-card").first.locator("a:has-text('Refer')").click()
    assert page.inner_text("h1") == "Refer to Casa Segura Refuge"
    assert page.is_checked("#has_nrpf")  # carried over from the search
    assert_accessible(page)

    page.fill("#reference", no_consent)
    page.click("button:has-text('Check consent and refer')")
    assert page.title().startswith("Error:")
    summary = page.inner_text(".govuk-error-summary")
    assert "The referral was not made" in summary and "has not agreed" in summary
    assert_accessible(page)

    page.fill("#reference", reference)
    page.check("#needs-2")  # refuge
    page.click("button:has-text('Check consent and refer')")
    assert "Referral sent" in page.inner_text(".govuk-panel")
    assert page.locator("text=A support organisation may receive identity").count() >= 1
    assert_accessible(page)


def test_advocate_pages_without_javascript(
    live_server: str, page_factory: Callable[..., Any], seeded: tuple[Runtime, SupportData]
) -> None:
    runtime, data = seeded
    _, reference = make_report(runtime, consent=True)
    with runtime.session() as session:
        attempt = support.refer_report(
            session,
            actor=principal(runtime, "officer"),
            reference=reference,
            service_id=data.stale_refuge_a,
        )
        assert attempt.referral is not None
        referral_id = attempt.referral.id
    page = page_factory(javascript=False)
    sign_in(page, live_server, "advocate")
    page.click(".govuk-service-navigation a:has-text('Referrals')")
    assert page.inner_text("h1") == "Referrals"
    assert_accessible(page)

    page.click(f"a:has-text('Referral {referral_id}')")
    page.click("button:has-text('Decline referral')")  # no reason chosen
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.click("button:has-text('Accept referral')")
    assert page.locator("text=You accepted the referral.").count() == 1
    assert_accessible(page)

    page.click(".govuk-service-navigation a:has-text('Refuge vacancies')")
    assert_accessible(page)
    page.locator("a:has-text('Update vacancies')").first.click()
    page.fill("#vacant_units", "3")
    page.fill("#vacant_bedspaces", "1")
    page.click("button:has-text('Save vacancies')")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)


def test_directory_pages_without_javascript(
    live_server: str, page_factory: Callable[..., Any], seeded: tuple[Runtime, SupportData]
) -> None:
    page = page_factory(javascript=False)
    sign_in(page, live_server, "pcc-analyst")
    page.click(".govuk-service-navigation a:has-text('Support directory')")
    assert_accessible(page)
    page.click("a:has-text('Add a service')")
    page.click("button:has-text('Add service')")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.goto(f"{live_server}/support/directory/import")
    page.click("button:has-text('Import')")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)
    page.goto(f"{live_server}/support/directory/releases")
    assert_accessible(page)
    page.goto(f"{live_server}/support/performance")
    assert_accessible(page)
