"""Firewall pages: request to share, decisions, the review queue and recording disclosures."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from safeshare import dates
from safeshare.auth.roles import Role
from safeshare.policy import service
from safeshare.policy.models import PolicyDecision
from safeshare.policy.regimes import get_regime
from safeshare.policy.schemas import ShareRequest
from safeshare.runtime import Runtime
from tests.factories.policy import bare_report, bound_request, report_with_facts
from tests.unit.policy.builders import request_data
from tests.web.conftest import csrf_from

Clients = Callable[[Role], TestClient]
ENFORCEMENT = {"agency": "immigration_enforcement", "purpose": "immigration_enforcement"}
LONDON = ZoneInfo("Europe/London")  # the default configured zone (Settings.zone)

REFERENCE = "SS-7K4MQ-2XD9B"
VALID_FORM: dict[str, Any] = {
    "agency": "police",
    "purpose": "criminal_investigation",
    "status_doubt_only": "no",
    "categories": ["identity", "address", "immigration_status"],
    "report_ref": REFERENCE,
}
# What the report REFERENCE records: the form no longer asks, the record says.
RECORDED = request_data(
    subject={
        "crime_types": ["domestic_abuse"],
        "consents": [{"purpose": "victim_support", "withdrawn": False}],
    },
    categories=["identity", "address", "immigration_status"],
)


@pytest.fixture(scope="module", autouse=True)
def _report(web_runtime: Runtime) -> None:
    with web_runtime.session() as session:
        subject = ShareRequest.model_validate(RECORDED).subject
        report_with_facts(session, subject, reference=REFERENCE)


def _text(response: Any) -> str:
    """The page's text with tags removed and entities decoded, for plain assertions."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


def _post(client: TestClient, path: str, data: dict[str, Any], token_page: str) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_from(client, token_page)})


def _seed(
    runtime: Runtime,
    *,
    actor: str = "officer",
    regime: str | None = None,
    now: datetime | None = None,
    **overrides: Any,
) -> PolicyDecision:
    with runtime.session() as session:
        record = service.make_decision(
            session,
            request=bound_request(session, ShareRequest.model_validate(request_data(**overrides))),
            actor=actor,
            actor_role=Role.officer,
            regime=regime,
            now=now,
        )
        session.expunge_all()
        return record


def _review_id(runtime: Runtime, decision_id: int) -> int:
    with runtime.session() as session:
        review = service.get_decision_or_raise(session, decision_id=decision_id).review
        assert review is not None
        return review.id


# --- navigation ------------------------------------------------------------------------


def test_navigation_shows_each_role_its_firewall_pages(client_for: Clients) -> None:
    officer = client_for(Role.officer).get("/home").text
    assert 'href="/policy/share"' in officer
    assert 'href="/policy/reviews"' not in officer
    assert 'href="/policy/decisions"' not in officer
    disclosure = client_for(Role.disclosure_officer).get("/home").text
    assert all(f'href="/policy/{p}"' in disclosure for p in ("share", "reviews", "decisions"))
    assert 'href="/policy/regime"' in client_for(Role.admin).get("/home").text
    inspector = client_for(Role.inspector).get("/home").text
    assert 'href="/policy/decisions"' in inspector and 'href="/policy/share"' not in inspector


# --- request to share information ------------------------------------------------------


def test_the_form_asks_only_about_the_request_never_the_persons_facts(
    client_for: Clients,
) -> None:
    page = client_for(Role.officer).get("/policy/share")
    assert page.status_code == 200
    for name in VALID_FORM:
        assert f'name="{name}"' in page.text, name
    for typed in ("role", "crime_types", "consents", "suspected_of", "investigation_active"):
        assert f'name="{typed}' not in page.text, typed
    assert "<script>" not in page.text and "style=" not in page.text


def test_the_report_page_buttons_prefill_the_form(client_for: Clients) -> None:
    client = client_for(Role.officer)
    page = client.get(f"/policy/share?report_ref={REFERENCE}")
    assert f'value="{REFERENCE}"' in page.text
    check = client.get(f"/policy/share?report_ref={REFERENCE}&check=true")
    assert re.search(r'value="immigration_enforcement"\s+checked', check.text)
    assert re.search(r'value="status_check"\s+checked', check.text)


