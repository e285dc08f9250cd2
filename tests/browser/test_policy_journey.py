"""Request to share information and decide a review in a real browser with JavaScript off,
checking every page with axe (WCAG 2.2 AA)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import assert_accessible, finish_mfa
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    finish_mfa(page, username)
    page.wait_for_url(f"{base}/home")


def test_request_to_share_then_review_and_record_what_was_sent(
    live_server: str, page_factory: Callable[..., Any]
) -> None:
    officer = page_factory(javascript=False)
    _sign_in(officer, live_server, "officer")
    officer.click("a:has-text('Request to share')")
    officer.wait_for_url(f"{live_server}/policy/share")
    assert officer.inner_text("h1") == "Request to share information"
    assert_accessible(officer)

    # Nothing entered: the error summary links to each question.
    officer.click("button:has-text('Check the request')")
    assert officer.title().startswith("Error:")
    summary = officer.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert summary.locator("a[href='#agency']").count() == 1
    assert_accessible(officer)

    # A general enquiry (no report): it can only be refused or sent to a person to decide.
    officer.check("input[name=agency][value=police]")
    officer.check("input[name=purpose][value=criminal_investigation]")
    officer.check("input[name=status_doubt_only][value=no]")
    officer.check("input[name=categories][value=identity]")
    officer.check("input[name=categories][value=health]")
    officer.click("button:has-text('Check the request')")
    officer.wait_for_url(re.compile(r".*/policy/share/\d+$"))
    decision_id = officer.url.rsplit("/", 1)[1]
    assert "An information-sharing officer must decide" in officer.inner_text("h1")
    body = officer.inner_text("main")
    assert "This request names no report" in body
    assert "Health information is shared only for safeguarding" in body
    assert "Full firewall" in body
    assert_accessible(officer)

    # The disclosure officer finds it in the queue and decides, with reasons.
    reviewer = page_factory(javascript=False)
    _sign_in(reviewer, live_server, "disclosure-officer")
    reviewer.click("a:has-text('Review queue')")
    reviewer.wait_for_url(f"{live_server}/policy/reviews")
    assert_accessible(reviewer)
    # Other browser tests share this server's database, so the queue (oldest first) may
    # put this request on a later page: reach it from the decision's own page instead.
    reviewer.goto(f"{live_server}/policy/decisions/{decision_id}")
    reviewer.click("a:has-text('Review this request')")
    assert reviewer.inner_text("h1") == f"Review decision {decision_id}"
    assert_accessible(reviewer)

    reviewer.check("input[name=decision_identity][value=disclose]")
    reviewer.click("button:has-text('Record my decision')")
    assert reviewer.title().startswith("Error:")
    assert reviewer.locator(".govuk-error-summary a[href='#rationale_identity']").count() == 1
    assert reviewer.is_checked("input[name=decision_identity][value=disclose]")
    assert_accessible(reviewer)

    reviewer.fill("#rationale_identity", "Named in a warrant for a serious offence.")
    reviewer.click("button:has-text('Record my decision')")
    reviewer.wait_for_url(re.compile(rf".*/policy/decisions/{decision_id}\?reviewed=true$"))
    assert "Your review has been recorded" in reviewer.inner_text(".govuk-notification-banner")
    assert "Named in a warrant for a serious offence." in reviewer.inner_text("main")
    assert_accessible(reviewer)

    # Then records what was actually sent.
    reviewer.click("a:has-text('Record what was sent')")
    assert reviewer.inner_text("h1") == "Record what was sent"
    assert reviewer.locator("input[name=categories]").count() == 1  # only identity may go
    assert_accessible(reviewer)
    now = datetime.now(ZoneInfo("Europe/London"))  # the default configured zone
    reviewer.check("input[name=categories][value=identity]")
    reviewer.check("input[name=method][value=secure_email]")
    reviewer.fill("#recipient_organisation", "Demoshire Police Public Protection Unit")
    reviewer.check("#lawful_basis")
    reviewer.select_option("#processing_condition", "not_sensitive")
    reviewer.fill("#sent_at-day", str(now.day))
    reviewer.fill("#sent_at-month", str(now.month))
    reviewer.fill("#sent_at-year", str(now.year))
    reviewer.fill("#sent_time", f"{now:%H:%M}")
    reviewer.click("button:has-text('Record disclosure')")
    reviewer.wait_for_url(re.compile(r".*/policy/disclosures/\d+\?recorded=true$"))
    assert "Secure email" in reviewer.inner_text("main")
    assert_accessible(reviewer)


def test_the_decisions_and_regime_pages_are_accessible(
    live_server: str, page_factory: Callable[..., Any]
) -> None:
    inspector = page_factory(javascript=False)
    _sign_in(inspector, live_server, "inspector")
    inspector.goto(f"{live_server}/policy/decisions")
    assert_accessible(inspector)
    inspector.goto(f"{live_server}/policy/disclosures")
    assert_accessible(inspector)

    admin = page_factory(javascript=True)
    _sign_in(admin, live_server, "admin")
    admin.goto(f"{live_server}/policy/regime")
    assert_accessible(admin)
    admin.click("button:has-text('Change regime')")
    assert admin.title().startswith("Error:")
    assert_accessible(admin)
