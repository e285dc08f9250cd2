"""A subject access bundle holds every record about the person and nothing about anyone
else; exemptions are applied field by field and recorded with their reasons."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.errors import InvalidInputError, PermissionDeniedError
from safeshare.events import DomainEvent
from safeshare.holds import service as holds
from safeshare.holds.vocabulary import HoldKind
from safeshare.ledger import service as ledger
from safeshare.policy import service as policy
from safeshare.policy.schemas import RecordShareRequest, Requester
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import ConsentGrant
from safeshare.reporting.vocabulary import ConsentMethod
from safeshare.subject_access import service
from safeshare.subject_access.pdf import bundle_pdf
from safeshare.vault.keys import InMemoryKeyProvider
from tests.factories.reporting import (
    SealedDetailsFactory,
    create_public_report,
    officer,
    reporting_config,
)

CANARY_A = "Zephyrine Quillfeather-A"  # fictional names, each unique in the database
CANARY_B = "Osric Bramblewick-CANARY-B"


def _share(session: Session, reference: str) -> int:
    record = policy.make_decision(
        session,
        request=RecordShareRequest(
            report_ref=reference,
            requester=Requester(agency="police", purpose="criminal_investigation"),
            categories=["identity"],
            status_doubt_only=False,
        ),
        actor="disclosure-officer",
        actor_role=Role.disclosure_officer,
        regime="firewall",
    )
    return record.id


def test_the_bundle_holds_everything_about_the_person_and_nothing_else(
    db_session: Session, published: list[DomainEvent]
) -> None:
    ledger.subscribe_to_events()
    try:
        provider, config = InMemoryKeyProvider(), reporting_config()
        a = create_public_report(
            db_session,
            provider=provider,
            config=config,
            details=SealedDetailsFactory(name=CANARY_A, immigration_status="Visa pending"),
        )
        b = create_public_report(
            db_session,
            provider=provider,
            config=config,
            details=SealedDetailsFactory(name=CANARY_B, account=f"{CANARY_B} account"),
        )
        consent = reporting.record_consent(
            db_session,
            report_id=a.report_id,
            grant=ConsentGrant(purpose="victim_support"),
            method=ConsentMethod.officer_in_person,
            actor=officer(),
            config=config,
        )
        decision_a = _share(db_session, a.reference)
        decision_b = _share(db_session, b.reference)
        sent = datetime.now(UTC)
        disclosure = policy.record_disclosure(
            db_session,
            decision_id=decision_a,
            categories=["identity"],
            sent_at=sent,
            method="phone",
            recipient_organisation="Demoshire Police PPU",
            lawful_basis="dpa_s35_2_b_task",
            processing_condition="not_sensitive",
            actor="disclosure-officer",
            actor_role=Role.disclosure_officer,
        )
        holds.set_hold(
            db_session,
            report_ref=b.reference,
            reason=f"Claim by {CANARY_B}",
            actor="dpo",
            actor_role=Role.admin,
            kind=HoldKind.restriction,
        )

        record, bundle = service.produce_bundle(
            db_session,
            report_ref=a.reference.lower(),
            verification_note="Passport seen in person by DC Example",
            exemptions={"sealed.immigration_status": "Crime and taxation (DPA 2018 s.45(4))"},
            actor="disclosure-officer",
            actor_role=Role.disclosure_officer,
            provider=provider,
        )
        text = json.dumps(bundle)
        assert CANARY_A in text  # their own sealed name, read through the audited vault
        assert CANARY_B not in text and b.reference not in text
        assert bundle["report"]["reference"] == a.reference
        assert bundle["sealed"]["immigration_status"] == {
            "exempt": True,
            "reason": "Crime and taxation (DPA 2018 s.45(4))",
        }
        assert "Visa pending" not in text
        assert [c["id"] for c in bundle["consents"]] == [consent.id]
        assert bundle["victims_code"]  # the rights opened with the report
        assert [d["id"] for d in bundle["decisions"]] == [decision_a]
        assert decision_b not in [d["id"] for d in bundle["decisions"]]
        (shared,) = bundle["disclosures"]
        assert shared["id"] == disclosure.id
        assert shared["recipient_organisation"] == "Demoshire Police PPU"
        assert shared["lawful_basis"] == "dpa_s35_2_b_task"
        assert bundle["holds_and_restrictions"] == []
        assert bundle["ledger_references"]  # the decision, disclosure and sealed reads
        reads = [e for e in published if e.kind == "vault.read"]
        assert reads and all(e.data.get("reference") == a.reference for e in reads)
        assert record.exemptions == {
            "sealed.immigration_status": "Crime and taxation (DPA 2018 s.45(4))"
        }
        assert published[-1].kind == "subject_access.produced"
        assert "Passport" not in json.dumps(published[-1].data)

        pdf = bundle_pdf(bundle)
        assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    finally:
        ledger.unsubscribe_from_events()


def test_a_bundle_needs_a_disclosure_officer_a_verification_and_real_exemptions(
    db_session: Session,
) -> None:
    provider, config = InMemoryKeyProvider(), reporting_config()
    a = create_public_report(db_session, provider=provider, config=config)
    arguments = {
        "report_ref": a.reference,
        "verification_note": "Seen in person",
        "exemptions": {},
        "actor": "x",
        "actor_role": Role.disclosure_officer,
        "provider": provider,
    }
    with pytest.raises(PermissionDeniedError):
        service.produce_bundle(db_session, **(arguments | {"actor_role": Role.officer}))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError) as refused:
        service.produce_bundle(db_session, **(arguments | {"verification_note": " "}))  # type: ignore[arg-type]
    assert refused.value.field == "verification_note"
    with pytest.raises(InvalidInputError) as refused:
        service.produce_bundle(
            db_session,
            **(arguments | {"exemptions": {"sealed.shoe_size": "no"}}),  # type: ignore[arg-type]
        )
    assert refused.value.field == "exemptions"


def test_a_rectification_reseals_the_field_and_is_recorded(
    db_session: Session, published: list[DomainEvent]
) -> None:
    provider, config = InMemoryKeyProvider(), reporting_config()
    a = create_public_report(db_session, provider=provider, config=config)
    record = service.rectify_sealed_field(
        db_session,
        report_ref=a.reference,
        field="address",
        value="2 Corrected Road, Demoshire",
        reason="The person moved; confirmed by phone",
        actor="dpo",
        actor_role=Role.disclosure_officer,
        provider=provider,
    )
    assert (record.field, record.report_ref) == ("address", a.reference)
    assert published[-1].kind == "subject_access.rectified"
    assert "Corrected" not in json.dumps(published[-1].data)
    _, bundle = service.produce_bundle(
        db_session,
        report_ref=a.reference,
        verification_note="Seen in person",
        exemptions={},
        actor="dpo",
        actor_role=Role.disclosure_officer,
        provider=provider,
    )
    assert bundle["sealed"]["address"] == "2 Corrected Road, Demoshire"
    assert [r["field"] for r in bundle["rectifications"]] == ["address"]
    with pytest.raises(InvalidInputError) as refused:
        service.rectify_sealed_field(
            db_session,
            report_ref=a.reference,
            field="shoe_size",
            value="9",
            reason="x",
            actor="dpo",
            actor_role=Role.disclosure_officer,
            provider=provider,
        )
    assert refused.value.field == "field"