def test_an_unknown_report_is_a_form_error_and_no_decision(
    client_for: Clients, web_runtime: Runtime
) -> None:
    client = client_for(Role.officer)
    form = {**VALID_FORM, "report_ref": "SS-00000-00000"}
    response = _post(client, "/policy/share", form, "/policy/share")
    assert response.status_code == 400
    assert 'href="#report_ref"' in response.text
    assert "There is no report with that reference" in response.text
    with web_runtime.session() as session:
        assert service.list_decisions(session, report_ref="SS-00000-00000") == []


def test_an_empty_form_lists_every_problem_linked_to_its_field(client_for: Clients) -> None:
    client = client_for(Role.officer)
    response = _post(client, "/policy/share", {}, "/policy/share")
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert response.text.count("govuk-error-message") == 4
    expected = {
        "agency": "Select who is asking for the information",
        "purpose": "Select why they want the information",
        "status_doubt_only": "Select yes if the only concern is the person",
        "categories": "Select at least one type of information they want",
    }
    text = _text(response)
    for field, message in expected.items():
        assert f'href="#{field}"' in response.text, field
        assert f'id="{field}"' in response.text, field  # the link lands on the first input
        assert message in text, field
    assert _text(response).count("Error:") >= 4


def test_what_was_entered_is_kept_when_the_form_is_shown_again(client_for: Clients) -> None:
    client = client_for(Role.officer)
    form = {**VALID_FORM, "categories": [], "report_ref": "not a ref!"}
    response = _post(client, "/policy/share", form, "/policy/share")
    assert response.status_code == 400
    assert 'href="#categories"' in response.text and 'href="#report_ref"' in response.text
    assert 'href="#agency"' not in response.text
    assert re.search(r'value="police"\s+checked', response.text)
    assert 'value="not a ref!"' in response.text


def test_a_request_is_decided_and_explained_in_plain_english(
    client_for: Clients, web_runtime: Runtime
) -> None:
    client = client_for(Role.officer)
    response = _post(client, "/policy/share", VALID_FORM, "/policy/share")
    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/policy/share/\d+", location)

    page = client.get(location)
    assert page.status_code == 200
    text = _text(page)
    decision = get_regime("firewall").decide(ShareRequest.model_validate(RECORDED))
    assert decision.outcome == "permit"
    assert "govuk-panel" in page.text
    assert "Some information may be shared" in text
    assert "You may share identity and address with police" in text
    assert "Do not share immigration status" in text
    assert "May be shared" in text and "Withheld" in text
    for reason in decision.reasons:
        assert reason.text in text
    assert "Full firewall" in text and decision.policy_hash in text
    assert "SS-7K4MQ-2XD9B" in text
    assert "Give decision number" in text  # officers hand over to a disclosure officer
    assert "Record what was sent" not in text

    with web_runtime.session() as session:
        decision_id = int(location.rsplit("/", 1)[1])
        record = service.get_decision_or_raise(session, decision_id=decision_id)
        assert record.requested_by == "officer"
        assert record.report_ref == "SS-7K4MQ-2XD9B"
        assert record.as_decision() == decision


def test_a_refusal_says_so_and_why(client_for: Clients) -> None:
    client = client_for(Role.officer)
    form = {**VALID_FORM, "agency": "immigration_enforcement", "purpose": "immigration_enforcement"}
    page = client.get(_post(client, "/policy/share", form, "/policy/share").headers["location"])
    text = _text(page)
    assert "Do not share this information" in text
    assert "Do not share any of the information asked for" in text
    assert "Refused" in text
    assert "govuk-panel" not in page.text  # a refusal is not a green success panel
    assert "govuk-warning-text" in page.text


def test_referral_and_enforcement_pause_notices_are_shown(
    client_for: Clients, web_runtime: Runtime
) -> None:
    rec1 = _seed(
        web_runtime,
        regime="hmicfrs-rec1",
        requester=ENFORCEMENT,
        subject={"crime_types": ["domestic_abuse"], "status_doubt_only": True},
        categories=["identity", "immigration_status"],
    )
    text = _text(client_for(Role.officer).get(f"/policy/share/{rec1.id}"))
    assert "Refer the person to independent advice and support" in text
    assert "HMICFRS recommendation 1" in text
    assert "Immigration enforcement must pause" not in text

    iemvp = _seed(
        web_runtime,
        regime="iemvp",
        requester=ENFORCEMENT,
        subject={"receiving_regularisation_support": True, "investigation_active": True},
        categories=["identity", "immigration_status"],
    )
    text = _text(client_for(Role.officer).get(f"/policy/share/{iemvp.id}"))
    assert "Immigration enforcement must pause" in text
    assert "Refer the person" in text


