"""Knowing the rules: the force's name, a privacy notice and "cover your tracks" on every public
page, and "What we share with the Home Office" generated from the active regime."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.policy import service as policy_service
from safeshare.policy.regimes import get_regime
from safeshare.runtime import Runtime
from tests.web.test_public_report import BEFORE_IDENTITY, answer

PUBLIC_PAGES = (
    "/",
    "/report",
    "/report/what-happened",
    "/report/return",
    "/report/privacy",
    "/report/cover-your-tracks",
    "/report/what-we-share",
)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_names_the_force_and_links_the_notices(
    anon: TestClient, path: str
) -> None:
    for lang, run_by in (("en", "This service is run by"), ("es", "Este servicio lo gestiona")):
        page = anon.get(path, params={"lang": lang})
        assert page.status_code == 200, path
        assert f'<html lang="{lang}"' in page.text
        text = _text(page.text)
        assert f"{run_by} Demoshire Police" in text, path
        for link in ("/report/privacy", "/report/cover-your-tracks", "/report/what-we-share"):
            assert f'href="{link}"' in page.text, (path, link)
        assert "govuk-exit-this-page" in page.text


def test_what_we_share_follows_the_active_regime(anon: TestClient, web_runtime: Runtime) -> None:
    firewall = get_regime("firewall")
    page = _text(anon.get("/report/what-we-share").text)
    assert firewall.title in page
    for policy in firewall.policies.values():
        assert policy.reason in page
    assert "Never shared" in page

    with web_runtime.session() as session:
        policy_service.set_active_regime(
            session, regime="npcc-2020", actor="admin", actor_role=Role.admin, note="test"
        )
    try:
        changed = _text(anon.get("/report/what-we-share").text)
        npcc = get_regime("npcc-2020")
        assert npcc.title in changed and firewall.title not in changed
        for policy in npcc.policies.values():
            assert policy.reason in changed
        assert "Decided case by case by a trained disclosure officer" in changed
        assert "In use since" in changed
    finally:
        with web_runtime.session() as session:
            policy_service.set_active_regime(
                session, regime="firewall", actor="admin", actor_role=Role.admin, note="reset"
            )


def test_the_notice_is_offered_before_nationality_is_asked(anon: TestClient) -> None:
    answer(anon, [*BEFORE_IDENTITY, ("your-details", {"identity": "no"})])
    page = anon.get("/report/about-you")
    assert 'href="/report/what-we-share"' in page.text
