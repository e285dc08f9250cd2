"""Her own view: reference + passphrase, her report only, consents she can withdraw (and the
next decision changes), decisions with proofs, sealed answers only after the passphrase again,
and the proof file `safeshare-verify` checks offline."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.ledger import service as ledger
from safeshare.ledger.offline import main as verify_main
from safeshare.ledger.startup import ensure_signer, ledger_verifier
from safeshare.reporting import service as reporting
from safeshare.reporting.models import Report
from safeshare.reporting.schemas import (
    AnonymousReportCreate,
    ConsentGrant,
    SealedDetails,
    UpdateCreate,
)
from safeshare.reporting.vocabulary import ConsentPurpose, CrimeType
from safeshare.runtime import Runtime
from tests.web.conftest import CSRF_RE
from tests.web.reporting_fixtures import ensure_vault_key, make_report

PASSPHRASE = "violet kettle under the stairs"
SUPPORT_REQUEST = {
    "requester": {"agency": "support_org", "purpose": "victim_support"},
    "categories": ["contact"],
    "status_doubt_only": False,
}


def _anonymous_report(runtime: Runtime, passphrase: str = PASSPHRASE) -> str:
    payload = AnonymousReportCreate(
        crime_type=CrimeType.domestic_abuse,
        passphrase=passphrase,  # type: ignore[arg-type]
        details=SealedDetails(
            nationality="Fictionalian", immigration_status="Spouse visa", account="CANARY-ACCOUNT"
        ),
        consents=[ConsentGrant(purpose=ConsentPurpose.victim_support)],
    )
    with runtime.session() as session:
        return reporting.create_report(
            session,
            payload=payload,
            actor=Actor.public(),
            provider=ensure_vault_key(runtime.settings),
            config=runtime.settings.reporting,
        ).reference


def _decide(client: TestClient, token: str, reference: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/decisions",
        json={"report_ref": reference, **SUPPORT_REQUEST},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _checkpoint(runtime: Runtime) -> None:
    with runtime.session() as session:
        ledger.create_checkpoint(
            session,
            signer=ensure_signer(runtime.settings),
            origin=runtime.settings.ledger_origin,
        )


def _csrf(client: TestClient, path: str) -> str:
    match = CSRF_RE.search(client.get(path).text)
    assert match
    return match.group(1)


def _sign_in(client: TestClient, reference: str, passphrase: str = PASSPHRASE) -> Any:
    return client.post(
        "/report/view",
        data={
            "reference": reference,
            "passphrase": passphrase,
            "csrf_token": _csrf(client, "/report/view"),
        },
    )


@pytest.fixture
def her(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_wrong_passphrase_or_unknown_reference_opens_nothing(
    her: TestClient, web_runtime: Runtime
) -> None:
    reference = _anonymous_report(web_runtime)
    for ref, phrase in ((reference, "not the passphrase at all"), ("SS-AAAAA-BBBBB", PASSPHRASE)):
        response = _sign_in(her, ref, phrase)
        assert response.status_code == 400
        assert "The reference or passphrase is not right" in response.text
    assert her.get("/report/view/report").headers["location"] == "/report/view?expired=1"
    assert her.get("/report/view/proofs.zip").status_code == 303


def test_she_sees_her_report_and_decisions_only(
    her: TestClient, anon: TestClient, web_runtime: Runtime, api_tokens: dict[Role, str]
) -> None:
    mine, other = _anonymous_report(web_runtime), _anonymous_report(web_runtime, "another one here")
    _decide(anon, api_tokens[Role.officer], mine)
    _decide(anon, api_tokens[Role.officer], other)
    _checkpoint(web_runtime)
    assert _sign_in(her, mine).headers["location"] == "/report/view/report"
    page = her.get("/report/view/report").text
    assert mine in page and other not in page
    assert "A support organisation asked, to support you as a victim" in page
    assert page.count('class="govuk-summary-card app-decision"') == 1
    assert "data-proof-status" in page, page[page.index("app-decision") :][:3000]
    assert "/static/js/verify-proof.js" in page
    # Nothing sealed without the passphrase again.
    for sealed in ("Fictionalian", "Spouse visa", "CANARY-ACCOUNT"):
        assert sealed not in page
    # Her view is bound to her report: another report's consent ids do not work.
    with web_runtime.session() as session:
        other_id = reporting.find_report_id(session, reference=other)
        assert other_id is not None
        other_consent = session.get_one(Report, other_id).consents[0].id
    response = her.post(
        f"/report/view/consents/{other_consent}/withdraw",
        data={"csrf_token": _csrf(her, "/report/view/report")},
    )
    assert response.status_code == 404


def test_sealed_answers_need_the_passphrase_again(her: TestClient, web_runtime: Runtime) -> None:
    reference = _anonymous_report(web_runtime)
    _sign_in(her, reference)
    token = _csrf(her, "/report/view/answers")
    wrong = her.post("/report/view/answers", data={"passphrase": "wrong", "csrf_token": token})
    assert wrong.status_code == 400 and "Spouse visa" not in wrong.text
    right = her.post("/report/view/answers", data={"passphrase": PASSPHRASE, "csrf_token": token})
    assert right.status_code == 200
    assert "Spouse visa" in right.text and "CANARY-ACCOUNT" in right.text
    # Shown in that response only: the report page still holds none of it.
    assert "Spouse visa" not in her.get("/report/view/report").text


def test_withdrawing_consent_changes_the_next_decision(
    her: TestClient, anon: TestClient, web_runtime: Runtime, api_tokens: dict[Role, str]
) -> None:
    reference = _anonymous_report(web_runtime)
    before = _decide(anon, api_tokens[Role.officer], reference)
    _sign_in(her, reference)
    page = her.get("/report/view/report").text
    consent_id = re.search(r"/report/view/consents/(\d+)/withdraw", page)
    assert consent_id
    response = her.post(
        f"/report/view/consents/{consent_id.group(1)}/withdraw",
        data={"csrf_token": _csrf(her, "/report/view/report")},
    )
    assert response.headers["location"] == "/report/view/report?withdrawn=1#consents"
    assert "Withdrawn on" in her.get("/report/view/report").text
    after = _decide(anon, api_tokens[Role.officer], reference)
    assert before["disclose"] == ["contact"]
    assert after["disclose"] == [] and after != before


def test_officer_update_for_her_is_shown_internal_notes_are_not(
    her: TestClient, web_runtime: Runtime
) -> None:
    reference = _anonymous_report(web_runtime)
    officer = Actor(username="officer", role=Role.officer)
    provider = ensure_vault_key(web_runtime.settings)
    with web_runtime.session() as session:
        report_id = reporting.find_report_id(session, reference=reference)
        assert report_id is not None
        for text, for_her in (("We have spoken to a witness.", True), ("Internal note X1", False)):
            reporting.add_update(
                session,
                report_id=report_id,
                payload=UpdateCreate(text=text, is_for_victim=for_her),
                actor=officer,
                provider=provider,
                config=web_runtime.settings.reporting,
            )
    _sign_in(her, reference)
    page = her.get("/report/view/report").text
    assert "We have spoken to a witness." in page and "Internal note X1" not in page


def test_proof_file_verifies_offline_and_tampering_fails(
    her: TestClient,
    anon: TestClient,
    web_runtime: Runtime,
    api_tokens: dict[Role, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reference = _anonymous_report(web_runtime)
    _decide(anon, api_tokens[Role.officer], reference)
    _checkpoint(web_runtime)
    _sign_in(her, reference)
    response = her.get("/report/view/proofs.zip")
    assert response.status_code == 200
    bundle = tmp_path / "proofs.zip"
    bundle.write_bytes(response.content)
    with zipfile.ZipFile(bundle) as zf:
        proofs = zf.read("proofs.jsonl").decode()
    assert proofs.count("\n") == 1 and reference in proofs
    assert verify_main([str(bundle), "--vkey", _vkey(web_runtime), "--quiet"]) == 0
    assert "Inclusion verified: 1 entry" in capsys.readouterr().out

    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as out:
        for name in src.namelist():
            data = src.read(name)
            if name == "proofs.jsonl":
                data = data.replace(b'\\"contact\\"', b'\\"health\\"', 1)
            out.writestr(name, data)
    assert verify_main([str(tampered), "--vkey", _vkey(web_runtime), "--quiet"]) == 1


def _vkey(runtime: Runtime) -> str:
    return ledger_verifier(runtime.settings).to_vkey()


def test_a_staff_update_form_can_write_for_the_victim(
    client_for: Any, web_runtime: Runtime
) -> None:
    receipt = make_report(web_runtime)
    officer = client_for(Role.officer)
    path = f"/reports/{receipt.report_id}/updates/new"
    form = {"text": "Your case has a new officer.", "is_for_victim": "yes"}
    response = officer.post(path, data={**form, "csrf_token": _csrf(officer, path)})
    assert response.status_code == 303, response.text
    empty = officer.post(
        path,
        data={
            "is_for_victim": "yes",
            "new_status": "under_investigation",
            "csrf_token": _csrf(officer, path),
        },
    )
    assert empty.status_code == 400 and "Write the update the victim will read" in empty.text
    with web_runtime.session() as session:
        kinds = [u.kind for u in session.get_one(Report, receipt.report_id).updates]
    assert kinds == ["victim_update"]
