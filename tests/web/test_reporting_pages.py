"""Staff reporting pages: taking reports, the list, the report page with audited "Show",
updates, consents, Victims' Code rights, the supervisor dashboard and role refusals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.reporting import service as reporting
from safeshare.reporting.models import Report
from safeshare.reporting.schemas import ConsentGrant, UpdateCreate
from safeshare.reporting.vocabulary import ConsentMethod, CrimeType, VictimsCodeRight
from safeshare.runtime import Runtime
from safeshare.web.routing import iter_api_routes
from tests.web.reporting_fixtures import (
    REPORT_LINK,
    advocate_actor,
    bearer,
    ensure_vault_key,
    error_summary,
    ledger_entries,
    make_report,
    officer_actor,
    post_form,
    reason_of,
    signed_in,
    step_up_token_for,
    token_for,
)
from tests.web.test_route_access import declaration

Clients = Callable[[Role], TestClient]


@pytest.fixture(autouse=True, scope="module")
def _vault_key(web_runtime: Runtime) -> None:
    ensure_vault_key(web_runtime.settings)


@pytest.fixture
def advocate_b(app: FastAPI) -> Iterator[TestClient]:
    client = signed_in(app, "advocate-b")
    yield client
    client.__exit__(None, None, None)


def _report_id(response: object) -> int:
    location = response.headers["location"]
    match = REPORT_LINK.match(location)
    assert match, location
    return int(match.group(1))


# --- taking a report ---------------------------------------------------------------------


def test_officer_form_shows_every_error_and_keeps_what_was_typed(client_for: Clients) -> None:
    officer = client_for(Role.officer)
    response = post_form(
        officer,
        "/reports/new",
        {
            "occurred_from-day": "31",
            "occurred_from-month": "2",
            "occurred_from-year": "2025",
            "occurred_to-day": "1",
            "occurred_to-year": "2025",
            "name": "N" * 201,
            "immigration_status": "kept-status-text",
            "consents": ["share_with_agency"],
            "sex": "not-a-sex",
        },
    )
    assert response.status_code == 400
    summary = dict(error_summary(response.text))
    assert summary == {
        "#crime_type": "Select the type of crime",
        "#occurred_from-day": "The date the crime happened must be a real date",
        "#occurred_to-month": "The date the crime ended must include a month",
        "#name": "Name must be 200 characters or fewer",
        "#sex": "Select an answer about sex from the list",
        "#agency_name": "Enter the name of the agency they agreed to share with",
        "#consent_method": "Select how the person gave their consent",
    }
    assert 'id="crime_type-error"' in response.text
    assert 'value="kept-status-text"' in response.text
    assert 'value="31"' in response.text
    assert response.text.count('value="share_with_agency" checked') == 1


def test_officer_form_refuses_dates_in_the_wrong_order_or_future(client_for: Clients) -> None:
    officer = client_for(Role.officer)
    later = utcnow().date() + timedelta(days=30)
    response = post_form(
        officer,
        "/reports/new",
        {
            "crime_type": "violence",
            "occurred_from-day": "5",
            "occurred_from-month": "3",
            "occurred_from-year": "2025",
            "occurred_to-day": "1",
            "occurred_to-month": "3",
            "occurred_to-year": "2025",
            "date_of_birth-day": str(later.day),
            "date_of_birth-month": str(later.month),
            "date_of_birth-year": str(later.year),
        },
    )
    assert response.status_code == 400
    summary = dict(error_summary(response.text))
    assert summary["#occurred_to-day"].startswith("The date the crime ended must be the same as")
    assert summary["#date_of_birth-day"] == "Date of birth must be a real date in the past"


def test_officer_takes_a_report_without_immigration_status(
    client_for: Clients, web_runtime: Runtime
) -> None:
    officer = client_for(Role.officer)
    response = post_form(
        officer,
        "/reports/new",
        {
            "crime_type": "hate_crime",
            "consents": ["victim_support"],
            "consent_method": "officer_phone",
        },
    )
    assert response.status_code == 303
    report_id = _report_id(response)
    page = officer.get(f"/reports/{report_id}")
    assert page.status_code == 200
    assert "has been recorded" in page.text
    assert "Hate crime" in page.text and "Taken by an officer" in page.text
    assert "Referral to a support organisation" in page.text
    assert "by phone, to an officer" in page.text
    with web_runtime.session() as session:
        report = reporting.get_report_or_raise(session, report_id=report_id, actor=officer_actor())
    assert report.submitted_by == "officer"
    right4 = next(r for r in report.rights if r.right is VictimsCodeRight.referral_to_support)
    assert right4.due_on is not None  # consent to referral started the 2-working-day clock


def test_staff_form_asks_the_new_monitoring_questions_and_keeps_the_category_off_the_page(
    client_for: Clients, web_runtime: Runtime
) -> None:
    officer = client_for(Role.officer)
    form = officer.get("/reports/new").text
    for question in ("Disability", "Religion", "Sexual orientation", "Preferred language"):
        assert question in form
    assert "Immigration status category" in form
    response = post_form(
        officer,
        "/reports/new",
        {
            "crime_type": "other",
            "disability": "yes",
            "religion": "sikh",
            "sexual_orientation": "declined",
            "preferred_language": "polish",
            "immigration_status_category": "no_leave",
        },
    )
    assert response.status_code == 303
    report_id = _report_id(response)
    page = officer.get(f"/reports/{report_id}").text
    assert "Sikh" in page and "Polish" in page
    # Counted in statistics only, like the nationality group: never shown against a person.
    assert "Immigration status category" not in page and "No current leave" not in page
    with web_runtime.session() as session:
        stored = session.get(Report, report_id)
        assert stored is not None
        assert (stored.disability, stored.immigration_status_category) == ("yes", "no_leave")


def test_staff_form_refuses_an_unknown_monitoring_answer(client_for: Clients) -> None:
    response = post_form(
        client_for(Role.officer), "/reports/new", {"crime_type": "other", "religion": "jedi"}
    )
    assert response.status_code == 400
    assert ("#religion", "Select a religion from the list") in error_summary(response.text)


def test_supervisor_can_take_a_report(client_for: Clients) -> None:
    response = post_form(client_for(Role.supervisor), "/reports/new", {"crime_type": "other"})
    assert response.status_code == 303


def test_third_party_form_asks_about_identity(client_for: Clients) -> None:
    advocate = client_for(Role.advocate)
    form = advocate.get("/reports/new")
    assert "Does this report include who the victim is?" in form.text
    assert 'name="consent_method"' not in form.text
    response = post_form(advocate, "/reports/new", {"crime_type": "domestic_abuse"})
    assert response.status_code == 400
    assert ("#with_identity", "Select yes if the report includes who the victim is") in (
        error_summary(response.text)
    )
    response = post_form(
        advocate,
        "/reports/new",
        {"crime_type": "domestic_abuse", "with_identity": "no", "name": "Someone", "address": "X"},
    )
    assert response.status_code == 400
    hrefs = [href for href, _ in error_summary(response.text)]
    assert hrefs == ["#name", "#address"]  # in page order


def test_advocate_reports_with_or_without_identity(
    client_for: Clients, advocate_b: TestClient, web_runtime: Runtime
) -> None:
    advocate = client_for(Role.advocate)
    anonymous = post_form(
        advocate,
        "/reports/new",
        {"crime_type": "modern_slavery", "with_identity": "no", "account": "kept safe"},
    )
    named = post_form(
        advocate,
        "/reports/new",
        {"crime_type": "modern_slavery", "with_identity": "yes", "name": "A Person"},
    )
    assert anonymous.status_code == named.status_code == 303
    without_id, with_id = _report_id(anonymous), _report_id(named)
    actor = advocate_actor(web_runtime)
    with web_runtime.session() as session:
        first = reporting.get_report_or_raise(session, report_id=without_id, actor=actor)
        second = reporting.get_report_or_raise(session, report_id=with_id, actor=actor)
    assert first.pathway == second.pathway == "third_party"
    assert (first.has_identity, second.has_identity) == (False, True)
    assert first.submitted_by_organisation_id == actor.organisation_id
    listing = advocate.get("/reports").text
    assert f'href="/reports/{without_id}"' in listing and f'href="/reports/{with_id}"' in listing
    assert f'href="/reports/{with_id}"' not in advocate_b.get("/reports").text


# --- list and search ---------------------------------------------------------------------


def test_list_filters_and_paginates(client_for: Clients, web_runtime: Runtime) -> None:
    size = web_runtime.settings.reporting.page_size_default
    receipts = [
        make_report(web_runtime, crime_type=CrimeType.criminal_damage) for _ in range(size + 2)
    ]
    officer = client_for(Role.officer)
    first = officer.get("/reports", params={"crime_type": "criminal_damage"})
    assert first.status_code == 200
    assert f"Showing 1 to {size} of {size + 2} reports" in first.text
    assert 'class="govuk-pagination' in first.text
    assert "crime_type=criminal_damage&amp;page=2" in first.text
    second = officer.get("/reports", params={"crime_type": "criminal_damage", "page": "2"})
    assert f"Showing {size + 1} to {size + 2} of {size + 2} reports" in second.text
    assert receipts[0].reference in second.text  # oldest last
    by_reference = officer.get("/reports", params={"reference": receipts[3].reference})
    assert "Showing 1 to 1 of 1 report," in by_reference.text
    today = utcnow().date()
    dated = officer.get(
        "/reports",
        params={
            "crime_type": "criminal_damage",
            "pathway": "officer",
            "status": "new",
            "reported_from-day": str(today.day),
            "reported_from-month": str(today.month),
            "reported_from-year": str(today.year),
        },
    )
    assert f"of {size + 2} reports" in dated.text
    none = officer.get("/reports", params={"crime_type": "criminal_damage", "pathway": "anonymous"})
    assert "No reports match your search." in none.text


def test_list_rejects_bad_filters_with_an_error_summary(client_for: Clients) -> None:
    response = client_for(Role.officer).get(
        "/reports",
        params={
            "crime_type": "nonsense",
            "reported_to-day": "40",
            "reported_to-month": "1",
            "reported_to-year": "2025",
        },
    )
    assert response.status_code == 400
    assert [href for href, _ in error_summary(response.text)] == [
        "#reported_to-day",
        "#crime_type",
    ]
    response = client_for(Role.officer).get("/reports", params={"crime_type": "nonsense"})
    assert error_summary(response.text) == [("#crime_type", "Select a type of crime from the list")]


def test_list_never_shows_sealed_fields(client_for: Clients, web_runtime: Runtime) -> None:
    make_report(
        web_runtime,
        area="Eastside",
        details={"name": "Listname Unique", "immigration_status": "list-status-unique"},
    )
    text = client_for(Role.supervisor).get("/reports").text
    assert "Eastside" in text
    assert "Listname Unique" not in text and "list-status-unique" not in text


# --- the report page: audited reads --------------------------------------------------------


def test_report_page_hides_sealed_details(client_for: Clients, web_runtime: Runtime) -> None:
    receipt = make_report(
        web_runtime, details={"name": "Hidden Name", "immigration_status": "hidden-status"}
    )
    page = client_for(Role.officer).get(f"/reports/{receipt.report_id}")
    assert page.status_code == 200
    assert receipt.reference in page.text
    assert "Hidden Name" not in page.text and "hidden-status" not in page.text
    assert page.text.count(">Hidden</span>") == 9


def test_show_requires_a_reason_and_a_choice(client_for: Clients, web_runtime: Runtime) -> None:
    receipt = make_report(web_runtime, details={"immigration_status": "no-reason-status"})
    before = len(ledger_entries(web_runtime, "vault.read"))
    response = post_form(
        client_for(Role.officer),
        f"/reports/{receipt.report_id}/sealed",
        {"fields": "immigration_status", "reason": " no "},
    )
    assert response.status_code == 400
    assert error_summary(response.text) == [
        ("#reason", "Enter the reason, in at least 5 characters")
    ]
    assert "no-reason-status" not in response.text
    response = post_form(
        client_for(Role.officer),
        f"/reports/{receipt.report_id}/sealed",
        {"reason": "A good reason", "fields": "not-a-field"},
    )
    assert response.status_code == 400
    assert error_summary(response.text) == [("#fields", "Select the details you need to see")]
    assert 'value="A good reason"' not in response.text  # a textarea keeps it as its content
    assert ">A good reason</textarea>" in response.text
    assert len(ledger_entries(web_runtime, "vault.read")) == before


def test_show_reveals_chosen_fields_and_records_each_read(
    client_for: Clients, web_runtime: Runtime
) -> None:
    receipt = make_report(
        web_runtime, details={"name": "Shown Name", "immigration_status": "shown-status"}
    )
    before = len(ledger_entries(web_runtime, "vault.read"))
    response = post_form(
        client_for(Role.disclosure_officer),
        f"/reports/{receipt.report_id}/sealed",
        {"fields": ["immigration_status", "address"], "reason": "To arrange   safe contact"},
    )
    assert response.status_code == 200
    assert "shown-status" in response.text
    assert "Shown Name" not in response.text  # only what was chosen
    assert "Not given" in response.text  # address was not given
    assert "recorded" in response.text
    after = ledger_entries(web_runtime, "vault.read")
    reads = after[: len(after) - before]
    assert sorted(e["data"]["field"] for e in reads) == ["address", "immigration_status"]
    for entry in reads:
        assert entry["actor"] == "disclosure-officer"
        assert reason_of(web_runtime, entry["data"]) == "To arrange safe contact"
        assert entry["data"]["reference"] == receipt.reference
        assert "shown-status" not in str(entry)
    # Shown for that response only: the page stays hidden on the next visit.
    assert (
        "shown-status"
        not in client_for(Role.disclosure_officer).get(f"/reports/{receipt.report_id}").text
    )


# --- updates -------------------------------------------------------------------------------


def test_updates_validate_add_and_reveal_text_with_a_reason(
    client_for: Clients, web_runtime: Runtime
) -> None:
    receipt = make_report(web_runtime, crime_type=CrimeType.domestic_abuse)
    officer = client_for(Role.officer)
    path = f"/reports/{receipt.report_id}/updates/new"
    assert officer.get(path).status_code == 200
    empty = post_form(officer, path, {"text": "  "})
    assert empty.status_code == 400
    assert error_summary(empty.text) == [
        ("#text", "Enter an update, a key decision or a new status")
    ]
    bad = post_form(officer, path, {"key_decision": "execution", "text": "keep me"})
    assert bad.status_code == 400
    assert ("#key_decision", "Select a key decision from the list") in error_summary(bad.text)
    assert ">keep me</textarea>" in bad.text
    added = post_form(
        officer,
        path,
        {
            "text": "Suspect arrested; update-secret",
            "key_decision": "arrest",
            "new_status": "under_investigation",
        },
    )
    assert added.status_code == 303
    assert added.headers["location"] == f"/reports/{receipt.report_id}#updates"
    page = officer.get(f"/reports/{receipt.report_id}")
    assert "update-secret" not in page.text
    assert "Under investigation" in page.text and "Key decision: arrest" in page.text
    with web_runtime.session() as session:
        report = reporting.get_report_or_raise(
            session, report_id=receipt.report_id, actor=officer_actor()
        )
    update_id = report.updates[-1].id
    right6 = [r for r in report.rights if r.trigger == "key_decision:arrest"]
    assert len(right6) == 1 and right6[0].due_on is not None
    show = f"/reports/{receipt.report_id}/updates/{update_id}/sealed"
    refused = post_form(officer, show, {"reason": ""})
    assert refused.status_code == 400
    assert error_summary(refused.text) == [
        (f"#update-{update_id}-reason", "Enter the reason, in at least 5 characters")
    ]
    assert "update-secret" not in refused.text
    shown = post_form(officer, show, {"reason": "Victim asked what happened"})
    assert shown.status_code == 200 and "update-secret" in shown.text
    read = ledger_entries(web_runtime, "vault.read")[0]
    assert read["data"]["update_id"] == update_id
    assert reason_of(web_runtime, read["data"]) == "Victim asked what happened"
    # An update id from another report is not found through this one.
    other = make_report(web_runtime)
    wrong = post_form(
        officer,
        f"/reports/{other.report_id}/updates/{update_id}/sealed",
        {"reason": "Valid reason"},
    )
    assert wrong.status_code == 404


# --- consents ------------------------------------------------------------------------------


def test_consents_record_and_withdraw_with_method(
    client_for: Clients, web_runtime: Runtime
) -> None:
    receipt = make_report(web_runtime)
    officer = client_for(Role.officer)
    path = f"/reports/{receipt.report_id}/consents/new"
    empty = post_form(officer, path, {})
    assert empty.status_code == 400
    assert [h for h, _ in error_summary(empty.text)] == ["#purpose", "#method"]
    agency = post_form(officer, path, {"purpose": "share_with_agency", "method": "officer_written"})
    assert agency.status_code == 400
    assert error_summary(agency.text) == [
        ("#agency_name", "Enter the name of the agency they agreed to share with")
    ]
    ok = post_form(
        officer,
        path,
        {
            "purpose": "share_with_agency",
            "agency_name": "Women's Refuge",
            "method": "officer_written",
        },
    )
    assert ok.status_code == 303
    with web_runtime.session() as session:
        report = reporting.get_report_or_raise(
            session, report_id=receipt.report_id, actor=officer_actor()
        )
    consent = report.consents[-1]
    assert (consent.purpose, consent.agency_name, consent.method) == (
        "share_with_agency",
        "Women's Refuge",
        "officer_written",
    )
    withdraw = f"/reports/{receipt.report_id}/consents/{consent.id}/withdraw"
    assert "Withdraw consent to sharing" in officer.get(withdraw).text
    assert post_form(officer, withdraw, {}).status_code == 400
    assert post_form(officer, withdraw, {"method": "officer_phone"}).status_code == 303
    page = officer.get(f"/reports/{receipt.report_id}").text
    assert "Withdrawn" in page and "by phone, to an officer" in page
    assert officer.get(withdraw).status_code == 404  # nothing left to withdraw


def test_advocate_records_consent_through_themselves(
    client_for: Clients, web_runtime: Runtime
) -> None:
    receipt = make_report(web_runtime, actor=advocate_actor(web_runtime))
    advocate = client_for(Role.advocate)
    path = f"/reports/{receipt.report_id}/consents/new"
    assert 'name="method"' not in advocate.get(path).text
    assert post_form(advocate, path, {"purpose": "victim_support"}).status_code == 303
    with web_runtime.session() as session:
        report = reporting.get_report_or_raise(
            session, report_id=receipt.report_id, actor=advocate_actor(web_runtime)
        )
    assert report.consents[-1].method == "third_party_advocate"


# --- Victims' Code rights ------------------------------------------------------------------


def test_rights_marked_met_and_not_applicable(client_for: Clients, web_runtime: Runtime) -> None:
    receipt = make_report(web_runtime)
    with web_runtime.session() as session:
        report = reporting.get_report_or_raise(
            session, report_id=receipt.report_id, actor=officer_actor()
        )
    items = {r.right: r.id for r in report.rights}
    officer = client_for(Role.officer)
    base = f"/reports/{receipt.report_id}/rights"
    ack = items[VictimsCodeRight.information_when_reporting]
    page = officer.get(f"{base}/{ack}")
    assert "How was the information given safely?" in page.text
    missing = post_form(officer, f"{base}/{ack}/met", {})
    assert missing.status_code == 400
    assert error_summary(missing.text) == [
        ("#delivery_method", "Select how the acknowledgement was given safely")
    ]
    future = utcnow().date() + timedelta(days=3)
    late = post_form(
        officer,
        f"{base}/{ack}/met",
        {
            "delivery_method": "via_advocate",
            "met_on-day": str(future.day),
            "met_on-month": str(future.month),
            "met_on-year": str(future.year),
        },
    )
    assert late.status_code == 400
    assert ("#met_on-day", "The date it was met must be today or in the past") in error_summary(
        late.text
    )
    met = post_form(officer, f"{base}/{ack}/met", {"delivery_method": "withheld_unsafe"})
    assert met.status_code == 303
    compensation = items[VictimsCodeRight.compensation_information]
    short = post_form(
        officer, f"{base}/{compensation}/not-applicable", {"not_applicable_reason": "x"}
    )
    assert short.status_code == 400
    assert error_summary(short.text) == [
        ("#not_applicable_reason", "Enter the reason, in at least 5 characters")
    ]
    done = post_form(
        officer,
        f"{base}/{compensation}/not-applicable",
        {"not_applicable_reason": "No loss or injury"},
    )
    assert done.status_code == 303
    page = officer.get(f"/reports/{receipt.report_id}").text
    assert "not sent, because sending it would have put them at risk" in page
    assert "No loss or injury" in page
    again = post_form(officer, f"{base}/{ack}/met", {"delivery_method": "in_person"})
    assert again.status_code == 409  # already closed
    other = make_report(web_runtime)
    assert officer.get(f"/reports/{other.report_id}/rights/{ack}").status_code == 404


# --- supervisor dashboard ------------------------------------------------------------------


def test_dashboard_lists_overdue_and_due_soon_items(
    client_for: Clients, web_runtime: Runtime
) -> None:
    overdue = make_report(web_runtime, crime_type=CrimeType.stalking_harassment)
    soon = make_report(web_runtime, crime_type=CrimeType.domestic_abuse)
    config = web_runtime.settings.reporting
    with web_runtime.session() as session:
        reporting.record_consent(
            session,
            report_id=overdue.report_id,
            grant=ConsentGrant(purpose="victim_support"),
            method=ConsentMethod.officer_in_person,
            actor=officer_actor(),
            config=config,
            now=utcnow() - timedelta(days=30),
        )
        reporting.add_update(
            session,
            report_id=soon.report_id,
            payload=UpdateCreate(key_decision="charge"),
            actor=officer_actor(),
            provider=ensure_vault_key(web_runtime.settings),
            config=config,
        )
    page = client_for(Role.supervisor).get("/victims-code")
    assert page.status_code == 200
    overdue_part, _, soon_part = page.text.partition("Due today or within")
    assert overdue.reference in overdue_part
    assert "Right 4: To be referred to services that support victims" in overdue_part
    assert soon.reference in soon_part and "Key decision: charge" in soon_part
    assert soon.reference not in overdue_part


# --- roles and isolation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (Role.inspector, "/reports"),
        (Role.pcc_analyst, "/reports"),
        (Role.admin, "/reports/new"),
        (Role.disclosure_officer, "/reports/new"),
        (Role.officer, "/victims-code"),
        (Role.supervisor, "/admin/erase-report"),
        (Role.advocate, "/reports/1/updates/new"),
        (Role.advocate, "/reports/1/rights/1"),
    ],
)
def test_wrong_roles_are_refused(client_for: Clients, role: Role, path: str) -> None:
    assert client_for(role).get(path).status_code == 403


def test_advocate_of_another_organisation_gets_404_on_every_report_route(
    app: FastAPI, client_for: Clients, advocate_b: TestClient, web_runtime: Runtime
) -> None:
    receipt = make_report(
        web_runtime, actor=advocate_actor(web_runtime), details={"name": "Org A only"}
    )
    with web_runtime.session() as session:
        reporting.add_update(
            session,
            report_id=receipt.report_id,
            payload=UpdateCreate(text="org-a-update"),
            actor=officer_actor(),
            provider=ensure_vault_key(web_runtime.settings),
            config=web_runtime.settings.reporting,
        )
        report = reporting.get_report_or_raise(
            session, report_id=receipt.report_id, actor=officer_actor()
        )
    ids = {
        "report_id": receipt.report_id,
        "update_id": report.updates[0].id,
        "consent_id": 1,
        "item_id": report.rights[0].id,
    }
    token = token_for(web_runtime, "advocate-b")
    # Sealed reads take a step-up token; with an ordinary one they stop before the report.
    sealed_token = step_up_token_for(web_runtime, "advocate-b")
    own = client_for(Role.advocate)
    checked = 0
    for route in iter_api_routes(app):
        access = declaration(route)
        if "{report_id}" not in route.path or access is None or access.roles is None:
            continue
        if Role.advocate not in access.roles:
            continue
        path = route.path.format(**ids)
        for method in route.methods:
            if path.startswith("/api/"):
                body = {"fields": ["name"], "reason": "Looking at it"} if method == "POST" else None
                used = sealed_token if path.endswith("/sealed-reads") else token
                status = advocate_b.request(method, path, headers=bearer(used), json=body)
                assert status.status_code == 404, (method, path)
            elif method == "GET":
                assert advocate_b.get(path).status_code == 404, path
            else:
                data = {"reason": "Looking at it", "fields": "name", "purpose": "victim_support"}
                response = post_form(advocate_b, path, data)
                assert response.status_code == 404, (method, path)
                assert "Org A only" not in response.text
            checked += 1
    assert checked >= 7
    # The organisation that made it still can.
    assert own.get(f"/reports/{receipt.report_id}").status_code == 200
