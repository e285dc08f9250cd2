"""An officer takes a report, opens it and shows a sealed field with a reason, in a real
browser with JavaScript off; axe (WCAG 2.2 AA) runs on every page on the way."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from safeshare.config import Settings
from tests.browser.conftest import assert_accessible, finish_mfa
from tests.web.conftest import PASSWORD
from tests.web.reporting_fixtures import ensure_vault_key

pytestmark = pytest.mark.browser


@pytest.fixture
def vault_key(browser_settings: Settings) -> None:
    """The live server seals answers with the file key provider: give it a key file."""
    ensure_vault_key(browser_settings)


def test_officer_reports_then_shows_a_sealed_field_with_a_reason(
    vault_key: None, live_server: str, page_factory: Callable[..., Any]
) -> None:
    status = f"Volunteered status {uuid.uuid4().hex[:8]}"
    page = page_factory(javascript=False)
    page.goto(f"{live_server}/login")
    page.fill("#username", "officer")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    finish_mfa(page, "officer")
    page.wait_for_url(f"{live_server}/home")

    page.click("a.govuk-service-navigation__link:has-text('Reports')")
    page.wait_for_url(f"{live_server}/reports")
    assert page.inner_text("h1") == "Reports"
    assert_accessible(page)

    page.click("a:has-text('Take a report')")
    page.wait_for_url(f"{live_server}/reports/new")
    assert_accessible(page)

    # Nothing chosen: the error summary links to the question, and what was typed stays.
    page.fill("#immigration_status", status)
    page.click("button:has-text('Save report')")
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    assert "Select the type of crime" in summary.inner_text()
    assert page.input_value("#immigration_status") == status
    assert_accessible(page)
    page.click(".govuk-error-summary a:has-text('Select the type of crime')")
    assert page.url.endswith("#crime_type")

    page.check("input[name='crime_type'][value='domestic_abuse']")
    page.fill("#name", "Browser Person")
    page.fill("#occurred_from-day", "3")
    page.fill("#occurred_from-month", "2")
    page.fill("#occurred_from-year", "2025")
    page.click("button:has-text('Save report')")
    page.wait_for_url(f"{live_server}/reports/*")
    assert page.inner_text("h1").startswith("Report SS-")
    assert "has been recorded" in page.inner_text(".govuk-notification-banner")
    assert status not in page.content() and "Browser Person" not in page.content()
    assert_accessible(page)

    # "Show" without a reason is refused; with one, only the chosen field is shown.
    page.check("input[name='fields'][value='immigration_status']")
    page.click("button:has-text('Show')")
    assert "Enter the reason" in page.inner_text(".govuk-error-summary")
    assert status not in page.content()
    assert_accessible(page)
    page.fill("#reason", "To arrange immigration advice the victim asked for")
    page.click("button:has-text('Show')")
    rows = page.locator(".govuk-summary-list__row", has_text="Immigration status")
    assert status in rows.first.inner_text()
    assert "Browser Person" not in page.content()
    assert "recorded" in page.inner_text(".govuk-notification-banner")
    assert_accessible(page)
