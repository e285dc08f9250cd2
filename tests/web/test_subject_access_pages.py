"""The subject access page: a disclosure officer downloads the bundle (JSON or PDF) with
exemptions and corrects a sealed detail; every other role is refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.runtime import Runtime
from tests.web.conftest import csrf_from
from tests.web.reporting_fixtures import make_report

Clients = Callable[[Role], TestClient]
PAGE = "/subject-access"
NAME = "Ysolde Marchbank-Fictional"
OTHER = "Tamsin Oakhollow-CANARY"


def _post(client: TestClient, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_from(client, PAGE)})


def test_the_bundle_downloads_with_exemptions_and_details_can_be_corrected(
    client_for: Clients, web_runtime: Runtime
) -> None:
    mine = make_report(web_runtime, details={"name": NAME, "account": "What happened to me"})
    make_report(web_runtime, details={"name": OTHER})
    client = client_for(Role.disclosure_officer)
    assert client.get(PAGE).status_code == 200

    missing = _post(client, PAGE, {"report_ref": mine.reference})
    assert missing.status_code == 400
    assert 'href="#verification_note"' in missing.text and 'href="#format"' in missing.text
    bad = _post(
        client,
        PAGE,
        {
            "report_ref": mine.reference,
            "verification_note": "Passport seen",
            "exemptions": "not a line",
            "format": "json",
        },
    )
    assert bad.status_code == 400 and 'href="#exemptions"' in bad.text

    response = _post(
        client,
        PAGE,
        {
            "report_ref": mine.reference,
            "verification_note": "Passport seen",
            "exemptions": "sealed.account = Would prejudice the investigation",
            "format": "json",
        },
    )
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "no-store" in response.headers["cache-control"]
    bundle = json.loads(response.text)
    assert bundle["sealed"]["name"] == NAME
    assert bundle["sealed"]["account"]["exempt"] is True
    assert OTHER not in response.text and "What happened to me" not in response.text

    pdf = _post(
        client,
        PAGE,
        {"report_ref": mine.reference, "verification_note": "Passport seen", "format": "pdf"},
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    corrected = _post(
        client,
        f"{PAGE}/rectify",
        {
            "rectify_report_ref": mine.reference,
            "field": "name",
            "value": "Ysolde Marchbank-Corrected",
            "reason": "Spelling confirmed from passport",
        },
    )
    assert corrected.status_code == 303
    blank = _post(client, f"{PAGE}/rectify", {"rectify_report_ref": mine.reference})
    assert blank.status_code == 400
    for field in ("field", "value", "reason"):
        assert f'href="#{field}"' in blank.text


def test_other_roles_are_refused(client_for: Clients) -> None:
    for role in (Role.officer, Role.supervisor, Role.inspector, Role.admin, Role.advocate):
        client = client_for(role)
        assert client.get(PAGE).status_code == 403, role
        token = csrf_from(client, "/home")
        for path in (PAGE, f"{PAGE}/rectify"):
            assert client.post(path, data={"csrf_token": token}).status_code == 403, role