def test_a_review_outcome_says_nothing_may_go_yet(
    client_for: Clients, web_runtime: Runtime
) -> None:
    record = _seed(web_runtime, requester=ENFORCEMENT, subject={"role": "suspect"})
    text = _text(client_for(Role.officer).get(f"/policy/share/{record.id}"))
    assert "An information-sharing officer must decide" in text
    assert "Share nothing until they do" in text
    assert "Needs review" in text


def test_officers_see_only_their_own_results(client_for: Clients, web_runtime: Runtime) -> None:
    record = _seed(web_runtime, actor="someone-else")
    assert client_for(Role.officer).get(f"/policy/share/{record.id}").status_code == 404
    assert client_for(Role.officer).get("/policy/share/999999").status_code == 404
    assert client_for(Role.disclosure_officer).get(f"/policy/share/{record.id}").status_code == 200
    assert client_for(Role.supervisor).get(f"/policy/share/{record.id}").status_code == 403


def test_roles_that_do_not_decide_cannot_post_the_form(client_for: Clients) -> None:
    for role in (Role.supervisor, Role.inspector, Role.advocate):
        client = client_for(role)
        response = _post(client, "/policy/share", VALID_FORM, "/home")
        assert response.status_code == 403, role


# --- decisions -------------------------------------------------------------------------


def test_decisions_list_filters_by_outcome_and_pages(
    client_for: Clients, web_runtime: Runtime
) -> None:
    for _ in range(26):
        _seed(web_runtime, requester=ENFORCEMENT)  # refused under the firewall
    client = client_for(Role.inspector)
    first = client.get("/policy/decisions?outcome=deny")
    assert first.status_code == 200
    assert first.text.count('href="/policy/decisions/') == 25
    assert "govuk-tag--green" not in first.text  # no permitted decisions among them
    assert "govuk-pagination" in first.text and "outcome=deny&amp;page=2" in first.text
    second = client.get("/policy/decisions?outcome=deny&page=2")
    assert second.status_code == 200 and "page=1" in second.text
    everything = client.get("/policy/decisions?outcome=")
    assert everything.status_code == 200 and "All decisions" in everything.text
    assert client.get("/policy/decisions?page=0").status_code == 400


def test_decision_detail_is_read_only_for_inspectors(
    client_for: Clients, web_runtime: Runtime
) -> None:
    record = _seed(web_runtime, categories=["identity", "health"])
    inspector = client_for(Role.inspector).get(f"/policy/decisions/{record.id}")
    assert inspector.status_code == 200
    text = _text(inspector)
    assert f"Decision {record.id}" in text and "Withheld" in text
    assert "only identity may be sent to police" in text
    assert "Record what was sent" not in text and "<form" not in inspector.text.split("<main")[1]
    officer = client_for(Role.disclosure_officer).get(f"/policy/decisions/{record.id}")
    assert f'href="/policy/decisions/{record.id}/disclose"' in officer.text
    assert client_for(Role.officer).get(f"/policy/decisions/{record.id}").status_code == 403
    assert client_for(Role.inspector).get("/policy/decisions/999999").status_code == 404


# --- review queue ----------------------------------------------------------------------


def test_the_queue_lists_pending_reviews_oldest_first_with_their_age(
    client_for: Clients, web_runtime: Runtime
) -> None:
    now = datetime.now(UTC)
    newer = _seed(
        web_runtime,
        requester=ENFORCEMENT,
        subject={"role": "suspect"},
        now=now - timedelta(hours=5),
    )
    older = _seed(
        web_runtime, requester=ENFORCEMENT, subject={"role": "suspect"}, now=now - timedelta(days=3)
    )
    page = client_for(Role.disclosure_officer).get("/policy/reviews")
    assert page.status_code == 200
    text = _text(page)
    assert text.index(f"Review decision {older.id}") < text.index(f"Review decision {newer.id}")
    assert "3 days" in text and "5 hours" in text
    for role in (Role.officer, Role.supervisor, Role.inspector):
        assert client_for(role).get("/policy/reviews").status_code == 403


