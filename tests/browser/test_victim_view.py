"""Her own view in a real browser: a decision an officer made through the API is listed with
an inclusion proof her browser verifies (and a tampered one does not), the downloaded proof
file verifies with the `safeshare-verify` command, and withdrawing consent changes the next
decision. With JavaScript on and off, at 375 px and 1280 px, checked with axe."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from safeshare.auth import service as auth_service
from safeshare.auth.permissions import Actor
from safeshare.config import Settings
from safeshare.ledger import service as ledger
from safeshare.ledger.startup import ensure_signer, ledger_verifier
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import AnonymousReportCreate, ConsentGrant
from safeshare.reporting.vocabulary import ConsentPurpose, CrimeType
from safeshare.runtime import Runtime
from tests.browser.conftest import assert_accessible
from tests.web.reporting_fixtures import ensure_vault_key

pytestmark = pytest.mark.browser

PASSPHRASE = "blue lantern over the river"
WIDTHS = (375, 1280)
# What sticks out past the viewport, for the failure message.
WIDE = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth)
  .slice(0, 8).map(e => `${e.tagName}.${e.className}`)"""


def _with_runtime(settings: Settings, work: Callable[[Any], Any]) -> Any:
    runtime = Runtime(settings)
    try:
        with runtime.session() as session:
            return work(session)
    finally:
        runtime.engine.dispose()


def _report(settings: Settings) -> str:
    payload = AnonymousReportCreate(
        crime_type=CrimeType.domestic_abuse,
        passphrase=PASSPHRASE,  # type: ignore[arg-type]
        consents=[ConsentGrant(purpose=ConsentPurpose.victim_support)],
    )
    return str(
        _with_runtime(
            settings,
            lambda session: (
                reporting.create_report(
                    session,
                    payload=payload,
                    actor=Actor.public(),
                    provider=ensure_vault_key(settings),
                    config=settings.reporting,
                ).reference
            ),
        )
    )


def _officer_token(settings: Settings) -> str:
    def issue(session: Any) -> str:
        user = auth_service.get_user_by_username(session, username="officer")
        assert user is not None
        return auth_service.issue_token(session, user_id=user.id)

    return str(_with_runtime(settings, issue))


def _decide(live_server: str, token: str, reference: str) -> dict[str, Any]:
    """A decision made by an officer through the API, as another force system would."""
    response = httpx.post(
        f"{live_server}/api/v1/decisions",
        json={
            "report_ref": reference,
            "requester": {"agency": "support_org", "purpose": "victim_support"},
            "categories": ["contact"],
            "status_doubt_only": False,
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _sign_checkpoint(settings: Settings) -> None:
    _with_runtime(
        settings,
        lambda session: ledger.create_checkpoint(
            session, signer=ensure_signer(settings), origin=settings.ledger_origin
        ),
    )


def _open_view(page: Any, live_server: str, reference: str) -> None:
    page.goto(f"{live_server}/report/view")
    page.fill("#reference", reference)
    page.fill("#passphrase", PASSPHRASE)
    page.click("button:has-text('View your report')")
    page.wait_for_url(f"{live_server}/report/view/report")


@pytest.fixture
def decided(live_server: str, browser_settings: Settings) -> tuple[str, dict[str, Any]]:
    """A report with one API decision about it, covered by a signed checkpoint."""
    reference = _report(browser_settings)
    decision = _decide(live_server, _officer_token(browser_settings), reference)
    _sign_checkpoint(browser_settings)
    return reference, decision


@pytest.mark.parametrize("width", WIDTHS)
def test_the_decision_verifies_in_her_browser(
    live_server: str,
    page_factory: Callable[..., Any],
    decided: tuple[str, dict[str, Any]],
    width: int,
) -> None:
    reference, decision = decided
    assert decision["disclose"] == ["contact"]
    page = page_factory()
    page.set_viewport_size({"width": width, "height": 900})
    _open_view(page, live_server, reference)
    card = page.locator(".app-decision")
    assert card.count() == 1
    assert "A support organisation asked, to support you as a victim" in card.inner_text()
    status = card.locator("[data-proof-status]")
    status.filter(has_text="Verified").wait_for()
    assert status.inner_text() == "Verified"
    # Reflows: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.evaluate(WIDE)
    assert_accessible(page)


def test_a_tampered_proof_does_not_verify(
    live_server: str, page_factory: Callable[..., Any], decided: tuple[str, dict[str, Any]]
) -> None:
    reference, _ = decided
    page = page_factory()

    def tamper(route: Any) -> None:
        html = route.fetch().text()
        assert "&#34;contact&#34;" in html
        route.fulfill(
            body=html.replace("&#34;contact&#34;", "&#34;health&#34;", 1),
            content_type="text/html",
        )

    _open_view(page, live_server, reference)
    # (Playwright routes a redirect's first request only, so load the page again.)
    page.route(f"{live_server}/report/view/report", tamper)
    page.goto(f"{live_server}/report/view/report")
    status = page.locator(".app-decision [data-proof-status]")
    status.filter(has_text="Could not verify").wait_for()
    assert status.inner_text() == "Could not verify"


def test_the_proof_file_verifies_with_safeshare_verify(
    live_server: str,
    page_factory: Callable[..., Any],
    decided: tuple[str, dict[str, Any]],
    browser_settings: Settings,
    tmp_path: Path,
) -> None:
    reference, _ = decided
    page = page_factory(javascript=False)
    _open_view(page, live_server, reference)
    assert "Not checked in this browser" in page.inner_text(".app-decision")
    page.click("summary:has-text('How to check these decisions yourself')")
    assert "safeshare-verify safeshare-proofs.zip --vkey" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("a:has-text('Download the proof file')")
    bundle = tmp_path / "safeshare-proofs.zip"
    download.value.save_as(bundle)
    command = Path(sys.executable).with_name("safeshare-verify")
    vkey = ledger_verifier(browser_settings).to_vkey()
    result = subprocess.run(
        [str(command), str(bundle), "--vkey", vkey, "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Inclusion verified: 1 entry" in result.stdout


@pytest.mark.parametrize("javascript", [False, True])
def test_withdrawing_consent_changes_the_next_decision(
    live_server: str,
    page_factory: Callable[..., Any],
    decided: tuple[str, dict[str, Any]],
    browser_settings: Settings,
    javascript: bool,
) -> None:
    reference, before = decided
    page = page_factory(javascript=javascript)
    page.set_viewport_size({"width": 375, "height": 800})
    _open_view(page, live_server, reference)
    assert_accessible(page)
    page.click("#consents ~ ul button:has-text('Withdraw')")
    page.wait_for_url(f"{live_server}/report/view/report?withdrawn=1#consents")
    assert "You have withdrawn your agreement" in page.inner_text(".govuk-notification-banner")
    assert "Withdrawn on" in page.inner_text("main")
    after = _decide(live_server, _officer_token(browser_settings), reference)
    assert before["disclose"] == ["contact"] and after["disclose"] == []
    _sign_checkpoint(browser_settings)
    page.reload()
    assert page.locator(".app-decision").count() == 2
    assert "Not shared" in page.locator(".app-decision").first.inner_text()
