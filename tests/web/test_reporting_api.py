"""Reporting API: create by role, search and read unsealed, sealed reads with a reason,
422 problem details for bad input, and advocates kept to their own organisation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safeshare.auth import service as auth_service
from safeshare.auth.roles import Role
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import UpdateCreate
from safeshare.runtime import Runtime
from tests.web.conftest import PASSWORD
from tests.web.reporting_fixtures import (
    advocate_actor,
    bearer,
    ensure_vault_key,
    ledger_entries,
    make_report,
    officer_actor,
    reason_of,
    step_up_token_for,
    token_for,
)

API = "/api/v1/reports"
STATUS = "api-status-8c2d"


@pytest.fixture(autouse=True, scope="module")
def _vault_key(web_runtime: Runtime) -> None:
    ensure_vault_key(web_runtime.settings)


def _call(
    client: TestClient, tokens: dict[Role, str], role: Role, method: str, path: str, **kw: Any
) -> Any:
    return client.request(method, path, headers=bearer(tokens[role]), **kw)


def test_create_uses_the_pathway_for_the_role(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    body = {"crime_type": "domestic_abuse", "details": {"immigration_status": STATUS}}
    officer = _call(anon, api_tokens, Role.officer, "POST", API, json=body)
    assert officer.status_code == 201, officer.text
    created = officer.json()
    assert set(created) == {"id", "reference", "pathway", "reported_at"}
    assert created["pathway"] == "officer"
    assert STATUS not in officer.text
    advocate = _call(
        anon, api_tokens, Role.advocate, "POST", API, json={**body, "with_identity": False}
    )
    assert advocate.status_code == 201 and advocate.json()["pathway"] == "third_party"
    with web_runtime.session() as session:
        report = reporting.get_report_or_raise(
            session, report_id=advocate.json()["id"], actor=advocate_actor(web_runtime)
        )
    assert report.submitted_by_organisation_id == advocate_actor(web_runtime).organisation_id


@pytest.mark.parametrize(
    ("role", "body", "field"),
    [
        (Role.officer, {}, "crime_type"),
        (Role.officer, {"crime_type": "arson"}, "crime_type"),
        (Role.officer, {"crime_type": "other", "pathway": "third_party"}, "pathway"),
        (Role.officer, {"crime_type": "other", "colour": "red"}, "colour"),
        (Role.officer, {"crime_type": "other", "details": {"name": "N" * 201}}, "details.name"),
        (Role.advocate, {"crime_type": "other", "pathway": "third_party"}, "with_identity"),
        (Role.supervisor, {"crime_type": "other", "consent_method": "telepathy"}, "consent_method"),
    ],
)
def test_create_refuses_bad_input_with_422_naming_the_field(
    anon: TestClient, api_tokens: dict[Role, str], role: Role, body: dict[str, Any], field: str
) -> None:
    response = _call(anon, api_tokens, role, "POST", API, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert field in [e["field"] for e in problem["errors"]]
    assert "N" * 50 not in response.text  # what was sent is never echoed


def test_a_valid_report_for_another_roles_pathway_is_forbidden(
    anon: TestClient, api_tokens: dict[Role, str]
) -> None:
    """The contract's body is either pathway's report; the role decides which it may send."""
    officer_shaped = _call(
        anon, api_tokens, Role.advocate, "POST", API, json={"crime_type": "other"}
    )
    third_party = {"crime_type": "other", "with_identity": True}
    advocate_shaped = _call(anon, api_tokens, Role.officer, "POST", API, json=third_party)
    for response in (officer_shaped, advocate_shaped):
        assert response.status_code == 403
        assert "third-party reports" in response.json()["detail"]


def test_create_refuses_non_intake_roles(anon: TestClient, api_tokens: dict[Role, str]) -> None:
    for role in (Role.disclosure_officer, Role.inspector, Role.admin, Role.pcc_analyst):
        assert _call(anon, api_tokens, role, "POST", API, json={}).status_code == 403
    assert anon.post(API, json={}).status_code == 401


def test_search_and_read_are_unsealed_and_isolated(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    ours = make_report(
        web_runtime,
        actor=advocate_actor(web_runtime),
        details={"immigration_status": STATUS, "name": "Api Name"},
    )
    theirs = make_report(web_runtime, details={"immigration_status": STATUS})
    listing = _call(anon, api_tokens, Role.supervisor, "GET", API, params={"page_size": 100})
    assert listing.status_code == 200
    assert {ours.report_id, theirs.report_id} <= {i["id"] for i in listing.json()["items"]}
    assert STATUS not in listing.text and "Api Name" not in listing.text
    advocate = _call(anon, api_tokens, Role.advocate, "GET", API, params={"page_size": 100})
    ids = {i["id"] for i in advocate.json()["items"]}
    assert ours.report_id in ids and theirs.report_id not in ids
    by_reference = _call(
        anon, api_tokens, Role.officer, "GET", API, params={"reference": ours.reference}
    )
    assert [i["reference"] for i in by_reference.json()["items"]] == [ours.reference]
    bad = _call(anon, api_tokens, Role.officer, "GET", API, params={"crime_type": "arson"})
    assert bad.status_code == 422 and "crime_type" in bad.text
    detail = _call(anon, api_tokens, Role.officer, "GET", f"{API}/{ours.report_id}")
    assert detail.status_code == 200
    assert detail.json()["reference"] == ours.reference and len(detail.json()["rights"]) == 12
    assert STATUS not in detail.text and "Api Name" not in detail.text
    assert (
        _call(anon, api_tokens, Role.advocate, "GET", f"{API}/{theirs.report_id}").status_code
        == 404
    )
    assert _call(anon, api_tokens, Role.officer, "GET", f"{API}/999999").status_code == 404
    assert _call(anon, api_tokens, Role.inspector, "GET", API).status_code == 403


def test_sealed_reads_need_a_reason_and_are_recorded(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    receipt = make_report(
        web_runtime, actor=advocate_actor(web_runtime), details={"immigration_status": STATUS}
    )
    with web_runtime.session() as session:
        update = reporting.add_update(
            session,
            report_id=receipt.report_id,
            payload=UpdateCreate(text="api-update-text"),
            actor=officer_actor(),
            provider=ensure_vault_key(web_runtime.settings),
            config=web_runtime.settings.reporting,
        )
    path = f"{API}/{receipt.report_id}/sealed-reads"
    before = len(ledger_entries(web_runtime, "vault.read"))
    for body, field in (
        ({"fields": ["immigration_status"]}, "reason"),
        ({"fields": ["immigration_status"], "reason": "why"}, "reason"),
        ({"fields": ["shoe_size"], "reason": "Because"}, "fields.0"),
        ({"reason": "Nothing named"}, "body"),
    ):
        response = _call(anon, api_tokens, Role.officer, "POST", path, json=body)
        assert response.status_code == 422, body
        assert field in [e["field"] for e in response.json()["errors"]], response.json()
        assert STATUS not in response.text
    assert len(ledger_entries(web_runtime, "vault.read")) == before
    ok = _call(
        anon,
        api_tokens,
        Role.advocate,
        "POST",
        path,
        json={
            "fields": ["immigration_status", "name"],
            "update_ids": [update.id],
            "reason": "Preparing a referral",
        },
    )
    assert ok.status_code == 200, ok.text
    assert ok.json() == {
        "report_id": receipt.report_id,
        "reference": receipt.reference,
        "fields": {"immigration_status": STATUS, "name": None},
        "updates": {str(update.id): "api-update-text"},
    }
    reads = ledger_entries(web_runtime, "vault.read")[:3]
    assert {r["data"]["field"] for r in reads} == {
        "immigration_status",
        "name",
        f"update.{reporting_update_public_id(web_runtime, receipt.report_id)}",
    }
    assert all(
        r["actor"] == "advocate" and reason_of(web_runtime, r["data"]) == "Preparing a referral"
        for r in reads
    )
    assert all(STATUS not in str(r) for r in reads)
    other = step_up_token_for(web_runtime, "advocate-b")
    refused = anon.post(path, headers=bearer(other), json={"fields": ["name"], "reason": "Curious"})
    assert refused.status_code == 404 and STATUS not in refused.text
    missing_update = _call(
        anon,
        api_tokens,
        Role.officer,
        "POST",
        path,
        json={"update_ids": [update.id + 1000], "reason": "Checking"},
    )
    assert missing_update.status_code == 409  # the report exists; the update is not on it
    for role in (Role.inspector, Role.pcc_analyst, Role.admin):
        assert _call(anon, api_tokens, role, "POST", path, json={}).status_code == 403


def reporting_update_public_id(runtime: Runtime, report_id: int) -> str:
    """The vault field name of an update's text is `update.<public_id>`; read it from the DB."""
    from sqlalchemy import text

    with runtime.session() as session:
        value: str = session.execute(
            text("SELECT public_id FROM report_updates WHERE report_id = :r"), {"r": report_id}
        ).scalar_one()
    return value