def test_a_review_needs_a_choice_and_written_reasons_for_every_category(
    client_for: Clients, web_runtime: Runtime
) -> None:
    record = _seed(
        web_runtime,
        regime="npcc-2020",
        requester=ENFORCEMENT,
        categories=["identity", "immigration_status", "health"],
    )
    review_id = _review_id(web_runtime, record.id)
    client = client_for(Role.disclosure_officer)
    path = f"/policy/reviews/{review_id}"
    form = client.get(path)
    assert form.status_code == 200
    assert (
        'name="decision_identity"' in form.text
        and 'name="rationale_immigration_status"' in form.text
    )
    assert 'name="decision_health"' not in form.text  # withheld outright: not reviewable
    assert "withhold health information outright" in _text(form)

    missing = _post(
        client,
        path,
        {
            "decision_identity": "disclose",
            "rationale_identity": "  ",
            "decision_immigration_status": "withhold",
        },
        path,
    )
    assert missing.status_code == 400
    text = _text(missing)
    assert 'href="#rationale_identity"' in missing.text
    assert "Enter your reasons for the decision on identity" in text
    assert 'href="#rationale_immigration_status"' in missing.text
    assert 'href="#decision_identity"' not in missing.text
    assert re.search(r'value="disclose"\s+checked', missing.text)  # the choice is kept
    with web_runtime.session() as session:
        assert service.get_review_or_raise(session, review_id=review_id).is_pending

    no_choice = _post(
        client, path, {"rationale_identity": "x", "rationale_immigration_status": "y"}, path
    )
    assert no_choice.status_code == 400
    assert "Select whether to share identity" in _text(no_choice)

    done = _post(
        client,
        path,
        {
            "decision_identity": "disclose",
            "rationale_identity": "Named in the arrest warrant.",
            "decision_immigration_status": "withhold",
            "rationale_immigration_status": "Safeguarding outweighs the request.",
        },
        path,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/policy/decisions/{record.id}?reviewed=true"
    detail = _text(client.get(done.headers["location"]))
    assert "Your review has been recorded" in detail
    assert "Named in the arrest warrant." in detail and "Safeguarding outweighs" in detail
    assert "only identity may be sent" in detail
    # The decision now shows what the review decided, not that someone "must decide".
    assert "Some information may be shared (decided on review)" in detail
    assert "must decide" not in detail
    assert "a person must decide" not in _text(client.get(path))

    again = _post(
        client,
        path,
        {
            "decision_identity": "withhold",
            "rationale_identity": "x",
            "decision_immigration_status": "withhold",
            "rationale_immigration_status": "y",
        },
        f"/policy/decisions/{record.id}",
    )
    assert again.status_code == 409
    assert "This review has been decided" in _text(client.get(path))


# --- recording disclosures -------------------------------------------------------------


def _disclosure_form(when: datetime, **fields: Any) -> dict[str, Any]:
    local = when.astimezone(LONDON)
    return {
        "categories": ["identity"],
        "method": "secure_email",
        "recipient_organisation": "Demoshire Police Public Protection Unit",
        "lawful_basis": "dpa_s35_2_b_task",
        "processing_condition": "not_sensitive",
        "sent_at-day": str(local.day),
        "sent_at-month": str(local.month),
        "sent_at-year": str(local.year),
        "sent_time": f"{local:%H:%M}",
    } | fields


def test_a_disclosure_is_recorded_and_more_than_allowed_is_refused(
    client_for: Clients, web_runtime: Runtime
) -> None:
    record = _seed(web_runtime, categories=["identity", "contact", "immigration_status"])
    client = client_for(Role.disclosure_officer)
    path = f"/policy/decisions/{record.id}/disclose"
    form = client.get(path)
    assert form.status_code == 200
    assert 'value="identity"' in form.text and 'value="contact"' in form.text
    assert 'value="immigration_status"' not in form.text  # only what may go is offered

    when = datetime.now(UTC) + timedelta(minutes=2)
    too_much = _post(
        client, path, _disclosure_form(when, categories=["identity", "immigration_status"]), path
    )
    assert too_much.status_code == 400
    text = _text(too_much)
    assert 'href="#categories"' in too_much.text
    assert f"Decision {record.id} does not allow immigration status to be shared" in text
    assert "Only identity and contact details may be shared" in text

    done = _post(client, path, _disclosure_form(when, categories=["identity", "contact"]), path)
    assert done.status_code == 303
    location = done.headers["location"]
    assert re.fullmatch(r"/policy/disclosures/\d+\?recorded=true", location)
    detail = _text(client.get(location))
    assert "The disclosure has been recorded" in detail
    assert "Identity" in detail and "Contact details" in detail and "Secure email" in detail
    assert dates.datetime_text(when.replace(second=0, microsecond=0), LONDON) in detail
    assert "DPA 2018 s.35(2)(b)" in detail and "Not sensitive processing" in detail

    decision_page = _text(client.get(f"/policy/decisions/{record.id}"))
    assert "Nothing has been recorded as sent" not in decision_page
    for shown in (
        "Demoshire Police Public Protection Unit",
        "DPA 2018 s.35(2)(b): necessary for a law enforcement task",
        "Not sensitive processing",
        "Use this information only for",
    ):
        assert shown in decision_page, shown
    listing = client_for(Role.inspector).get("/policy/disclosures?agency=police")
    assert f"Decision {record.id}" in _text(listing)
    none_to_ie = client_for(Role.inspector).get(
        "/policy/disclosures?agency=immigration_enforcement"
    )
    assert f'href="/policy/decisions/{record.id}"' not in none_to_ie.text


def test_the_date_sent_is_checked(client_for: Clients, web_runtime: Runtime) -> None:
    record = _seed(web_runtime)
    client = client_for(Role.disclosure_officer)
    path = f"/policy/decisions/{record.id}/disclose"
    now = datetime.now(UTC)
    cases = [
        (
            {"sent_at-day": "", "sent_at-month": "", "sent_at-year": ""},
            "sent_at-day",
            "Enter the date the information was sent",
        ),
        ({"sent_at-month": ""}, "sent_at-month", "Date sent must include a month"),
        (
            {"sent_at-day": "31", "sent_at-month": "2"},
            "sent_at-day",
            "Date sent must be a real date",
        ),
        ({"sent_time": ""}, "sent_time", "Enter the time the information was sent"),
        ({"sent_time": "25:00"}, "sent_time", "Enter a real time"),
        ({"method": ""}, "method", "Select how the information was sent"),
        ({"categories": []}, "categories", "Select the information that was sent"),
        (
            {"recipient_organisation": " "},
            "recipient_organisation",
            "Enter the organisation that received the information",
        ),
        ({"lawful_basis": ""}, "lawful_basis", "Select the lawful basis for the disclosure"),
        (
            {"processing_condition": ""},
            "processing_condition",
            "Select the condition for the disclosure",
        ),
        (
            {"processing_condition": "gdpr_art9_2_a_explicit_consent"},
            "processing_condition",
            "The condition must come from the same law as the lawful basis",
        ),
    ]
    for changes, field, message in cases:
        response = _post(client, path, _disclosure_form(now, **changes), path)
        assert response.status_code == 400, changes
        assert f'href="#{field}"' in response.text, changes
        assert message in _text(response), changes

    future = _post(client, path, _disclosure_form(now + timedelta(days=2)), path)
    assert future.status_code == 400
    assert "must be now or in the past" in _text(future)
    before = _post(client, path, _disclosure_form(now - timedelta(days=2)), path)
    assert before.status_code == 400
    assert "must be after the decision" in _text(before)


def test_nothing_can_be_recorded_under_a_refusal(client_for: Clients, web_runtime: Runtime) -> None:
    record = _seed(web_runtime, requester=ENFORCEMENT)
    client = client_for(Role.disclosure_officer)
    path = f"/policy/decisions/{record.id}/disclose"
    page = client.get(path)
    assert "Nothing may be sent under this decision" in _text(page)
    assert 'name="categories"' not in page.text
    response = _post(client, path, _disclosure_form(datetime.now(UTC)), path)
    assert response.status_code == 400
    assert "refused sharing, so nothing may be shared" in _text(response)


def test_only_disclosure_officers_record_disclosures(
    client_for: Clients, web_runtime: Runtime
) -> None:
    record = _seed(web_runtime)
    path = f"/policy/decisions/{record.id}/disclose"
    for role in (Role.officer, Role.supervisor, Role.inspector):
        client = client_for(role)
        assert client.get(path).status_code == 403, role
        assert _post(client, path, _disclosure_form(datetime.now(UTC)), "/home").status_code == 403


def test_the_report_page_starts_the_journeys_and_lists_its_decisions(
    client_for: Clients, web_runtime: Runtime
) -> None:
    client = client_for(Role.officer)
    response = _post(client, "/policy/share", VALID_FORM, "/policy/share")
    decision_id = int(response.headers["location"].rsplit("/", 1)[1])
    with web_runtime.session() as session:
        from safeshare.reporting import service as reporting

        report_id = reporting.find_report_id(session, reference=REFERENCE)
    page = client.get(f"/reports/{report_id}").text
    assert f'href="/policy/share?report_ref={REFERENCE}"' in page
    assert f'href="/support/find?report={REFERENCE}"' in page
    assert "check=true" in page
    assert f"Decision {decision_id}:" in page
    with web_runtime.session() as session:
        disclosure = service.record_disclosure(
            session,
            decision_id=decision_id,
            categories=["identity"],
            sent_at=datetime.now(UTC),
            method="phone",
            recipient_organisation="Demoshire Police PPU",
            lawful_basis="dpa_s35_2_b_task",
            processing_condition="not_sensitive",
            actor="disclosure-officer",
            actor_role=Role.disclosure_officer,
        )
        disclosure_id = disclosure.id
    page = client.get(f"/reports/{report_id}").text
    assert f"Disclosure {disclosure_id} under decision {decision_id}" in page
    assert "to Demoshire Police PPU" in page
    inspector = client_for(Role.inspector).get(f"/reports/{report_id}")
    if inspector.status_code == 200:
        assert "Request to share" not in inspector.text


# --- facts on the record ------------------------------------------------------------------


def _report_id(web_runtime: Runtime, reference: str) -> int:
    with web_runtime.session() as session:
        from safeshare.reporting import service as reporting

        report_id = reporting.find_report_id(session, reference=reference)
        assert report_id is not None
        return report_id


def test_facts_are_recorded_on_the_report_then_used_by_the_next_decision(
    client_for: Clients, web_runtime: Runtime, published: list[Any]
) -> None:
    with web_runtime.session() as session:
        reference = bare_report(session, crime_type="violence").reference
    report_id = _report_id(web_runtime, reference)
    client = client_for(Role.officer)
    path = f"/reports/{report_id}/facts/new"
    empty = _post(client, path, {}, path)
    assert empty.status_code == 400
    assert 'href="#role"' in empty.text and 'href="#source"' in empty.text
    bad = _post(client, path, {"role": "bystander", "source": "case_file"}, path)
    assert bad.status_code == 400 and "Select victim, witness or suspect" in bad.text
    form = {
        "role": "witness",
        "crime_types": ["domestic_abuse"],
        "is_child": "yes",
        "source": "officer_enquiry",
    }
    done = _post(client, path, form, path)
    assert done.status_code == 303
    kinds = [e for e in published if e.kind == "report.fact_recorded"]
    assert [e.data["fact"] for e in kinds[-3:]] == ["role", "crime_types", "is_child"]
    page = _text(client.get(f"/reports/{report_id}"))
    assert "Facts sharing decisions read" in page
    assert "Recorded by officer" in page and "officer enquiry" in page

    # A child who witnessed domestic abuse: rec1 protects them as a victim.
    with web_runtime.session() as session:
        service.set_active_regime(
            session, regime="hmicfrs-rec1", actor="admin", actor_role=Role.admin
        )
    try:
        check = {
            **VALID_FORM,
            "report_ref": reference,
            "agency": "immigration_enforcement",
            "purpose": "status_check",
            "status_doubt_only": "yes",
            "categories": ["identity"],
        }
        response = _post(client, "/policy/share", check, "/policy/share")
        text = _text(client.get(response.headers["location"]))
        assert "Do not share this information" in text
        assert "A police check of the person's immigration status" in text
    finally:
        with web_runtime.session() as session:
            service.set_active_regime(
                session, regime="firewall", actor="admin", actor_role=Role.admin
            )


def test_only_case_roles_record_facts(client_for: Clients, web_runtime: Runtime) -> None:
    report_id = _report_id(web_runtime, REFERENCE)
    for role in (Role.inspector, Role.pcc_analyst, Role.admin, Role.advocate):
        assert client_for(role).get(f"/reports/{report_id}/facts/new").status_code == 403, role


def test_the_facts_api_records_one_fact_and_names_a_bad_value(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    report_id = _report_id(web_runtime, REFERENCE)
    headers = {"Authorization": f"Bearer {api_tokens[Role.disclosure_officer]}"}
    path = f"/api/v1/reports/{report_id}/facts"
    ok = anon.post(
        path,
        json={
            "fact": "receiving_regularisation_support",
            "value": True,
            "source": "immigration_adviser",
        },
        headers=headers,
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["fact"] == "receiving_regularisation_support" and ok.json()["version"] >= 1
    empty = anon.post(
        path, json={"fact": "crime_types", "value": [], "source": "case_file"}, headers=headers
    )
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "value"
    officer_only = {"Authorization": f"Bearer {api_tokens[Role.inspector]}"}
    assert (
        anon.post(
            path,
            json={"fact": "role", "value": "victim", "source": "case_file"},
            headers=officer_only,
        ).status_code
        == 403
    )
