"""The firewall API: the decision contract at /api/v1/decisions, regimes, and disclosures."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from safeshare.auth import service as auth_service
from safeshare.auth.models import ApiToken
from safeshare.auth.passwords import hash_token
from safeshare.auth.roles import Role
from safeshare.events import DomainEvent
from safeshare.policy import service
from safeshare.policy.regimes import get_regime
from safeshare.policy.schemas import ShareRequest
from safeshare.runtime import Runtime
from tests.factories.policy import bound_request, report_with_facts
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
BASIS = {"lawful_basis": "dpa_s35_2_b_task", "processing_condition": "not_sensitive"}


def _auth(tokens: dict[Role, str], role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[role]}"}


def _post(
    client: TestClient, tokens: dict[Role, str], body: Any, role: Role = Role.officer, **kw: Any
) -> Any:
    return client.post("/api/v1/decisions", json=body, headers=_auth(tokens, role), **kw)


def _report(web_runtime: Runtime, **request: Any) -> str:
    """A report holding the facts of `request_data(**request)`; its reference."""
    with web_runtime.session() as session:
        return report_with_facts(
            session, ShareRequest.model_validate(request_data(**request)).subject
        ).reference


def _body(report_ref: str | None, **overrides: Any) -> dict[str, Any]:
    return {
        "report_ref": report_ref,
        "requester": {"agency": "police", "purpose": "criminal_investigation"},
        "categories": ["identity"],
        "status_doubt_only": False,
    } | overrides


# --- POST /api/v1/decisions -------------------------------------------------------------


def _fresh_token(web_runtime: Runtime, label: str) -> str:
    """A new officer's token: its first use is due to be noted."""
    with web_runtime.session() as session:
        officer = auth_service.get_user_by_username(session, username="officer")
        assert officer is not None
        return auth_service.issue_token(session, user_id=officer.id, label=label)


def _committed(web_runtime: Runtime) -> None:
    """Wait until what is already queued for the group commit is on record."""
    web_runtime.group_commit.submit(lambda _session: None).result(timeout=30)


def _last_used(web_runtime: Runtime, token: str) -> datetime | None:
    with web_runtime.session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
        assert row is not None
        return row.last_used_at