def test_api_sealed_reads_need_a_short_lived_step_up_token(
    anon: TestClient, web_runtime: Runtime
) -> None:
    """A long-lived token alone (say, copied from a script's config) reads no sealed data;
    re-entering the password at POST /api/v1/step-up gives a token that does, for minutes."""
    receipt = make_report(
        web_runtime, actor=advocate_actor(web_runtime), details={"immigration_status": STATUS}
    )
    path = f"{API}/{receipt.report_id}/sealed-reads"
    body = {"fields": ["immigration_status"], "reason": "Preparing a referral"}
    ordinary = token_for(web_runtime, "advocate")
    before = len(ledger_entries(web_runtime, "vault.read"))
    refused = anon.post(path, headers=bearer(ordinary), json=body)
    assert refused.status_code == 403 and refused.json()["type"].endswith("step_up_required")
    assert STATUS not in refused.text
    assert len(ledger_entries(web_runtime, "vault.read")) == before
    wrong = anon.post(
        "/api/v1/step-up", headers=bearer(ordinary), json={"password": "not my password at all"}
    )
    assert wrong.status_code == 401 and "token" not in wrong.json()
    minted = anon.post("/api/v1/step-up", headers=bearer(ordinary), json={"password": PASSWORD})
    assert minted.status_code == 200, minted.text
    assert minted.json()["scope"] == "sealed-read"
    step_up = minted.json()["token"]
    ok = anon.post(path, headers=bearer(step_up), json=body)
    assert ok.status_code == 200 and ok.json()["fields"]["immigration_status"] == STATUS
    assert ledger_entries(web_runtime, "auth.step_up_token_issued")
    # It expires like any token: minutes, not days.
    with web_runtime.session() as session:
        row = auth_service.live_token(session, token=step_up)
        assert row is not None and row.expires_at is not None
        assert row.expires_at - row.created_at <= timedelta(minutes=15)
        row.expires_at = row.created_at
    assert anon.post(path, headers=bearer(step_up), json=body).status_code == 401
