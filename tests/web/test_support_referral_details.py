"""The receiving advocate's audited read of a referred victim's details: only the fields the
Firewall's shared categories allow, only to the organisation's own advocates, only while the
referral is open and the victim's consent stands, always with a reason, always recorded."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from html import unescape

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth.permissions import Actor as ReportingActor
from safeshare.auth.roles import Role
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import ConsentGrant, PublicReportCreate, SealedDetails
from safeshare.reporting.vocabulary import ConsentMethod, ConsentPurpose, CrimeType, SealedField
from safeshare.runtime import Runtime
from safeshare.support import service as support
from safeshare.support.errors import ConsentRequiredError, ReferralStateError
from safeshare.support.vocabulary import DeclineReason
from tests.factories.reporting import officer
from tests.web.conftest import csrf_from, sign_in
from tests.web.reporting_fixtures import ensure_vault_key, error_summary, ledger_entries, reason_of
from tests.web.support_data import REPORTING, SupportData, principal, seed_directory

ClientFor = Callable[[Role], TestClient]
REASON = "To make first contact about a refuge place"


@pytest.fixture(scope="module")
def data(web_runtime: Runtime) -> SupportData:
    ensure_vault_key(web_runtime.settings)
    return seed_directory(web_runtime)


@pytest.fixture
def advocate_b(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "advocate-b")
        yield client


def details(tag: str) -> dict[str, str]:
    return {
        "name": f"Name {tag}",
        "contact_details": f"07700 900{tag[:3]} {tag}",
        "safe_contact": f"Weekday mornings {tag}",
        "account": f"Account {tag}",
        "immigration_status": f"Status {tag}",
        "nationality": f"Nationality {tag}",
        "address": f"Address {tag}",
    }


def referred(runtime: Runtime, service_id: int) -> tuple[int, int, dict[str, str]]:
    """(referral id, report id, sealed values) for a report referred through the Firewall."""
    values = details(uuid.uuid4().hex[:12])
    with runtime.session() as session:
        receipt = reporting.create_report(
            session,
            payload=PublicReportCreate(
                crime_type=CrimeType.domestic_abuse,
                details=SealedDetails.model_validate(values),
                consents=[ConsentGrant(purpose=ConsentPurpose.victim_support)],
            ),
            actor=ReportingActor.public(),
            provider=ensure_vault_key(runtime.settings),
            config=REPORTING,
        )
        attempt = support.refer_report(
            session,
            actor=principal(runtime, "officer"),
            reference=receipt.reference,
            service_id=service_id,
        )
        assert attempt.referral is not None
        return attempt.referral.id, receipt.report_id, values


def show(client: TestClient, referral_id: int, reason: str = REASON) -> tuple[int, str]:
    token = csrf_from(client, "/support/referrals")
    response = client.post(
        f"/support/referrals/{referral_id}/details",
        data={"csrf_token": token, "details_reason": reason},
    )
    return response.status_code, response.text


def test_category_mapping_never_includes_status_nationality_or_address() -> None:
    every = {f for fields in support.CATEGORY_FIELDS.values() for f in fields}
    assert every == set(reporting.REFERRABLE_FIELDS)
    assert not every & {
        SealedField.immigration_status,
        SealedField.nationality,
        SealedField.address,
        SealedField.date_of_birth,
    }
    assert support.referred_fields(["contact"]) == (
        SealedField.contact_details,
        SealedField.safe_contact,
    )
    assert support.referred_fields(["immigration_status", "health"]) == ()


def test_the_receiving_advocate_sees_only_the_shared_fields_and_the_read_is_recorded(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    client = client_for(Role.advocate)
    referral_id, report_id, values = referred(web_runtime, data.refuge_a)
    page = client.get(f"/support/referrals/{referral_id}").text
    assert "Show the victim's details" in unescape(page)
    assert values["name"] not in page  # nothing until asked, with a reason
    before = len(ledger_entries(web_runtime, "vault.read"))

    status, html = show(client, referral_id)
    assert status == 200
    for field in ("name", "contact_details", "safe_contact", "account"):
        assert values[field] in html
    for field in ("immigration_status", "nationality", "address"):
        assert values[field] not in html
    reads = ledger_entries(web_runtime, "vault.read")[: -before or None]
    assert {r["data"]["field"] for r in reads} == {
        "name",
        "contact_details",
        "safe_contact",
        "account",
    }
    assert all(
        reason_of(web_runtime, r["data"]) == REASON
        and r["data"]["referral_id"] == referral_id
        and r["data"]["report_id"] == report_id
        and r["actor"] == "advocate"
        for r in reads
    )
    # Shown in that response only.
    assert values["name"] not in client.get(f"/support/referrals/{referral_id}").text


def test_only_the_shared_categories_are_read(web_runtime: Runtime, data: SupportData) -> None:
    referral_id, _, values = referred(web_runtime, data.refuge_a)
    advocate = principal(web_runtime, "advocate")
    with web_runtime.session() as session:
        row = support.get_referral_for_organisation_or_raise(
            session, actor=advocate, referral_id=referral_id
        )
        row.shared_categories = ["contact", "immigration_status"]
        session.flush()
        revealed = support.reveal_referred_fields(
            session,
            referral_id=referral_id,
            actor=advocate,
            reason=REASON,
            provider=ensure_vault_key(web_runtime.settings),
            config=REPORTING,
        )
    assert revealed == {
        SealedField.contact_details: values["contact_details"],
        SealedField.safe_contact: values["safe_contact"],
    }


def test_reporting_refuses_fields_a_referral_never_shares(
    web_runtime: Runtime, data: SupportData
) -> None:
    referral_id, report_id, _ = referred(web_runtime, data.refuge_a)
    with web_runtime.session() as session, pytest.raises(Exception, match="never shares"):
        reporting.reveal_referred_fields(
            session,
            report_id=report_id,
            referral_id=referral_id,
            fields=[SealedField.name, SealedField.immigration_status],
            actor=ReportingActor(username="advocate", role=Role.advocate, organisation_id=1),
            reason=REASON,
            provider=ensure_vault_key(web_runtime.settings),
            config=REPORTING,
        )


def test_another_organisations_advocate_gets_not_found(
    web_runtime: Runtime, advocate_b: TestClient, data: SupportData
) -> None:
    referral_id, _, values = referred(web_runtime, data.refuge_a)
    status, html = show(advocate_b, referral_id)
    assert status == 404
    assert values["name"] not in html


def test_other_roles_are_refused(client_for: ClientFor, data: SupportData) -> None:
    for role in (Role.officer, Role.supervisor, Role.admin):
        client = client_for(role)
        token = csrf_from(client, "/home")
        response = client.post(
            "/support/referrals/1/details", data={"csrf_token": token, "details_reason": REASON}
        )
        assert response.status_code == 403


def test_a_missing_reason_is_explained(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    referral_id, _, values = referred(web_runtime, data.refuge_a)
    before = len(ledger_entries(web_runtime, "vault.read"))
    status, html = show(client_for(Role.advocate), referral_id, reason="  ")
    assert status == 400
    assert [(href, unescape(text)) for href, text in error_summary(html)] == [
        ("#details_reason", "Enter why you need to see the victim's details")
    ]
    assert values["name"] not in html
    status, html = show(client_for(Role.advocate), referral_id, reason="why")
    assert status == 400 and error_summary(html)[0][0] == "#details_reason"
    assert len(ledger_entries(web_runtime, "vault.read")) == before


def test_a_declined_referral_refuses(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    referral_id, _, values = referred(web_runtime, data.refuge_a)
    with web_runtime.session() as session:
        support.decline_referral(
            session,
            actor=principal(web_runtime, "advocate"),
            referral_id=referral_id,
            reason=DeclineReason.no_capacity,
        )
    status, html = show(client_for(Role.advocate), referral_id)
    assert status == 409
    assert values["name"] not in html and values["account"] not in html
    with web_runtime.session() as session, pytest.raises(ReferralStateError):
        support.reveal_referred_fields(
            session,
            referral_id=referral_id,
            actor=principal(web_runtime, "advocate"),
            reason=REASON,
            provider=ensure_vault_key(web_runtime.settings),
            config=REPORTING,
        )


def test_withdrawn_consent_refuses(
    web_runtime: Runtime, client_for: ClientFor, data: SupportData
) -> None:
    referral_id, report_id, values = referred(web_runtime, data.refuge_a)
    with web_runtime.session() as session:
        report = reporting.get_report_or_raise(session, report_id=report_id, actor=officer())
        reporting.withdraw_consent(
            session,
            report_id=report_id,
            consent_id=report.consents[0].id,
            method=ConsentMethod.officer_phone,
            actor=officer(),
            config=REPORTING,
        )
    status, html = show(client_for(Role.advocate), referral_id)
    assert status in (403, 409)  # the referral is withdrawn with the consent
    assert values["name"] not in html and values["contact_details"] not in html


def test_consent_is_checked_even_if_the_referral_is_still_open(
    web_runtime: Runtime, data: SupportData
) -> None:
    referral_id, report_id, _ = referred(web_runtime, data.refuge_a)
    support.unsubscribe_from_events()  # the referral stays open despite the withdrawal
    try:
        with web_runtime.session() as session:
            report = reporting.get_report_or_raise(session, report_id=report_id, actor=officer())
            reporting.withdraw_consent(
                session,
                report_id=report_id,
                consent_id=report.consents[0].id,
                method=ConsentMethod.officer_phone,
                actor=officer(),
                config=REPORTING,
            )
            with pytest.raises(ConsentRequiredError):
                support.reveal_referred_fields(
                    session,
                    referral_id=referral_id,
                    actor=principal(web_runtime, "advocate"),
                    reason=REASON,
                    provider=ensure_vault_key(web_runtime.settings),
                    config=REPORTING,
                )
    finally:
        support.subscribe_to_events()
