"""Recording what was actually sent under a decision, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.db import migrate
from safeshare.db.models import load_all_models
from safeshare.db.session import make_engine
from safeshare.errors import InvalidInputError, PermissionDeniedError
from safeshare.events import DomainEvent
from safeshare.policy import service
from safeshare.policy.errors import (
    DecisionNotFoundError,
    DisclosureNotAllowedError,
    DisclosureNotFoundError,
)
from safeshare.policy.models import PolicyDecision, PolicyDisclosure
from safeshare.policy.schemas import Category, CategoryRuling, DisclosureMethod
from tests.factories.policy import bound_request
from tests.unit.policy.builders import share_request

FORCE = "Testshire Police"
ENFORCEMENT = {"agency": "immigration_enforcement", "purpose": "immigration_enforcement"}
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _decide(session: Session, *, regime: str = "firewall", **request: object) -> PolicyDecision:
    return service.make_decision(
        session,
        request=bound_request(session, share_request(**request)),
        actor="pc.jones",
        actor_role=Role.officer,
        regime=regime,
        force=FORCE,
        now=T0,
    )


def _record(
    session: Session, decision_id: int, categories: list[str], **kwargs: object
) -> PolicyDisclosure:
    arguments: dict[str, object] = {
        "decision_id": decision_id,
        "categories": categories,
        "sent_at": T0 + timedelta(hours=1),
        "method": DisclosureMethod.secure_email,
        "recipient_organisation": "Demoshire Council children's services",
        "lawful_basis": "dpa_s35_2_b_task",
        "processing_condition": "not_sensitive",
        "actor": "ds.khan",
        "actor_role": Role.disclosure_officer,
        "now": T0 + timedelta(hours=2),
    } | kwargs
    return service.record_disclosure(session, **arguments)  # type: ignore[arg-type]


def test_a_permitted_decision_records_a_subset_and_publishes_it(
    db_session: Session, published: list[DomainEvent]
) -> None:
    record = _decide(db_session, categories=["identity", "address", "health"])
    assert service.disclosable_categories(record) == ["identity", "address"]
    disclosure = service.record_disclosure(
        db_session,
        decision_id=record.id,
        categories=["address", "identity"],
        sent_at=T0 + timedelta(hours=1),
        method="phone",
        recipient_organisation="  Demoshire   Police, Public Protection Unit ",
        lawful_basis="dpa_s35_2_b_task",
        processing_condition="not_sensitive",
        actor="ds.khan",
        actor_role=Role.disclosure_officer,
        now=T0 + timedelta(hours=2),
    )
    assert disclosure.categories == ["identity", "address"]  # canonical order
    assert (disclosure.agency, disclosure.purpose) == ("police", "criminal_investigation")
    assert (disclosure.regime, disclosure.policy_hash) == ("firewall", record.policy_hash)
    assert disclosure.report_ref == record.report_ref
    assert disclosure.sent_at == T0 + timedelta(hours=1)
    assert disclosure.recorded_by == "ds.khan"
    assert disclosure.recipient_organisation == "Demoshire Police, Public Protection Unit"
    assert disclosure.onward_use_condition is not None
    assert disclosure.onward_use_condition.startswith(
        "Use this information only for criminal investigation."
    )
    assert service.get_disclosure(db_session, disclosure_id=disclosure.id) is disclosure

    event = published[-1]
    assert (event.kind, event.actor) == ("policy.disclosure", "ds.khan")
    assert event.data == {
        "disclosure_id": disclosure.id,
        "decision_id": record.id,
        "agency": "police",
        "purpose": "criminal_investigation",
        "categories": ["identity", "address"],
        "regime": "firewall",
        "report_ref": record.report_ref,
        "policy_hash": record.policy_hash,
        "method": "phone",
        "sent_at": "2025-03-01T10:00:00+00:00",
        "recipient_organisation": "Demoshire Police, Public Protection Unit",
        "onward_use_condition_sha256": hashlib.sha256(
            disclosure.onward_use_condition.encode()
        ).hexdigest(),
        "lawful_basis": "dpa_s35_2_b_task",
        "processing_condition": "not_sensitive",
    }


def test_more_than_the_decision_allowed_is_refused(db_session: Session) -> None:
    record = _decide(db_session, categories=["identity", "health"])
    with pytest.raises(DisclosureNotAllowedError) as refused:
        _record(db_session, record.id, ["identity", "health"])
    assert refused.value.field == "categories"
    assert "does not allow health information" in refused.value.message
    assert "Only identity may be shared" in refused.value.message
    assert service.list_disclosures(db_session, decision_id=record.id) == []


def test_refusals_and_pending_reviews_allow_nothing(db_session: Session) -> None:
    refused = _decide(db_session, requester=ENFORCEMENT)
    pending = _decide(db_session, regime="npcc-2020", requester=ENFORCEMENT)
    for record, words in ((refused, "refused sharing"), (pending, "waiting for review")):
        assert service.disclosable_categories(record) == []
        with pytest.raises(DisclosureNotAllowedError, match=words):
            _record(db_session, record.id, ["identity"])


def test_a_decided_review_allows_what_the_officer_released(db_session: Session) -> None:
    record = _decide(
        db_session,
        regime="npcc-2020",
        requester=ENFORCEMENT,
        categories=["identity", "immigration_status"],
    )
    assert record.review is not None
    service.decide_review(
        db_session,
        review_id=record.review.id,
        rulings=[
            CategoryRuling(category=Category.identity, disclose=True, rationale="Warrant"),
            CategoryRuling(
                category=Category.immigration_status, disclose=False, rationale="Safeguarding"
            ),
        ],
        actor="ds.khan",
        actor_role=Role.disclosure_officer,
        now=T0 + timedelta(hours=3),
    )
    assert service.disclosable_categories(record) == ["identity"]
    with pytest.raises(DisclosureNotAllowedError, match="immigration status"):
        _record(db_session, record.id, ["immigration_status"], sent_at=T0 + timedelta(hours=4))
    # Sent before the review that allowed it: refused.
    with pytest.raises(InvalidInputError, match="after the decision") as early:
        _record(db_session, record.id, ["identity"], sent_at=T0 + timedelta(hours=1))
    assert early.value.field == "sent_at"
    disclosure = _record(
        db_session,
        record.id,
        ["identity"],
        sent_at=T0 + timedelta(hours=4),
        now=T0 + timedelta(hours=5),
    )
    assert service.get_disclosure_or_raise(db_session, disclosure_id=disclosure.id) is disclosure


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"categories": []}, "categories"),
        ({"categories": ["identity", "identity"]}, "categories"),
        ({"categories": ["dna"]}, "categories"),
        ({"method": "pigeon"}, "method"),
        ({"sent_at": datetime(2025, 3, 1, 10, 0)}, "sent_at"),  # naive
        ({"sent_at": T0 + timedelta(days=1)}, "sent_at"),  # in the future
        ({"sent_at": T0 - timedelta(minutes=1)}, "sent_at"),  # before the decision
    ],
    ids=["none", "twice", "unknown", "method", "naive", "future", "early"],
)
def test_bad_records_name_the_field(
    db_session: Session, changes: dict[str, object], field: str
) -> None:
    record = _decide(db_session)
    arguments: dict[str, object] = {"categories": ["identity"]} | changes
    categories = arguments.pop("categories")
    with pytest.raises(InvalidInputError) as bad:
        _record(db_session, record.id, categories, **arguments)  # type: ignore[arg-type]
    assert bad.value.field == field


@pytest.mark.parametrize("role", [Role.officer, Role.supervisor, Role.inspector, Role.admin])
def test_only_disclosure_officers_record(db_session: Session, role: Role) -> None:
    record = _decide(db_session)
    with pytest.raises(PermissionDeniedError):
        _record(db_session, record.id, ["identity"], actor_role=role)


def test_unknown_decisions_and_disclosures(db_session: Session) -> None:
    with pytest.raises(DecisionNotFoundError):
        _record(db_session, 987654, ["identity"])
    assert service.get_disclosure(db_session, disclosure_id=987654) is None
    with pytest.raises(DisclosureNotFoundError):
        service.get_disclosure_or_raise(db_session, disclosure_id=987654)


def test_listing_filters_by_agency_and_decision_newest_sent_first(db_session: Session) -> None:
    police = _decide(db_session)
    safeguarding = _decide(
        db_session, requester={"agency": "local_authority", "purpose": "safeguarding"}
    )
    first = _record(db_session, police.id, ["identity"], sent_at=T0 + timedelta(minutes=10))
    second = _record(db_session, police.id, ["identity"], sent_at=T0 + timedelta(minutes=50))
    third = _record(db_session, safeguarding.id, ["identity"], sent_at=T0 + timedelta(minutes=30))
    everything = service.list_disclosures(db_session)
    assert everything[:3] == [second, third, first]
    assert service.list_disclosures(db_session, agency="local_authority") == [third]
    assert service.list_disclosures(db_session, decision_id=police.id) == [second, first]
    assert service.list_disclosures(db_session, decision_id=police.id, limit=1, offset=1) == [first]
    summary = service.summarise_decision(db_session, decision_id=police.id)
    assert summary.disclosures == [second, first]
    assert summary.disclosable == ["identity"]


def test_officers_see_only_their_own_decisions(db_session: Session) -> None:
    record = _decide(db_session)
    assert (
        service.get_decision_for_viewer(
            db_session, decision_id=record.id, actor="pc.jones", actor_role=Role.officer
        )
        is record
    )
    with pytest.raises(DecisionNotFoundError):
        service.get_decision_for_viewer(
            db_session, decision_id=record.id, actor="pc.smith", actor_role=Role.officer
        )
    for role in (Role.disclosure_officer, Role.supervisor, Role.inspector):
        assert (
            service.get_decision_for_viewer(
                db_session, decision_id=record.id, actor="someone", actor_role=role
            )
            is record
        )


# --- the 0007_disclosures migration ----------------------------------------------------


def test_models_and_migrations_agree_for_policy_tables(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = [
            d for d in compare_metadata(context, load_all_models().metadata) if "policy_" in repr(d)
        ]
    assert diffs == []


def test_the_disclosures_migration_downgrades_alone(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'disclosures.db'}")
    try:
        migrate.upgrade(engine)
        assert "policy_disclosures" in inspect(engine).get_table_names()
        migrate.downgrade(engine, "0007_disclosures-1")
        tables = set(inspect(engine).get_table_names())
        assert "policy_disclosures" not in tables and "policy_decisions" in tables
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()


def test_a_disclosure_needs_its_recipient_organisation(db_session: Session) -> None:
    record = _decide(db_session)
    with pytest.raises(InvalidInputError) as refused:
        _record(db_session, record.id, ["identity"], recipient_organisation="   ")
    assert refused.value.field == "recipient_organisation"


@pytest.mark.parametrize(
    ("basis", "condition", "field"),
    [
        (None, "not_sensitive", "lawful_basis"),
        ("", "not_sensitive", "lawful_basis"),
        ("dpa_s35_2_b_task", None, "processing_condition"),
        ("dpa_s35_2_b_task", "gdpr_art9_2_g_substantial_public_interest", "processing_condition"),
        ("gdpr_art6_1_e_public_task", "sch8_2_justice", "processing_condition"),
    ],
)
def test_a_disclosure_needs_a_lawful_basis_and_condition_from_one_law(
    db_session: Session, basis: str | None, condition: str | None, field: str
) -> None:
    record = _decide(db_session)
    with pytest.raises(InvalidInputError) as refused:
        _record(
            db_session,
            record.id,
            ["identity"],
            lawful_basis=basis,
            processing_condition=condition,
        )
    assert refused.value.field == field
    assert service.list_disclosures(db_session, decision_id=record.id) == []


def test_the_basis_is_recorded_and_ledgered_with_the_disclosure(
    db_session: Session, published: list[DomainEvent]
) -> None:
    record = _decide(db_session)
    disclosure = _record(
        db_session,
        record.id,
        ["identity"],
        lawful_basis="gdpr_art6_1_e_public_task",
        processing_condition="gdpr_art9_2_g_substantial_public_interest",
    )
    assert disclosure.lawful_basis == "gdpr_art6_1_e_public_task"
    assert disclosure.processing_condition == "gdpr_art9_2_g_substantial_public_interest"
    assert published[-1].data["lawful_basis"] == "gdpr_art6_1_e_public_task"
    assert published[-1].data["processing_condition"] == (
        "gdpr_art9_2_g_substantial_public_interest"
    )


def test_the_onward_use_condition_carries_the_decisions_duties(db_session: Session) -> None:
    record = _decide(
        db_session,
        requester=ENFORCEMENT,
        regime="iemvp",
        subject={"receiving_regularisation_support": True},
    )
    review = record.review
    assert review is not None and record.is_enforcement_pause_required
    service.decide_review(
        db_session,
        review_id=review.id,
        rulings=[
            CategoryRuling(category=Category.identity, disclose=True, rationale="Safeguarding")
        ],
        actor="ds.khan",
        actor_role=Role.disclosure_officer,
        now=T0 + timedelta(minutes=30),
    )
    disclosure = _record(db_session, record.id, ["identity"])
    condition = disclosure.onward_use_condition or ""
    assert "take no enforcement action against the victim" in condition
    assert "referred to independent advice and support" in condition
