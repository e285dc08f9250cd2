"""Agreeing to be contacted needs a safe way to make contact and a time that is safe, on the
form and on an anonymous reporter's return visit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.runtime import Runtime
from safeshare.web.app import create_app
from tests.web.test_public_report import (
    BEFORE_IDENTITY,
    PASSPHRASE,
    _settings,
    answer,
    errors_in,
    post,
    send_anonymous,
)


@pytest.fixture(scope="module")
def app(web_runtime: Runtime) -> FastAPI:
    return create_app(_settings(web_runtime), web_runtime)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


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
