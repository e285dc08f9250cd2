"""The advocates' pages: the referral inbox (isolated by organisation, on every route), the
referral life cycle with time to first contact, and refuge vacancy updates."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.oversight import feedback
from safeshare.runtime import Runtime
from safeshare.support import service as support
from safeshare.support.schemas import ReferralRead
from tests.web.conftest import csrf_from, sign_in
from tests.web.support_data import SupportData, make_report, principal, seed_directory

ClientFor = Callable[[Role], TestClient]


@pytest.fixture(scope="module")
def data(web_runtime: Runtime) -> SupportData:
    return seed_directory(web_runtime)


@pytest.fixture
def advocate_b(app: FastAPI) -> Iterator[TestClient]:
    """An advocate of Support Org B (the `client_for` advocate works for Org A)."""
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "advocate-b")
        yield client


def new_referral(runtime: Runtime, service_id: int) -> int:
    """A referral made the way officers make them: consent, then the Firewall."""
    _, reference = make_report(runtime, consent=True)
    with runtime.session() as session:
        attempt = support.refer_report(
            session,
            actor=principal(runtime, "officer"),
            reference=reference,
            service_id=service_id,
            needs=["refuge"],
            language="Spanish",
            has_nrpf=True,
        )
        assert attempt.referral is not None
        return attempt.referral.id


def referral(runtime: Runtime, referral_id: int) -> ReferralRead:
    with runtime.session() as session:
        found = [
            support.referral_read(r)
            for username in ("advocate", "advocate-b")
            for r in support.list_referrals_for_organisation(
                session, organisation_id=principal(runtime, username).organisation_id or 0
            )
            if r.id == referral_id
        ]
        return found[0]


def post(client: TestClient, path: str, **values: str) -> int:
    token = csrf_from(client, "/support/referrals")
    return client.post(path, data={"csrf_token": token, **values}).status_code


# --- isolation -----------------------------------------------------------------------------------


def test_the_inbox_shows_only_the_organisations_own_referrals(
    web_runtime: Runtime, client_for: ClientFor, advocate_b: TestClient, data: SupportData
) -> None:
    mine = new_referral(web_runtime, data.refuge_a)
    theirs = new_referral(web_runtime, data.advocacy_b)
    inbox_a = client_for(Role.advocate).get("/support/referrals").text
    assert f'href="/support/referrals/{mine}"' in inbox_a
    assert f'href="/support/referrals/{theirs}"' not in inbox_a
    inbox_b = advocate_b.get("/support/referrals").text
    assert f'href="/support/referrals/{theirs}"' in inbox_b
    assert f'href="/support/referrals/{mine}"' not in inbox_b


@pytest.mark.parametrize(
    ("method", "suffix", "values"),
    [
        ("GET", "", {}),
        ("POST", "/accept", {}),
        ("POST", "/decline", {"reason": "no_capacity"}),
        ("POST", "/outcome", {"outcome": "engaged"}),
    ],
)
def test_another_organisations_referral_is_not_found_on_every_route(
    web_runtime: Runtime,
    advocate_b: TestClient,
    data: SupportData,
    method: str,
    suffix: str,
    values: dict[str, str],
) -> None:
    referral_id = new_referral(web_runtime, data.refuge_a)  # Org A's
    path = f"/support/referrals/{referral_id}{suffix}"
    if method == "GET":
        response = advocate_b.get(path)
        assert response.status_code == 404
        assert "Casa Segura" not in response.text
    else:
        assert post(advocate_b, path, **values) == 404
    assert referral(web_runtime, referral_id).status == "pending"  # untouched


def test_officers_cannot_open_the_inbox(client_for: ClientFor, data: SupportData) -> None:
    for role in (Role.officer, Role.pcc_analyst, Role.admin):
        assert client_for(role).get("/support/referrals").status_code == 403
        assert client_for(role).get("/support/referrals/1").status_code == 403


# --- the life cycle ------------------------------------------------------------------------------


def test_accept_then_record_first_contact_and_outcome(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    client = client_for(Role.advocate)
    referral_id = new_referral(web_runtime, data.refuge_a)
    page = client.get(f"/support/referrals/{referral_id}").text
    assert "Identity, Contact details, Offence details" in page  # what the Firewall allowed
    assert "Spanish" in page and "Accept referral" in page

    assert post(client, f"/support/referrals/{referral_id}/accept") == 303
    page = client.get(f"/support/referrals/{referral_id}").text
    assert "You accepted the referral." in page and "Record what happened" in page

    assert post(client, f"/support/referrals/{referral_id}/outcome") == 400
    first = post(client, f"/support/referrals/{referral_id}/outcome", outcome="first_contact_made")
    assert first == 303
    after = referral(web_runtime, referral_id)
    assert after.status == "accepted" and after.first_contact_at is not None
    page = client.get(f"/support/referrals/{referral_id}").text
    assert re.search(r"Time to first contact\s*</dt>\s*<dd[^>]*>\s*\d+ minute", page)

    assert post(client, f"/support/referrals/{referral_id}/outcome", outcome="engaged") == 303
    assert referral(web_runtime, referral_id).status == "closed"
    inbox = client.get("/support/referrals").text
    assert "Finished referrals" in inbox


def test_decline_needs_a_reason(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    client = client_for(Role.advocate)
    referral_id = new_referral(web_runtime, data.refuge_a)
    token = csrf_from(client, "/support/referrals")
    response = client.post(f"/support/referrals/{referral_id}/decline", data={"csrf_token": token})
    assert response.status_code == 400
    assert 'href="#reason"' in response.text and "Choose why you cannot take" in response.text
    assert post(client, f"/support/referrals/{referral_id}/decline", reason="outside_area") == 303
    after = referral(web_runtime, referral_id)
    assert (after.status, after.decline_reason) == ("declined", "outside_area")
    # A finished referral cannot be accepted.
    assert post(client, f"/support/referrals/{referral_id}/accept") == 409


# --- vacancies -----------------------------------------------------------------------------------


def test_vacancy_list_shows_only_the_organisations_refuges(
    client_for: ClientFor, advocate_b: TestClient, data: SupportData
) -> None:
    html = client_for(Role.advocate).get("/support/capacity").text
    assert "Casa Segura Refuge" in html and "Old Town Refuge" in html
    assert "Sahara Advocacy" not in html
    assert "has no refuges" in advocate_b.get("/support/capacity").text


def test_updating_vacancies(web_runtime: Runtime, client_for: ClientFor, data: SupportData) -> None:
    client = client_for(Role.advocate)
    form = client.get(f"/support/services/{data.stale_refuge_a}/capacity").text
    assert "Last updated:" in form and ">Stale</strong>" in form
    path = f"/support/services/{data.stale_refuge_a}/capacity"
    token = csrf_from(client, path)
    response = client.post(
        path,
        data={
            "csrf_token": token,
            "vacant_units": "2",
            "vacant_bedspaces": "4",
            "vacant_nrpf_units": "",
            "vacant_nrpf_bedspaces": "",
        },
    )
    assert response.status_code == 303
    page = client.get("/support/capacity").text
    assert "Vacancies updated." in page
    assert "General: 2 of 5 units, 4 of 9 bedspaces" in page
    form = client.get(path).text
    assert ">Stale</strong>" not in form and "2 / 4" in form  # in the recent updates


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"vacant_units": "3", "vacant_bedspaces": "1"}, "vacant_bedspaces", "Each vacant unit"),
        ({"vacant_units": "many"}, "vacant_units", "Enter vacant units as a whole number"),
        ({"vacant_units": "9", "vacant_bedspaces": "9"}, "vacant_units", "has only 5 place"),
    ],
)
def test_impossible_vacancies_are_explained(
    client_for: ClientFor, data: SupportData, values: dict[str, str], field: str, message: str
) -> None:
    client = client_for(Role.advocate)
    path = f"/support/services/{data.stale_refuge_a}/capacity"
    token = csrf_from(client, path)
    response = client.post(path, data={"csrf_token": token, **values})
    assert response.status_code == 400
    assert f'href="#{field}"' in response.text and message in response.text


def test_another_organisations_advocate_cannot_update_vacancies(
    advocate_b: TestClient, data: SupportData
) -> None:
    path = f"/support/services/{data.refuge_a}/capacity"
    assert advocate_b.get(path).status_code == 403
    token = csrf_from(advocate_b, "/support/referrals")
    response = advocate_b.post(path, data={"csrf_token": token, "vacant_units": "0"})
    assert response.status_code == 403


# --- feedback ------------------------------------------------------------------------------------


def test_advocate_gives_and_changes_feedback_on_a_referral(
    web_runtime: Runtime, client_for: ClientFor, advocate_b: TestClient, data: SupportData
) -> None:
    client = client_for(Role.advocate)
    referral_id = new_referral(web_runtime, data.refuge_a)
    path = f"/support/referrals/{referral_id}"
    assert "Was the referral safe for the victim?" in client.get(path).text
    assert post(client, f"{path}/feedback", felt_safe="yes", was_helpful="partly") == 303
    page = client.get(path).text
    assert "You saved your feedback." in page
    assert re.search(r'value="partly"\s+checked', page)
    assert post(client, f"{path}/feedback", felt_safe="no") == 303  # changed in place
    with web_runtime.session() as session:
        answers = feedback.referral_feedback(session, referral_id=referral_id)
        assert answers is not None
        assert (answers.felt_safe, answers.was_helpful) == ("no", None)
    # Another organisation's advocate: not found; other roles: refused.
    assert post(advocate_b, f"{path}/feedback", felt_safe="no") == 404
    for role in (Role.officer, Role.supervisor, Role.pcc_analyst, Role.admin):
        assert post(client_for(role), f"{path}/feedback", felt_safe="no") == 403
