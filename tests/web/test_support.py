"""Support pages: find support, refer through consent and the Firewall, directory releases,
performance with small-count suppression. Directory management is in test_support_directory.py
and the advocates' pages in test_support_advocate.py."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.policy import service as policy_service
from safeshare.policy.schemas import Consent, Purpose, Subject
from safeshare.reporting import service as reporting
from safeshare.reporting.facts import SubjectFacts
from safeshare.reporting.vocabulary import ConsentMethod
from safeshare.runtime import Runtime
from safeshare.support import service as support
from safeshare.support.schemas import ReferralCreate, ServiceCreate
from safeshare.web.app import create_app
from tests.factories.reporting import officer
from tests.web.conftest import csrf_from, sign_in
from tests.web.support_data import (
    REPORTING,
    SupportData,
    make_report,
    principal,
    seed_directory,
)

ClientFor = Callable[[Role], TestClient]


@pytest.fixture(scope="module")
def data(web_runtime: Runtime) -> SupportData:
    return seed_directory(web_runtime)


def cards(html: str) -> list[str]:
    """The titles of the result cards, in order."""
    return re.findall(r'<h3 class="govuk-summary-card__title">\s*(.*?)\s*</h3>', html)


def card_bodies(html: str) -> dict[str, str]:
    """Each result card's HTML by its title."""
    parts = re.split(r'<div class="govuk-summary-card">', html)[1:]
    return {cards(part)[0]: part for part in parts}


def referrals_for(runtime: Runtime, report_id: int) -> list[str]:
    with runtime.session() as session:
        return [r.status for r in support.list_referrals_for_report(session, report_id=report_id)]


def refer(
    client: TestClient, service_id: int, reference: str, **extra: object
) -> tuple[int, str, str]:
    token = csrf_from(client, "/support/find")
    response = client.post(
        "/support/refer",
        data={"csrf_token": token, "service_id": service_id, "reference": reference, **extra},
    )
    return response.status_code, response.headers.get("location", ""), response.text


# --- navigation and find support -----------------------------------------------------------------


def test_navigation_shows_each_role_its_support_pages(client_for: ClientFor) -> None:
    officer = client_for(Role.officer).get("/home").text
    assert 'href="/support/find"' in officer and 'href="/support/releases"' in officer
    assert 'href="/support/referrals"' not in officer
    advocate = client_for(Role.advocate).get("/home").text
    assert 'href="/support/referrals"' in advocate and 'href="/support/capacity"' in advocate
    assert 'href="/support/find"' not in advocate
    pcc = client_for(Role.pcc_analyst).get("/home").text
    assert 'href="/support/directory"' in pcc and 'href="/support/performance"' in pcc


def test_find_support_orders_by_fit_and_shows_what_officers_need(
    client_for: ClientFor, data: SupportData
) -> None:
    response = client_for(Role.officer).get(
        "/support/find", params={"language": "Spanish", "nrpf": "yes", "area": "north"}
    )
    assert response.status_code == 200
    assert cards(response.text)[0] == "Casa Segura Refuge"
    html = response.text
    for text in (
        "Spanish, Portuguese",  # languages
        "Latin American women",  # communities served
        "Secure email: refer@casa.example",  # how to refer
        "24 hours",  # opening hours
        "General: 2 of 6 units, 3 of 11 bedspaces",
        "NRPF-ringfenced: 1 of 4 units, 2 of 7 bedspaces",
        "Updated ",
    ):
        assert text in html, text
    assert f'href="/support/refer?service={data.refuge_a}&amp;language=Spanish' in html


def test_stale_vacancies_are_tagged(client_for: ClientFor, data: SupportData) -> None:
    html = client_for(Role.supervisor).get("/support/find", params={"need": "refuge"}).text
    bodies = card_bodies(html)
    fresh, stale = bodies["Casa Segura Refuge"], bodies["Old Town Refuge"]
    assert "govuk-tag--orange" not in fresh
    assert '<strong class="govuk-tag govuk-tag--orange">Stale</strong>' in stale
    assert "may be out of date" in stale
    assert "/support/refer?" not in html  # supervisors do not refer


def test_staleness_follows_the_configured_age(web_runtime: Runtime, data: SupportData) -> None:
    settings = web_runtime.settings.model_copy(update={"vacancy_stale_after_hours": 72})
    with TestClient(create_app(settings, web_runtime), follow_redirects=False) as client:
        sign_in(client, "officer")
        html = client.get("/support/find", params={"need": "refuge"}).text
    assert "Old Town Refuge" in html and ">Stale</strong>" not in html


