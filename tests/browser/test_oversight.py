"""Oversight pages in a real browser, checked with axe (WCAG 2.2 AA), with and without
JavaScript: the statistics page (charts, data tables, filters), the intersectional page, the
recommendations tracker and the outcome form."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from safeshare.config import Settings
from safeshare.oversight import recommendations
from safeshare.oversight.models import ShareOutcome
from safeshare.runtime import Runtime
from tests.browser.conftest import assert_accessible, finish_mfa
from tests.factories import oversight as rows
from tests.factories.oversight import at
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

QUERY = "from=2024-01-01&to=2024-12-31"
SCREENSHOTS = os.environ.get("SAFESHARE_SCREENSHOTS")  # a directory to save page images in


@pytest.fixture(scope="module")
def seeded(live_server: str, browser_settings: Settings) -> dict[str, int]:
    runtime = Runtime(browser_settings)
    try:
        with runtime.session() as s:
            for i in range(240):
                rows.decision(
                    s,
                    requested_at=at(2024, 1 + i % 12, 1 + i % 27),
                    force=("Test Force", "Northshire Police", "Westmoor Police")[i % 3],
                    regime=("npcc-2020", "firewall", "iemvp")[i % 3],
                    outcome=("permit", "deny", "review", "deny")[i % 4],
                    agency=("immigration_enforcement", "police", "health")[i % 3],
                    review="pending" if i % 4 == 2 else None,
                )
            sent = rows.disclosure(s, sent_at=at(2024, 2, 1), force="Test Force")
            s.add(
                ShareOutcome(
                    disclosure_id=sent.id,
                    track="immigration",
                    outcome="support_contact",
                    occurred_on=date(2024, 2, 5),
                    recorded_by="disclosure-officer",
                )
            )
            for i in range(120):
                report = rows.report(
                    s,
                    reported_at=at(2024, 1 + i % 12, 3),
                    sex=("female", "male", None)[i % 3],
                    pathway=("officer", "public_online", "third_party")[i % 3],
                )
                rows.right(
                    s,
                    report,
                    number=4,
                    status="met" if i % 4 else "pending",
                    due_on=date(2024, 12, 31),
                    met_at=at(2024, 12, 1) if i % 4 else None,
                )
            recommendations.seed_safe_to_share(s)
            return {"sent": sent.id}
    finally:
        runtime.engine.dispose()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    finish_mfa(page, username)
    page.wait_for_url(f"{base}/home")


def snap(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_statistics_page_is_accessible(
    live_server: str,
    page_factory: Callable[..., Any],
    seeded: dict[str, int],
    javascript: bool,
) -> None:
    page = page_factory(javascript=javascript)
    sign_in(page, live_server, "pcc-analyst")
    page.goto(f"{live_server}/oversight/statistics?{QUERY}")
    assert page.inner_text("h1") == "Share requests"
    assert page.locator("svg[role=img]").count() >= 5
    assert page.locator("table.app-oversight-data").count() >= 6
    assert page.locator("text=Download this table as CSV").count() >= 6
    snap(page, f"statistics-{'js' if javascript else 'nojs'}")
    assert_accessible(page)


def test_other_statistics_pages_are_accessible(
    live_server: str, page_factory: Callable[..., Any], seeded: dict[str, int]
) -> None:
    page = page_factory()
    sign_in(page, live_server, "inspector")
    for section in ("disclosures", "victims-code", "forces", "intersectional"):
        page.goto(f"{live_server}/oversight/statistics/{section}?{QUERY}")
        snap(page, f"statistics-{section}")
        assert_accessible(page)
    page.goto(f"{live_server}/oversight/statistics?from-day=31&from-month=2&from-year=2024")
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)


def test_tracker_and_outcome_form_are_accessible(
    live_server: str, page_factory: Callable[..., Any], seeded: dict[str, int]
) -> None:
    page = page_factory()
    sign_in(page, live_server, "pcc-analyst")
    page.goto(f"{live_server}/oversight/recommendations")
    assert_accessible(page)
    page.click("text=1. Stop sharing where the only concern")
    page.click("text=Update the response")
    assert_accessible(page)
    page.click("button:has-text('Save')")  # awaiting, no changes: saves
    snap(page, "recommendation")
    assert_accessible(page)

    officer = page_factory(javascript=False)
    sign_in(officer, live_server, "disclosure-officer")
    officer.goto(f"{live_server}/oversight/outcomes")
    assert_accessible(officer)
    officer.goto(f"{live_server}/oversight/outcomes/{seeded['sent']}")
    officer.click("button:has-text('Record outcome')")
    assert officer.locator(".govuk-error-summary").is_visible()
    snap(officer, "outcome-errors")
    assert_accessible(officer)
