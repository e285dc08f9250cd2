"""The inspectors' ledger pages in a real browser with JavaScript off, checked with axe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from safeshare.config import Settings
from safeshare.ledger import service
from safeshare.ledger.startup import ensure_signer
from safeshare.runtime import Runtime
from tests.browser.conftest import assert_accessible, finish_mfa
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

ACTOR = "browser-ledger-officer"


@pytest.fixture(scope="module")
def ledger_seq(live_server: str, browser_settings: Settings) -> int:
    """Entries in the live server's database, a signed checkpoint; the seq of one entry."""
    runtime = Runtime(browser_settings)
    try:
        with runtime.session() as session:
            appended = service.append_entries(
                session,
                records=[
                    service.EntryInput(
                        "policy.decision",
                        ACTOR,
                        {"decision_id": i, "categories": ["crime", "safeguarding"]},
                        datetime(2024, 2, 1, 12, 0, i, tzinfo=UTC),
                    )
                    for i in range(60)
                ],
            )
        with runtime.session() as session:
            service.create_checkpoint(
                session,
                signer=ensure_signer(browser_settings),
                origin=browser_settings.ledger_origin,
            )
    finally:
        runtime.engine.dispose()
    return appended[5].seq


def _sign_in_as_inspector(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/login?next=/ledger")
    page.fill("#username", "inspector")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    finish_mfa(page, "inspector")
    page.wait_for_url(f"{live_server}/ledger")


def test_ledger_page_and_entry_detail_without_javascript(
    live_server: str, page_factory: Callable[..., Any], ledger_seq: int
) -> None:
    page = page_factory(javascript=False)
    _sign_in_as_inspector(page, live_server)
    assert page.inner_text("h1") == "Ledger"
    assert page.title() == "Ledger – SafeShare"
    assert page.locator(".govuk-service-navigation a:has-text('Ledger')").count() == 1
    assert "Checks passed" in page.inner_text("main")
    note = page.inner_text("#signed-note")
    assert note.startswith("safeshare.example/ledger\n") and "\n\u2014 " in note
    assert_accessible(page)

    page.click("button:has-text('Run full verification')")
    page.wait_for_url(f"{live_server}/ledger#full-verification")
    assert "Full verification passed" in page.inner_text(".govuk-notification-banner")
    assert_accessible(page)

    page.click("a:has-text('Search ledger entries')")
    page.fill("#actor", ACTOR)
    page.fill("#from-day", "1")
    page.fill("#from-month", "2")
    page.fill("#from-year", "2024")
    page.click("button:has-text('Search entries')")
    assert page.locator("#ledger-entries tbody tr").count() == 50
    assert "Older entries" in page.inner_text(".govuk-pagination")
    assert_accessible(page)

    page.click(".govuk-pagination a:has-text('Older entries')")
    assert page.locator("#ledger-entries tbody tr").count() == 10
    page.click(f"a[href='/ledger/entries/{ledger_seq}']")
    page.wait_for_url(f"{live_server}/ledger/entries/{ledger_seq}")
    assert page.inner_text("h1") == f"Entry {ledger_seq}"
    assert "Included" in page.inner_text("#main-content")
    assert page.locator("#audit-path li").count() >= 1
    assert_accessible(page)


def test_entry_search_errors_are_accessible(
    live_server: str, page_factory: Callable[..., Any], ledger_seq: int
) -> None:
    page = page_factory(javascript=False)
    _sign_in_as_inspector(page, live_server)
    page.goto(f"{live_server}/ledger/entries")
    page.fill("#from-day", "31")
    page.fill("#from-month", "2")
    page.fill("#from-year", "2024")
    page.click("button:has-text('Search entries')")
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary a")
    assert summary.inner_text() == "From date must be a real date"
    assert summary.get_attribute("href") == "#from-day"
    assert page.input_value("#from-day") == "31"
    assert_accessible(page)
