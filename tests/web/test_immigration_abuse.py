"""The immigration abuse indicator on officer and third-party reports: optional, checked
against its list, stored for statistics."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.reporting.models import Report
from safeshare.runtime import Runtime
from tests.web.reporting_fixtures import REPORT_LINK, ensure_vault_key, error_summary, post_form

Clients = Callable[[Role], TestClient]


@pytest.fixture(autouse=True, scope="module")
def _vault_key(web_runtime: Runtime) -> None:
    ensure_vault_key(web_runtime.settings)


def _stored(web_runtime: Runtime, location: str) -> str | None:
    match = REPORT_LINK.match(location)
    assert match, location
    with web_runtime.session() as s:
        report = s.get(Report, int(match.group(1)))
        assert report is not None
        return report.immigration_abuse


@pytest.mark.parametrize(("role", "answer"), [(Role.officer, "yes"), (Role.advocate, "not_sure")])
def test_the_indicator_is_recorded(
    client_for: Clients, web_runtime: Runtime, role: Role, answer: str
) -> None:
    client = client_for(role)
    assert "Immigration abuse (optional)" in client.get("/reports/new").text
    method = "officer_phone" if role is Role.officer else "third_party_advocate"
    response = post_form(
        client,
        "/reports/new",
        {
            "crime_type": "domestic_abuse",
            "with_identity": "no",
            "immigration_abuse": answer,
            "consents": ["victim_support"],
            "consent_method": method,
        },
    )
    assert response.status_code == 303, error_summary(response.text)
    assert _stored(web_runtime, response.headers["location"]) == answer


def test_the_indicator_is_optional_and_checked(client_for: Clients, web_runtime: Runtime) -> None:
    officer = client_for(Role.officer)
    skipped = post_form(officer, "/reports/new", {"crime_type": "violence"})
    assert skipped.status_code == 303
    assert _stored(web_runtime, skipped.headers["location"]) is None
    bad = post_form(
        officer, "/reports/new", {"crime_type": "violence", "immigration_abuse": "maybe"}
    )
    assert bad.status_code == 400
    assert dict(error_summary(bad.text))["#immigration_abuse"] == (
        "Select an answer about immigration abuse from the list"
    )