def test_a_tokens_use_is_written_once_by_the_group_commit_not_the_request(
    anon: TestClient, web_runtime: Runtime
) -> None:
    """On SQLite the request's own write of the last-used time took the write lock outside
    the group commits' queue and slept in the busy handler behind other workers' group
    commits (issue 14: requests of up to 4 s at the start of a burst). It now goes to the
    group commit, once per token however many requests saw the old time."""
    reference = _report(web_runtime)
    token = _fresh_token(web_runtime, "fresh")
    writers: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.startswith("UPDATE api_tokens"):
            writers.append(threading.current_thread().name)

    event.listen(web_runtime.engine, "before_cursor_execute", note)
    try:
        for _ in range(3):
            response = anon.post(
                "/api/v1/decisions",
                json=_body(reference),
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 201, response.text
        _committed(web_runtime)
    finally:
        event.remove(web_runtime.engine, "before_cursor_execute", note)
    assert writers == ["group-commit"]
    assert _last_used(web_runtime, token) is not None


def test_a_token_whose_use_cannot_be_noted_still_signs_in(
    anon: TestClient,
    web_runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Noting the use is a hint, not part of the check: a failure there is logged (its type
    only) and the next request tries again; the request itself is answered as ever."""
    token = _fresh_token(web_runtime, "unnoted")
    headers = {"Authorization": f"Bearer {token}"}

    def broken(_session: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full, with a secret in the message")

    monkeypatch.setattr(auth_service, "note_token_use", broken)
    with caplog.at_level(logging.WARNING):
        assert anon.get("/api/v1/regimes", headers=headers).status_code == 200
        _committed(web_runtime)
    assert _last_used(web_runtime, token) is None
    assert "token use not recorded: RuntimeError" in caplog.text
    assert "secret" not in caplog.text
    monkeypatch.undo()
    assert anon.get("/api/v1/regimes", headers=headers).status_code == 200
    _committed(web_runtime)
    assert _last_used(web_runtime, token) is not None


def test_a_decisions_own_reads_run_without_a_transaction_and_other_routes_keep_theirs(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    """The decision route writes nothing in its own session (its decision goes to the group
    commit), so its reads skip BEGIN and COMMIT; a connection goes back to the pool as it
    came, so the next route's work is a transaction again."""
    reference = _report(web_runtime)
    levels: dict[str, set[str | None]] = {}
    driver_autocommit: dict[str, set[bool]] = {}

    def note(conn: Any, _cursor: object, statement: str, *_args: object) -> None:
        if threading.current_thread().name.startswith("safeshare-db"):
            route = "decision" if phase == "decision" else "regimes"
            levels.setdefault(route, set()).add(conn.get_execution_options().get("isolation_level"))
            dbapi = conn.connection.dbapi_connection
            driver_autocommit.setdefault(route, set()).add(
                getattr(dbapi, "autocommit", False) is True
                or getattr(dbapi, "isolation_level", "") is None
            )

    event.listen(web_runtime.engine, "before_cursor_execute", note)
    try:
        phase = "decision"
        assert _post(anon, api_tokens, _body(reference)).status_code == 201
        phase = "regimes"
        assert anon.get("/api/v1/regimes", headers=_auth(api_tokens, Role.officer)).is_success
    finally:
        event.remove(web_runtime.engine, "before_cursor_execute", note)
    assert levels["decision"] == {"AUTOCOMMIT"} and driver_autocommit["decision"] == {True}
    assert "AUTOCOMMIT" not in levels["regimes"] and driver_autocommit["regimes"] == {False}


def test_a_decision_costs_a_few_statements(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    """Throughput is bounded by the work per decision (issue 14): the request reads the
    token, the report, its facts, consents and holds; the group commit adds the decision
    and its ledger entry. A regression (say, loading the whole report page) shows here."""
    reference = _report(web_runtime)
    _post(anon, api_tokens, _body(reference))  # the token's first use is noted once
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(web_runtime.engine, "before_cursor_execute", count)
    try:
        assert _post(anon, api_tokens, _body(reference)).status_code == 201
    finally:
        event.remove(web_runtime.engine, "before_cursor_execute", count)
    # 5 reads, 1 insert; per batch: BEGIN, regime, policy set, ledger head, entry, nodes, head;
    # on SQLite also the largest decision id (the new rows' ids, see `db.sqlite_ids`)
    sqlite = web_runtime.engine.dialect.name == "sqlite"
    assert len(statements) <= 13 + sqlite, "\n".join(statements)


def test_a_request_is_decided_on_the_reports_facts_with_a_location(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    reference = _report(web_runtime)
    body = _body(reference, categories=["identity", "address", "immigration_status", "health"])
    response = _post(anon, api_tokens, body)
    assert response.status_code == 201, response.text
    decision = response.json()
    assert list(decision) == CONTRACT_KEYS
    decision_id = int(response.headers["location"].rsplit("/", 1)[1])
    with web_runtime.session() as session:
        record = service.get_decision_or_raise(session, decision_id=decision_id)
        assert decision == get_regime("firewall").decide(record.share_request()).model_dump(
            mode="json"
        )
        assert record.report_ref == reference
        assert record.fact_versions is not None
        assert record.fact_versions["report_ref"] == reference
        assert record.fact_versions["facts"]["role"]["source"] == "fact_entry"
    assert decision["outcome"] == "permit"
    assert decision["disclose"] == ["identity", "address"]
    assert decision["withhold"] == ["immigration_status", "health"]
    assert all(set(r) == {"id", "effect", "text"} for r in decision["reasons"])
    again = anon.get(response.headers["location"], headers=_auth(api_tokens, Role.officer))
    assert again.status_code == 200
    assert again.json() == decision


REGULARISATION = {"agency": "immigration_enforcement", "purpose": "regularisation_support"}
INVENTED = {
    "role": "victim",
    "crime_types": ["domestic_abuse"],
    "suspected_of_non_immigration_offence": False,
    "status_doubt_only": False,
    "investigation_active": True,
    "receiving_regularisation_support": True,
    "consents": [{"purpose": "regularisation_support", "withdrawn": False}],
}


def test_the_invented_consent_exploit_on_a_missing_report_gets_404(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    """Issue 13: under the firewall an officer's token got `201 permit` for identity,
    nationality and status, on a ticked consent, for a report that does not exist."""
    body = _body(
        "SS-7K4MQ-2XD9B",
        requester=REGULARISATION,
        categories=["identity", "nationality", "immigration_status"],
    )
    response = _post(anon, api_tokens, body)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/report_not_found")
    # Typing the facts in is no longer part of the contract at all.
    typed = _post(anon, api_tokens, body | {"subject": INVENTED})
    assert typed.status_code == 422
    assert "subject" in [e["field"] for e in typed.json()["errors"]]
    with web_runtime.session() as session:
        assert service.list_decisions(session, report_ref="SS-7K4MQ-2XD9B") == []


def test_consent_comes_from_the_consent_register_not_the_request(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    minimum = ["identity", "nationality", "immigration_status"]
    without = _report(web_runtime)
    refused = _post(anon, api_tokens, _body(without, requester=REGULARISATION, categories=minimum))
    assert refused.status_code == 201 and refused.json()["outcome"] == "deny"
    consented = _report(
        web_runtime,
        subject={"consents": [{"purpose": "regularisation_support", "withdrawn": False}]},
    )
    allowed = _post(
        anon, api_tokens, _body(consented, requester=REGULARISATION, categories=minimum)
    )
    assert allowed.json()["outcome"] == "permit"
    assert allowed.json()["disclose"] == minimum


def test_a_general_enquiry_can_only_be_refused_or_reviewed(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    police = _post(anon, api_tokens, _body(None))
    assert police.status_code == 201
    assert (police.json()["outcome"], police.json()["disclose"]) == ("review", [])
    assert "general.no-record" in [r["id"] for r in police.json()["reasons"]]
    enforcement = _post(anon, api_tokens, _body(None, requester=ENFORCEMENT))
    assert enforcement.json()["outcome"] == "deny"
    with web_runtime.session() as session:
        for record in service.list_decisions(session)[:2]:  # the two just made
            assert record.is_general_enquiry and record.report_ref is None
            assert service.replay_decision(session, decision_id=record.id) == record.as_decision()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(_body(None) | {"urgent": True}, "urgent", id="unknown-top-field"),
        pytest.param(_body(None) | {"subject": INVENTED}, "subject", id="typed-facts"),
        pytest.param(
            {k: v for k, v in _body(None).items() if k != "report_ref"}, "report_ref", id="no-ref"
        ),
        pytest.param(_body("<script>"), "report_ref", id="bad-ref"),
        pytest.param(
            {k: v for k, v in _body(None).items() if k != "requester"}, "requester", id="missing"
        ),
        pytest.param(_body(None, status_doubt_only="no"), "status_doubt_only", id="string-bool"),
        pytest.param(
            _body(None, requester={"agency": "mi5", "purpose": "safeguarding"}),
            "requester.agency",
            id="bad-agency",
        ),
        pytest.param(_body(None, categories=["dna"]), "categories.0", id="bad-category"),
        pytest.param(_body(None, categories=[]), "categories", id="no-categories"),
        pytest.param(
            _body(None, categories=["identity", "identity"]), "categories", id="twice-asked"
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


def test_malformed_json_is_a_422_problem(anon: TestClient, api_tokens: dict[Role, str]) -> None:
    response = anon.post(
        "/api/v1/decisions",
        content=b'{"requester": ',
        headers=_auth(api_tokens, Role.officer) | {"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "role", [Role.supervisor, Role.inspector, Role.advocate, Role.pcc_analyst, Role.admin]
)
def test_only_officers_and_disclosure_officers_may_ask(
    anon: TestClient, api_tokens: dict[Role, str], role: Role
) -> None:
    response = _post(anon, api_tokens, _body(None), role=role)
    assert response.status_code == 403
    assert response.json()["type"].endswith("/forbidden")


def test_an_anonymous_request_is_refused(anon: TestClient) -> None:
    assert anon.post("/api/v1/decisions", json=_body(None)).status_code == 401


def test_the_api_never_trusts_a_session_cookie(client_for: Any) -> None:
    client = client_for(Role.officer)
    assert client.post("/api/v1/decisions", json=_body(None)).status_code == 401


# --- GET /api/v1/decisions/{id} ---------------------------------------------------------


def test_officers_read_only_their_own_decisions(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    with web_runtime.session() as session:
        other = service.make_decision(
            session,
            request=bound_request(session, ShareRequest.model_validate(request_data())),
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
            request=bound_request(session, ShareRequest.model_validate(body)),
            actor="officer",
            actor_role=Role.officer,
            regime=regime,
        ).id


def _sent() -> str:
    # Just after the decision: sending before it would be refused.
    return (datetime.now(UTC) + timedelta(seconds=30)).isoformat()


# In parametrised bodies, stands for _sent() worked out when the test runs (not at
# collection, which may be minutes before the decision is made).
JUST_AFTER = "<just after the decision>"


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
        json={
            "categories": ["identity"],
            "sent_at": sent_at.isoformat(),
            "method": "secure_email",
            "recipient_organisation": "Demoshire Police PPU",
            **BASIS,
        },
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
    assert record["report_ref"].startswith("SS-")
    assert record["recorded_by"] == "disclosure-officer"
    assert record["recipient_organisation"] == "Demoshire Police PPU"
    assert record["onward_use_condition"].startswith("Use this information only for")
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
        json={
            "categories": ["identity", "nationality"],
            "sent_at": _sent(),
            "method": "post",
            "recipient_organisation": "Org",
            **BASIS,
        },
        headers=_auth(api_tokens, Role.disclosure_officer),
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"].endswith("/disclosure_not_allowed")
    assert problem["errors"][0]["field"] == "categories"
    assert "does not allow nationality" in problem["detail"]
    assert "Only identity may be shared" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "categories": ["identity"],
                "sent_at": "2025-01-01T10:00:00",
                "method": "post",
                "recipient_organisation": "Org",
                **BASIS,
            },
            "sent_at",
        ),
        (
            {
                "categories": ["identity"],
                "sent_at": JUST_AFTER,
                "method": "pigeon",
                "recipient_organisation": "Org",
                **BASIS,
            },
            "method",
        ),
        (
            {
                "categories": [],
                "sent_at": JUST_AFTER,
                "method": "post",
                "recipient_organisation": "Org",
                **BASIS,
            },
            "categories",
        ),
        (
            {
                "categories": ["identity"],
                "method": "post",
                "recipient_organisation": "Org",
                **BASIS,
            },
            "sent_at",
        ),
        ({"categories": ["identity"], "sent_at": JUST_AFTER, "method": "post", "to": "x"}, "to"),
        (
            {"categories": ["identity"], "sent_at": JUST_AFTER, "method": "post", **BASIS},
            "recipient_organisation",
        ),
        (
            {
                "categories": ["identity"],
                "sent_at": JUST_AFTER,
                "method": "post",
                "recipient_organisation": "Org",
                "processing_condition": "not_sensitive",
            },
            "lawful_basis",
        ),
        (
            {
                "categories": ["identity"],
                "sent_at": JUST_AFTER,
                "method": "post",
                "recipient_organisation": "Org",
                "lawful_basis": "gdpr_art6_1_f_legitimate_interests",
                "processing_condition": "not_sensitive",
            },
            "lawful_basis",
        ),
        (
            {
                "categories": ["identity"],
                "sent_at": JUST_AFTER,
                "method": "post",
                "recipient_organisation": "Org",
                "lawful_basis": "gdpr_art6_1_e_public_task",
                "processing_condition": "sch8_4_safeguarding",
            },
            "processing_condition",
        ),
    ],
    ids=[
        "naive-time",
        "bad-method",
        "none",
        "missing-time",
        "unknown-field",
        "no-recipient",
        "no-basis",
        "unknown-basis",
        "condition-from-other-law",
    ],
)
def test_invalid_disclosure_bodies_are_refused(
    anon: TestClient,
    api_tokens: dict[Role, str],
    web_runtime: Runtime,
    body: dict[str, Any],
    field: str,
) -> None:
    decision_id = _decide(web_runtime, request_data())
    if body.get("sent_at") == JUST_AFTER:
        body = {**body, "sent_at": _sent()}
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
            json={
                "categories": ["identity"],
                "sent_at": _sent(),
                "method": "post",
                "recipient_organisation": "Org",
                **BASIS,
            },
            headers=_auth(api_tokens, Role.disclosure_officer),
        )
        assert response.status_code == 409
        assert words in response.json()["detail"]


def test_only_disclosure_officers_record_disclosures(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    decision_id = _decide(web_runtime, request_data())
    body = {
        "categories": ["identity"],
        "sent_at": _sent(),
        "method": "post",
        "recipient_organisation": "Org",
        **BASIS,
    }
    for role in Role:
        if role is Role.disclosure_officer:
            continue
        response = anon.post(
            f"/api/v1/decisions/{decision_id}/disclosures",
            json=body,
            headers=_auth(api_tokens, role),
        )
        assert response.status_code == 403, role