def test_vacancy_now_keeps_only_refuges_with_a_place(
    client_for: ClientFor, data: SupportData
) -> None:
    html = client_for(Role.officer).get("/support/find", params={"vacancy": "yes"}).text
    assert set(cards(html)) == {"Casa Segura Refuge", "Old Town Refuge"}
    # For a victim with NRPF only a ringfenced place counts, and Old Town has none.
    html = client_for(Role.officer).get("/support/find", params={"vacancy": "yes", "nrpf": "yes"})
    assert cards(html.text) == ["Casa Segura Refuge"]


def test_find_support_is_a_plain_get_form(client_for: ClientFor, data: SupportData) -> None:
    html = client_for(Role.disclosure_officer).get("/support/find").text
    assert '<form method="get" action="/support/find"' in html
    assert "<script>" not in html and "style=" not in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"need": "spaceship"}, "need", "Choose a type of support from the list"),
        ({"require_language": "yes"}, "language", "Enter a language to show only services"),
        ({"area": "atlantis"}, "area", "Choose an area from the list"),
        ({"page": "0"}, "page", "That page does not exist"),
    ],
)
def test_bad_filters_are_explained(
    client_for: ClientFor, data: SupportData, params: dict[str, str], field: str, message: str
) -> None:
    response = client_for(Role.officer).get("/support/find", params=params)
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert message in response.text
    if field != "page":
        assert f'href="#{field}"' in response.text


