"""The firewall API: the decision contract at /api/v1/decisions, regimes, and disclosures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.events import DomainEvent
from safeshare.policy import service
from safeshare.policy.regimes import get_regime
from safeshare.policy.schemas import ShareRequest
from safeshare.runtime import Runtime
from tests.unit.policy.builders import request_data

CONTRACT_KEYS = [
    "regime",
    "policy_hash",
    "outcome",
    "disclose",
    "withhold",
    "reasons",
    "referral_required",
    "enforcement_pause_required",
]
ENFORCEMENT = {"agency": "immigration_enforcement", "purpose": "immigration_enforcement"}


def _auth(tokens: dict[Role, str], role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def _post(
    client: TestClient, tokens: dict[Role, str], body: Any, role: Role = Role.officer, **kw: Any
) -> Any:
    return client.post("/api/v1/decisions", json=body, headers=_auth(tokens, role), **kw)


# --- POST /api/v1/decisions -------------------------------------------------------------


def test_a_valid_request_gets_the_contract_decision_and_a_location(
    anon: TestClient, api_tokens: dict[Role, str]
) -> None:
    body = request_data(categories=["identity", "address", "immigration_status", "health"])
    response = _post(anon, api_tokens, body)
    assert response.status_code == 201, response.text
    decision = response.json()
    assert list(decision) == CONTRACT_KEYS
    expected = get_regime("firewall").decide(ShareRequest.model_validate(body))
    assert decision == expected.model_dump(mode="json")
    assert decision["outcome"] == "permit"
    assert decision["disclose"] == ["identity", "address"]
    assert decision["withhold"] == ["immigration_status", "health"]
    assert all(set(r) == {"id", "effect", "text"} for r in decision["reasons"])

    location = response.headers["location"]
    assert location.startswith("/api/v1/decisions/")
    again = anon.get(location, headers=_auth(api_tokens, Role.officer))
    assert again.status_code == 200
    assert again.json() == decision


def test_a_disclosure_officer_may_ask_too_and_a_report_reference_is_kept(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    response = _post(
        anon,
        api_tokens,
        request_data(),
        role=Role.disclosure_officer,
        params={"report_ref": "SS-7K4MQ-2XD9B"},
    )
    assert response.status_code == 201
    decision_id = int(response.headers["location"].rsplit("/", 1)[1])
    with web_runtime.session() as session:
        record = service.get_decision_or_raise(session, decision_id=decision_id)
        assert (record.report_ref, record.requested_by) == ("SS-7K4MQ-2XD9B", "disclosure-officer")


def _broken(path: str, value: Any) -> dict[str, Any]:
    body = request_data()
    *parents, last = path.split(".")
    target: Any = body
    for part in parents:
        target = target[part]
    if value is _MISSING:
        del target[last]
    else:
        target[last] = value
    return body


_MISSING = object()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(request_data() | {"urgent": True}, "urgent", id="unknown-top-field"),
        pytest.param(_broken("subject.nickname", "x"), "subject.nickname", id="unknown-nested"),
        pytest.param(_broken("subject.role", _MISSING), "subject.role", id="missing-field"),
        pytest.param(_broken("requester", _MISSING), "requester", id="missing-object"),
        pytest.param(
            _broken("subject.suspected_of_offence", "false"),
            "subject.suspected_of_offence",
            id="string-for-bool",
        ),
        pytest.param(
            _broken("subject.investigation_active", 1),
            "subject.investigation_active",
            id="number-for-bool",
        ),
        pytest.param(_broken("subject.crime_types", "other"), "subject.crime_types", id="not-list"),
        pytest.param(_broken("requester.agency", "mi5"), "requester.agency", id="bad-agency"),
        pytest.param(_broken("requester.purpose", "curiosity"), "requester.purpose", id="bad-enum"),
        pytest.param(_broken("categories", ["dna"]), "categories.0", id="bad-category"),
        pytest.param(_broken("categories", []), "categories", id="no-categories"),
        pytest.param(
            _broken("categories", ["identity", "identity"]), "categories", id="twice-asked"
        ),
        pytest.param(
            _broken("subject.consents", [{"purpose": "victim_support"}]),
            "subject.consents.0.withdrawn",
            id="consent-missing-withdrawn",
        ),
    ],
)
def test_invalid_requests_get_a_422_problem_naming_the_field(
    anon: TestClient, api_tokens: dict[Role, str], body: dict[str, Any], field: str
) -> None:
    response = _post(anon, api_tokens, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert field in [e["field"] for e in problem["errors"]]
    assert field in problem["detail"]


def test_consents_are_optional(anon: TestClient, api_tokens: dict[Role, str]) -> None:
    body = request_data()
    del body["subject"]["consents"]
    assert _post(anon, api_tokens, body).status_code == 201


def test_malformed_json_is_a_422_problem(anon: TestClient, api_tokens: dict[Role, str]) -> None:
    response = anon.post(
        "/api/v1/decisions",
        content=b'{"requester": ',
        headers=_auth(api_tokens, Role.officer) | {"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_bad_report_reference_is_refused(anon: TestClient, api_tokens: dict[Role, str]) -> None:
    response = _post(anon, api_tokens, request_data(), params={"report_ref": "<script>"})
    assert response.status_code == 422
    assert "report_ref" in response.json()["detail"]


@pytest.mark.parametrize(
    "role", [Role.supervisor, Role.inspector, Role.advocate, Role.pcc_analyst, Role.admin]
)
def test_only_officers_and_disclosure_officers_may_ask(
    anon: TestClient, api_tokens: dict[Role, str], role: Role
) -> None:
    response = _post(anon, api_tokens, request_data(), role=role)
    assert response.status_code == 403
    assert response.json()["type"].endswith("/forbidden")


def test_an_anonymous_request_is_refused(anon: TestClient) -> None:
    assert anon.post("/api/v1/decisions", json=request_data()).status_code == 401


def test_the_api_never_trusts_a_session_cookie(client_for: Any) -> None:
    client = client_for(Role.officer)
    assert client.post("/api/v1/decisions", json=request_data()).status_code == 401


# --- GET /api/v1/decisions/{id} ---------------------------------------------------------


def test_officers_read_only_their_own_decisions(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    with web_runtime.session() as session:
        other = service.make_decision(
            session,
            request=ShareRequest.model_validate(request_data()),
            actor="another-officer",
            actor_role=Role.officer,
        ).id
    path = f"/api/v1/decisions/{other}"
    response = anon.get(path, headers=_auth(api_tokens, Role.officer))
    assert response.status_code == 404
    assert response.json()["type"].endswith("/decision_not_found")
    for role in (Role.disclosure_officer, Role.supervisor, Role.inspector):
        assert anon.get(path, headers=_auth(api_tokens, role)).status_code == 200, role
    for role in (Role.advocate, Role.pcc_analyst, Role.admin):
        assert anon.get(path, headers=_auth(api_tokens, role)).status_code == 403, role
    missing = anon.get("/api/v1/decisions/999999", headers=_auth(api_tokens, Role.inspector))
    assert missing.status_code == 404


# --- GET /api/v1/regimes ----------------------------------------------------------------


def test_every_signed_in_role_can_list_the_regimes(
    anon: TestClient, api_tokens: dict[Role, str]
) -> None:
    for role in Role:
        response = anon.get("/api/v1/regimes", headers=_auth(api_tokens, role))
        assert response.status_code == 200, role
    body = response.json()
    assert body["active"] == "firewall"
    names = [r["name"] for r in body["regimes"]]
    assert set(names) == {"firewall", "hmicfrs-rec1", "npcc-2020", "iemvp"}
    firewall = next(r for r in body["regimes"] if r["name"] == "firewall")
    assert firewall["is_active"] is True
    assert firewall["policy_hash"] == get_regime("firewall").policy_hash
    assert anon.get("/api/v1/regimes").status_code == 401


# --- disclosures ------------------------------------------------------------------------


def _decide(web_runtime: Runtime, body: dict[str, Any], *, regime: str | None = None) -> int:
    with web_runtime.session() as session:
        return service.make_decision(
            session,
            request=ShareRequest.model_validate(body),
            actor="officer",
            actor_role=Role.officer,
            regime=regime,
            report_ref="SS-AAAAA-BBBBB",
        ).id


def _sent() -> str:
    # Just after the decision: sending before it would be refused.
    return (datetime.now(UTC) + timedelta(seconds=30)).isoformat()


def test_a_disclosure_officer_records_what_was_sent(
    anon: TestClient,
    api_tokens: dict[Role, str],
    web_runtime: Runtime,
    published: list[DomainEvent],
) -> None:
    decision_id = _decide(web_runtime, request_data(categories=["identity", "address", "health"]))
    sent_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    response = anon.post(
        f"/api/v1/decisions/{decision_id}/disclosures",
        json={"categories": ["identity"], "sent_at": sent_at.isoformat(), "method": "secure_email"},
        headers=_auth(api_tokens, Role.disclosure_officer),
    )
    assert response.status_code == 201, response.text
    record = response.json()
    assert record["decision_id"] == decision_id
    assert (record["agency"], record["purpose"]) == ("police", "criminal_investigation")
    assert record["categories"] == ["identity"]
    assert record["method"] == "secure_email"
    assert datetime.fromisoformat(record["sent_at"]) == sent_at
    assert record["regime"] == "firewall"
    assert record["report_ref"] == "SS-AAAAA-BBBBB"
    assert record["recorded_by"] == "disclosure-officer"
    assert response.headers["location"] == f"/api/v1/disclosures/{record['id']}"

    (event,) = [e for e in published if e.kind == "policy.disclosure"]
    assert event.actor == "disclosure-officer"
    assert {
        "disclosure_id",
        "decision_id",
        "agency",
        "purpose",
        "categories",
        "regime",
        "report_ref",
    } <= set(event.data)
    assert event.data["disclosure_id"] == record["id"]
    assert event.data["categories"] == ["identity"]
    json.dumps(event.data)  # the ledger stores it as JSON

    for role in (Role.disclosure_officer, Role.supervisor, Role.inspector):
        read = anon.get(response.headers["location"], headers=_auth(api_tokens, role))
        assert read.status_code == 200 and read.json() == record
    assert (
        anon.get(response.headers["location"], headers=_auth(api_tokens, Role.officer)).status_code
        == 403
    )


def test_more_categories_than_the_decision_allowed_are_refused(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    decision_id = _decide(web_runtime, request_data(categories=["identity", "nationality"]))
    response = anon.post(
        f"/api/v1/decisions/{decision_id}/disclosures",
        json={"categories": ["identity", "nationality"], "sent_at": _sent(), "method": "post"},
        headers=_auth(api_tokens, Role.disclosure_officer),
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/disclosure_not_allowed")
    assert problem["errors"][0]["field"] == "categories"
    assert "does not allow nationality" in problem["detail"]
    assert "Only identity may be shared" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"categories": ["identity"], "sent_at": "2025-01-01T10:00:00", "method": "post"},
            "sent_at",
        ),
        ({"categories": ["identity"], "sent_at": _sent(), "method": "pigeon"}, "method"),
        ({"categories": [], "sent_at": _sent(), "method": "post"}, "categories"),
        ({"categories": ["identity"], "method": "post"}, "sent_at"),
        ({"categories": ["identity"], "sent_at": _sent(), "method": "post", "to": "x"}, "to"),
    ],
    ids=["naive-time", "bad-method", "none", "missing-time", "unknown-field"],
)
def test_invalid_disclosure_bodies_are_refused(
    anon: TestClient,
    api_tokens: dict[Role, str],
    web_runtime: Runtime,
    body: dict[str, Any],
    field: str,
) -> None:
    decision_id = _decide(web_runtime, request_data())
    response = anon.post(
        f"/api/v1/decisions/{decision_id}/disclosures",
        json=body,
        headers=_auth(api_tokens, Role.disclosure_officer),
    )
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_nothing_may_be_recorded_under_a_refusal_or_a_pending_review(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    refused = _decide(web_runtime, request_data(requester=ENFORCEMENT))
    pending = _decide(web_runtime, request_data(requester=ENFORCEMENT), regime="npcc-2020")
    for decision_id, words in ((refused, "refused sharing"), (pending, "waiting for review")):
        response = anon.post(
            f"/api/v1/decisions/{decision_id}/disclosures",
            json={"categories": ["identity"], "sent_at": _sent(), "method": "post"},
            headers=_auth(api_tokens, Role.disclosure_officer),
        )
        assert response.status_code == 422
        assert words in response.json()["detail"]


def test_only_disclosure_officers_record_disclosures(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    decision_id = _decide(web_runtime, request_data())
    body = {"categories": ["identity"], "sent_at": _sent(), "method": "post"}
    for role in Role:
        if role is Role.disclosure_officer:
            continue
        response = anon.post(
            f"/api/v1/decisions/{decision_id}/disclosures",
            json=body,
            headers=_auth(api_tokens, role),
        )
        assert response.status_code == 403, role
