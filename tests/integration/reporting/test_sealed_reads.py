"""Reading sealed fields: authorised roles only, a stated reason, one audited event per field."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent
from safeshare.reporting import service
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import ReportingPermissionError, ReportNotFoundError
from safeshare.reporting.schemas import ReportReceipt, UpdateCreate
from safeshare.reporting.vocabulary import SealedField
from safeshare.vault import service as vault
from safeshare.vault.keys import KeyProvider
from tests.factories.reporting import assign_to, create_public_report, officer, staff

REASON = "Contacting the victim about an arrest"


@pytest.fixture
def receipt(db_session: Session, provider: KeyProvider, config: ReportingConfig) -> ReportReceipt:
    return create_public_report(db_session, provider=provider, config=config)


def test_read_publishes_one_event_per_field_without_values(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    receipt: ReportReceipt,
    published: list[DomainEvent],
) -> None:
    published.clear()
    values = service.reveal_sealed_fields(
        db_session,
        report_id=receipt.report_id,
        fields=[SealedField.contact_details, SealedField.immigration_status],
        actor=staff(Role.supervisor, "sgt.lee"),
        reason=f"  {REASON}  ",
        provider=provider,
        config=config,
    )
    assert values == {
        SealedField.contact_details: "07700 900123",
        SealedField.immigration_status: None,
    }
    assert [e.kind for e in published] == ["vault.read", "vault.read"]
    first = published[0]
    assert first.actor == "sgt.lee"
    assert first.data["report_id"] == receipt.report_id
    assert first.data["reference"] == receipt.reference
    assert (first.data["field"], first.data["role"]) == ("contact_details", "supervisor")
    # The reason is free text: sealed with the report, referenced and hashed in the entry.
    assert "reason" not in first.data and REASON not in repr(published)
    assert (
        vault.open_note(
            db_session,
            provider=provider,
            note_ref=first.data["note_ref"],
            note_sha256=first.data["note_sha256"],
        )
        == REASON
    )
    assert "07700" not in repr(published)


@pytest.mark.parametrize("role", [Role.pcc_analyst, Role.inspector, Role.admin, None])
def test_other_roles_cannot_read(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    receipt: ReportReceipt,
    published: list[DomainEvent],
    role: Role | None,
) -> None:
    published.clear()
    with pytest.raises(ReportingPermissionError):
        service.reveal_sealed_fields(
            db_session,
            report_id=receipt.report_id,
            fields=[SealedField.name],
            actor=staff(role) if role else Actor.public(),
            reason=REASON,
            provider=provider,
            config=config,
        )
    assert published == []


def test_advocate_cannot_read_a_report_of_another_organisation(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, receipt: ReportReceipt
) -> None:
    with pytest.raises(ReportNotFoundError):
        service.reveal_sealed_fields(
            db_session,
            report_id=receipt.report_id,
            fields=[SealedField.name],
            actor=Actor(username="adv", role=Role.advocate, organisation_id=999),
            reason=REASON,
            provider=provider,
            config=config,
        )


@pytest.mark.parametrize("reason", ["", "   ", "why", "x" * 501])
def test_a_reason_is_required(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    receipt: ReportReceipt,
    reason: str,
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        service.reveal_sealed_fields(
            db_session,
            report_id=receipt.report_id,
            fields=[SealedField.name],
            actor=officer(),
            reason=reason,
            provider=provider,
            config=config,
        )
    assert caught.value.field == "reason"


def test_updates_are_sealed_and_read_with_a_reason(
    db_session: Session,
    provider: KeyProvider,
    config: ReportingConfig,
    receipt: ReportReceipt,
    published: list[DomainEvent],
) -> None:
    update = service.add_update(
        db_session,
        report_id=receipt.report_id,
        payload=UpdateCreate(text="Suspect says she has no visa", new_status="under_investigation"),
        actor=officer(),
        provider=provider,
        config=config,
    )
    assert update.has_text and update.kind == "officer_update"
    page = service.get_report_or_raise(db_session, report_id=receipt.report_id, actor=officer())
    assert page.status == "under_investigation"
    assert "no visa" not in page.model_dump_json()
    assert "no visa" not in repr(published)
    assign_to(db_session, receipt.report_id)
    published.clear()
    text = service.reveal_update_text(
        db_session,
        update_id=update.id,
        actor=officer(),
        reason=REASON,
        provider=provider,
        config=config,
    )
    assert text == "Suspect says she has no visa"
    assert published[0].kind == "vault.read"
    assert published[0].data["update_id"] == update.id


def test_update_needs_a_case_role(
    db_session: Session, provider: KeyProvider, config: ReportingConfig, receipt: ReportReceipt
) -> None:
    with pytest.raises(ReportingPermissionError):
        service.add_update(
            db_session,
            report_id=receipt.report_id,
            payload=UpdateCreate(text="note"),
            actor=staff(Role.pcc_analyst),
            provider=provider,
            config=config,
        )