def test_results_are_paginated(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    with web_runtime.session() as session:
        for n in range(21):
            support.create_service(
                session,
                actor=support.SYSTEM_ACTOR,
                data=ServiceCreate(
                    organisation_id=data.org_b,
                    name=f"Helpline {n:02d}",
                    service_types=["helpline"],
                    is_area_wide=True,
                    referral_method="phone",
                    referral_contact="0808 000 0000",
                ),
            )
    client = client_for(Role.officer)
    first = client.get("/support/find", params={"need": "helpline"}).text
    assert "21 services found" in first and len(cards(first)) == 20
    assert 'href="/support/find?need=helpline&amp;page=2"' in first
    second = client.get("/support/find", params={"need": "helpline", "page": "2"}).text
    assert cards(second) == ["Helpline 20"]
    assert "Showing 21 to 21" in second


def test_service_page_shows_capacity_history(client_for: ClientFor, data: SupportData) -> None:
    html = client_for(Role.inspector).get(f"/support/services/{data.refuge_a}").text
    assert "Capacity history" in html and "2 / 3" in html and "1 / 2" in html
    assert "Refer to this service" not in html and "Update vacancies" not in html
    own = client_for(Role.advocate).get(f"/support/services/{data.refuge_a}").text
    assert "Update vacancies" in own
    other = client_for(Role.advocate).get(f"/support/services/{data.advocacy_b}").text
    assert "Update vacancies" not in other
    assert client_for(Role.officer).get("/support/services/99999").status_code == 404


# --- refer ---------------------------------------------------------------------------------------


def test_refer_form_prefills_from_the_search(client_for: ClientFor, data: SupportData) -> None:
    client = client_for(Role.officer)
    html = client.get(
        "/support/refer",
        params={"service": data.refuge_a, "need": "refuge", "nrpf": "yes", "report": "SS-1"},
    ).text
    assert 'value="refuge" checked' in html and 'name="has_nrpf"' in html
    assert 'value="SS-1"' in html
    assert client.get("/support/refer").headers["location"] == "/support/find"


def test_refer_with_consent_goes_through_the_firewall(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    report_id, reference = make_report(web_runtime, consent=True)
    status, location, _ = refer(
        client_for(Role.officer), data.refuge_a, reference, needs="refuge", has_nrpf="yes"
    )
    assert status == 303 and location.startswith("/support/refer/decisions/")
    page = client_for(Role.officer).get(location).text
    assert "Referral sent" in page
    assert "Identity, Contact details, Offence details" in page
    assert "A support organisation may receive identity" in page  # the decision's reason
    assert referrals_for(web_runtime, report_id) == ["pending"]
    with web_runtime.session() as session:
        (referral,) = support.list_referrals_for_report(session, report_id=report_id)
        assert referral.shared_categories == ["identity", "contact", "offence_details"]
        decision = policy_service.get_decision(session, decision_id=referral.decision_id or 0)
        assert decision is not None and decision.report_ref == reference
        assert decision.request["requester"] == {
            "agency": "support_org",
            "purpose": "victim_support",
        }
        assert decision.request["subject"]["consents"] == [
            {"purpose": "victim_support", "withdrawn": False}
        ]


def test_refer_without_consent_is_refused_clearly(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    report_id, reference = make_report(web_runtime, consent=False)
    status, _, html = refer(client_for(Role.officer), data.refuge_a, reference)
    assert status == 403
    assert "The referral was not made" in html
    assert "has not agreed to be referred to support services" in html
    assert 'href="#reference"' in html
    assert referrals_for(web_runtime, report_id) == []
    with web_runtime.session() as session:
        assert policy_service.list_decisions(session, report_ref=reference) == []


def test_refer_after_consent_was_withdrawn_is_refused(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    report_id, reference = make_report(web_runtime, consent=True, withdrawn=True)
    status, _, html = refer(client_for(Role.disclosure_officer), data.refuge_a, reference)
    assert status == 403
    assert "has withdrawn their consent" in html
    assert referrals_for(web_runtime, report_id) == []


def test_withdrawing_consent_closes_an_open_referral(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    report_id, reference = make_report(web_runtime, consent=True)
    assert refer(client_for(Role.officer), data.advocacy_b, reference)[0] == 303
    with web_runtime.session() as session:
        consent = reporting.get_report_or_raise(
            session, report_id=report_id, actor=officer()
        ).consents[0]
        reporting.withdraw_consent(
            session,
            report_id=report_id,
            consent_id=consent.id,
            method=ConsentMethod.officer_phone,
            actor=officer(),
            config=REPORTING,
        )
    assert referrals_for(web_runtime, report_id) == ["withdrawn"]


def test_a_firewall_refusal_makes_no_referral_and_says_why(
    web_runtime: Runtime,
    client_for: ClientFor,
    data: SupportData,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = policy_service.subject_from_record

    def consent_read_as_withdrawn(facts: SubjectFacts) -> Subject:
        """As if consent were withdrawn between the check and the decision."""
        withdrawn = [Consent(purpose=Purpose.victim_support, withdrawn=True)]
        return original(facts).model_copy(update={"consents": withdrawn})

    monkeypatch.setattr(policy_service, "subject_from_record", consent_read_as_withdrawn)
    report_id, reference = make_report(web_runtime, consent=True)
    status, location, _ = refer(client_for(Role.officer), data.refuge_a, reference)
    assert status == 303
    page = client_for(Role.officer).get(location).text
    assert "Referral not made" in page and "did not allow anything to be shared" in page
    # Withdrawn consent: the universal rule that a support organisation gets nothing without it.
    assert "A support organisation receives nothing" in page
    assert referrals_for(web_runtime, report_id) == []


@pytest.mark.parametrize(
    ("reference", "status", "message"),
    [
        ("", 400, "Enter the report reference"),
        ("SS-00000-00000", 400, "There is no report with that reference"),
    ],
)
def test_refer_needs_a_known_report(
    client_for: ClientFor, data: SupportData, reference: str, status: int, message: str
) -> None:
    code, _, html = refer(client_for(Role.officer), data.refuge_a, reference)
    assert code == status and message in html and 'href="#reference"' in html
    assert f'value="{reference}"' in html  # what was typed is kept


def test_a_second_open_referral_to_the_same_service_is_refused(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    report_id, reference = make_report(web_runtime, consent=True)
    assert refer(client_for(Role.officer), data.stale_refuge_a, reference)[0] == 303
    status, _, html = refer(client_for(Role.officer), data.stale_refuge_a, reference)
    assert status == 409 and "already has an open referral" in html
    # A second service at the same time is fine.
    assert refer(client_for(Role.officer), data.refuge_a, reference)[0] == 303
    assert referrals_for(web_runtime, report_id) == ["pending", "pending"]


def test_supervisors_cannot_refer(client_for: ClientFor, data: SupportData) -> None:
    client = client_for(Role.supervisor)
    assert client.get(f"/support/refer?service={data.refuge_a}").status_code == 403
    token = csrf_from(client, "/support/find")
    response = client.post(
        "/support/refer",
        data={"csrf_token": token, "service_id": data.refuge_a, "reference": "SS-1"},
    )
    assert response.status_code == 403


# --- releases ------------------------------------------------------------------------------------


def publish(client: TestClient, summary: str) -> int:
    token = csrf_from(client, "/support/directory/releases")
    return client.post(
        "/support/directory/releases", data={"csrf_token": token, "change_summary": summary}
    ).status_code


def test_release_cascade(client_for: ClientFor, data: SupportData) -> None:
    pcc, officer = client_for(Role.pcc_analyst), client_for(Role.officer)
    response = officer.get("/support/releases")
    assert "has not published" in response.text

    blank = client_for(Role.admin)
    token = csrf_from(blank, "/support/directory/releases")
    response = blank.post(
        "/support/directory/releases", data={"csrf_token": token, "change_summary": "  "}
    )
    assert response.status_code == 400 and 'href="#change_summary"' in response.text

    assert publish(pcc, "First directory for officers.") == 303
    html = officer.get("/support/releases").text
    assert "1 new release" in html and "First directory for officers." in html
    token = csrf_from(officer, "/support/releases")
    assert (
        officer.post(
            "/support/releases/acknowledge", data={"csrf_token": token, "version": "1"}
        ).status_code
        == 303
    )
    assert "nothing new" in officer.get("/support/releases").text

    coverage = pcc.get("/support/directory/releases").text
    assert "Version 1, by team" in coverage and "All officers" in coverage

    assert publish(pcc, "Casa Segura now speaks Arabic.") == 303
    html = officer.get("/support/releases").text
    assert "since version 1" in html and "Casa Segura now speaks Arabic." in html
    token = csrf_from(officer, "/support/releases")
    stale = officer.post(
        "/support/releases/acknowledge", data={"csrf_token": token, "version": "1"}
    )
    assert stale.status_code == 409


# --- performance ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def referred(web_runtime: Runtime, data: SupportData) -> Iterator[None]:
    """Three referrals to Casa Segura (too few to publish) made outside the Firewall path."""
    actor = principal(web_runtime, "officer")
    with web_runtime.session() as session:
        for report_id in (9001, 9002, 9003):
            support.create_referral(
                session,
                actor=actor,
                data=ReferralCreate(report_id=report_id, service_id=data.stale_refuge_a),
                has_victim_support_consent=lambda _session, _report: True,
            )
    yield


@pytest.mark.parametrize("role", [Role.pcc_analyst, Role.officer, Role.inspector])
def test_performance_suppresses_small_counts_for_others(
    client_for: ClientFor, data: SupportData, referred: None, role: Role
) -> None:
    html = client_for(role).get(f"/support/services/{data.stale_refuge_a}/performance").text
    assert "Counts from 1 to 9 are withheld" in html  # the oversight statistics' own note
    assert re.search(r"Referrals received\s*</dt>\s*<dd[^>]*>\s*\[c\]", html)
    overview = client_for(role).get("/support/performance").text
    assert "Counts from 1 to 9 are withheld" in overview
    # Service names are links, not escaped HTML shown as text.
    link = f'<a class="govuk-link" href="/support/services/{data.stale_refuge_a}/performance'
    assert link in overview
    assert "&lt;a class" not in overview


def test_performance_is_exact_for_the_services_own_advocates(
    client_for: ClientFor, data: SupportData, referred: None
) -> None:
    html = client_for(Role.advocate).get(f"/support/services/{data.stale_refuge_a}/performance")
    assert "your service&#39;s own figures" in html.text
    assert re.search(r"Referrals received\s*</dt>\s*<dd[^>]*>\s*[1-9]\d*\s*</dd>", html.text)
    overview = client_for(Role.advocate).get("/support/performance").text
    assert "Sahara Advocacy" not in overview  # another organisation's service


def test_another_organisations_advocate_cannot_see_a_services_figures(
    client_for: ClientFor, data: SupportData
) -> None:
    response = client_for(Role.advocate).get(f"/support/services/{data.advocacy_b}/performance")
    assert response.status_code == 403


def test_the_configured_threshold_is_used(
    web_runtime: Runtime, data: SupportData, referred: None
) -> None:
    settings = web_runtime.settings.model_copy(update={"small_count_threshold": 2})
    with TestClient(create_app(settings, web_runtime), follow_redirects=False) as client:
        sign_in(client, "pcc-analyst")
        html = client.get(f"/support/services/{data.stale_refuge_a}/performance").text
    assert "Counts from 1 to 1 are withheld" in html and "1 to 9" not in html


def test_a_referral_meets_right_4_and_shows_on_the_report_page(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    report_id, reference = make_report(web_runtime, consent=True)
    status, location, _ = refer(client_for(Role.officer), data.refuge_a, reference)
    assert status == 303
    decision_id = int(location.rsplit("/", 1)[1])
    with web_runtime.session() as session:
        report = reporting.get_report_or_raise(session, report_id=report_id, actor=officer())
        right4 = next(r for r in report.rights if r.right == 4)
        assert (right4.status, right4.met_by) == ("met", "officer")
        assert right4.met_at is not None
    page = client_for(Role.officer).get(f"/reports/{report_id}").text
    assert f"Decision {decision_id}:" in page
    assert 'id="referrals"' in page and "Referral " in page
    assert f'href="/support/find?report={reference}"' in page
