"""A victim's safety on the public form.

Leaving safely: "Exit this page" ends the session and deletes the draft before leaving, the
browser keeps nothing that leads back to her answers or her reference, and staff pages have
no exit button. Contact: agreeing to be contacted needs a safe way to make contact and a
time that is safe, on the form and on an anonymous reporter's return visit."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.reporting import drafts
from safeshare.runtime import Runtime
from safeshare.web.app import create_app
from tests.web.test_public_report import (
    ACCOUNT,
    BEFORE_IDENTITY,
    PASSPHRASE,
    _settings,
    answer,
    errors_in,
    handle_of,
    post,
    send_anonymous,
    send_identified,
    session_of,
)


@pytest.fixture(scope="module")
def app(web_runtime: Runtime) -> FastAPI:
    return create_app(_settings(web_runtime), web_runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def _session_cookie(response_headers: list[str]) -> str:
    cookies = [h for h in response_headers if h.startswith("safeshare_session=")]
    assert cookies, "no session cookie was set"
    return cookies[-1].lower()


def test_exit_deletes_the_draft_and_ends_the_session(
    client: TestClient, web_runtime: Runtime
) -> None:
    answer(client, BEFORE_IDENTITY)
    handle = handle_of(client)
    old_cookie = client.cookies.get("safeshare_session")
    assert ACCOUNT in client.get("/report/your-account").text

    response = client.get("/report/exit", params={"lang": "es"})
    assert response.status_code == 303
    assert response.headers["location"] == "https://www.bbc.com/mundo"
    assert response.headers["cache-control"] == "no-store"
    deleted = _session_cookie(response.headers.get_list("set-cookie"))
    assert deleted.startswith("safeshare_session=null;") and "1970" in deleted
    with web_runtime.session() as session:
        assert drafts.load_draft(session, handle=handle) is None
    # Back: the page is asked for again and shows nothing of hers.
    back = client.get("/report/your-account")
    assert back.status_code == 303 and ACCOUNT not in back.text

    # The next person on the device, even holding the old cookie, finds nothing either.
    client.cookies.set("safeshare_session", old_cookie or "")
    replay = client.get("/report/your-account", follow_redirects=True)
    assert ACCOUNT not in replay.text


def test_the_exit_button_goes_through_the_exit_route_in_the_page_language(
    client: TestClient,
) -> None:
    for lang in ("en", "es"):
        page = client.get("/report/what-happened", params={"lang": lang})
        assert f'href="/report/exit?lang={lang}"' in page.text


def test_exit_without_a_draft_still_leaves(client: TestClient) -> None:
    response = client.get("/report/exit")
    assert response.status_code == 303
    assert response.headers["location"] == "https://www.bbc.co.uk/weather"


def test_public_pages_use_a_browser_session_cookie(client: TestClient) -> None:
    answer(client, BEFORE_IDENTITY[:2])
    response = client.get("/report/when", params={"lang": "en"})
    cookie = _session_cookie(response.headers.get_list("set-cookie"))
    assert "max-age" not in cookie and "expires" not in cookie
    assert "httponly" in cookie


def test_the_reference_is_shown_once_and_not_kept(client: TestClient) -> None:
    reference = send_identified(client)  # reads the confirmation page once
    assert reference
    again = client.get("/report/confirmation")
    assert again.status_code == 303 and reference not in again.text
    assert reference not in str(session_of(client))


def test_staff_pages_have_no_exit_button_and_keep_their_lifetime(
    client_for: Callable[[Role], TestClient], anon: TestClient
) -> None:
    officer = client_for(Role.officer)
    home = officer.get("/home")
    assert home.status_code == 200
    assert "govuk-exit-this-page" not in home.text
    assert "govuk-exit-this-page" in anon.get("/").text


# --- agreeing to be contacted ----------------------------------------------------------------


def _to_police_contact(client: TestClient, contact: dict[str, str]) -> None:
    answer(
        client,
        [
            *BEFORE_IDENTITY,
            ("your-details", {"identity": "yes"}),
            ("contact", {"name": "", "contact_details": "", "safe_contact": "", **contact}),
            ("support", {"consent_victim_support": "no"}),
        ],
    )


@pytest.mark.parametrize(
    "contact",
    [
        {"name": "Ana"},  # a name alone: nothing to contact her by
        {"name": "Ana", "contact_details": "07700 900111"},  # no safe time
        {"name": "Ana", "safe_contact": "After 9pm"},  # a safe time but no way to reach her
    ],
)
def test_police_contact_needs_a_safe_method_and_time(
    client: TestClient, contact: dict[str, str]
) -> None:
    _to_police_contact(client, contact)
    refused = post(client, "/report/police-contact", {"consent_police_contact": "yes"})
    assert refused.status_code == 400
    assert errors_in(refused.text) == [
        "To agree to be contacted, go back and give a safe way to contact you and a safe time, "
        "or select no"
    ]
    declined = post(client, "/report/police-contact", {"consent_police_contact": "no"})
    assert declined.status_code == 303


def test_police_contact_with_a_method_and_a_safe_time_is_accepted(client: TestClient) -> None:
    _to_police_contact(
        client, {"name": "Ana", "contact_details": "07700 900111", "safe_contact": "Mornings"}
    )
    accepted = post(client, "/report/police-contact", {"consent_police_contact": "yes"})
    assert accepted.status_code == 303


def test_a_return_visit_cannot_agree_to_contact_without_details(client: TestClient) -> None:
    reference = send_anonymous(client)
    data = {"reference": reference, "passphrase": PASSPHRASE, "consents": "police_contact"}
    refused = post(client, "/report/return", {**data, "contact_details": "07700 900222"})
    assert refused.status_code == 400
    assert errors_in(refused.text) == [
        "Enter when it is safe to contact you, or do not agree to be contacted"
    ]
    accepted = post(
        client,
        "/report/return",
        {**data, "contact_details": "07700 900222", "safe_contact": "Weekdays 10 to 12"},
    )
    assert accepted.status_code == 303, errors_in(accepted.text)


def test_the_exit_link_never_signs_staff_out(client_for: Callable[[Role], TestClient]) -> None:
    """A GET any page could link to must not be a way to sign officers out."""
    officer = client_for(Role.officer)
    assert officer.get("/report/exit").status_code == 303
    assert officer.get("/home").status_code == 200
