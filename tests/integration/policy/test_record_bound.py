"""Decisions bound to the case record (issue 13), on SQLite and PostgreSQL: facts come from
the report, are added to it first with who/when/source, and are stored for exact replay."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent
from safeshare.policy import service
from safeshare.policy.models import PolicyDecision, PolicySetRecord
from safeshare.policy.regimes import PolicyFile, RegimeSource, get_regime
from safeshare.policy.schemas import (
    Agency,
    Category,
    CategoryRuling,
    Outcome,
    Purpose,
    RecordShareRequest,
    Requester,
    ShareRequest,
    Subject,
)
from safeshare.reporting import service as reporting
from safeshare.reporting.errors import (
    ReportErasedError,
    ReportingPermissionError,
    ReportNotFoundError,
)
from safeshare.reporting.vocabulary import FactSource, SubjectFact, Suspicion
from tests.factories.policy import RECORDER, add_consent, bare_report, report_with_facts
from tests.factories.reporting import reporting_config
from tests.unit.policy.builders import request_data, share_request
from tests.unit.policy.strategies import categories, subjects

FORCE = "Testshire Police"
ENFORCEMENT = Requester(
    agency=Agency.immigration_enforcement, purpose=Purpose.immigration_enforcement
)
VECTORS = Path(__file__).parents[2] / "vectors" / "policy_v1"


def _decide(session: Session, request: RecordShareRequest, **kwargs: object) -> PolicyDecision:
    arguments: dict[str, object] = {
        "request": request,
        "actor": "pc.jones",
        "actor_role": Role.officer,
        "force": FORCE,
    } | kwargs
    return service.make_decision(session, **arguments)  # type: ignore[arg-type]


def _ask(
    reference: str | None, requester: Requester = ENFORCEMENT, **kw: object
) -> RecordShareRequest:
    return RecordShareRequest.model_validate(
        {
            "report_ref": reference,
            "requester": requester.model_dump(),
            "categories": ["identity", "nationality", "immigration_status"],
            "status_doubt_only": False,
        }
        | kw
    )


def _fact(session: Session, report_id: int, fact: SubjectFact, value: object, **kw: object) -> None:
    arguments: dict[str, object] = {
        "report_id": report_id,
        "fact": fact,
        "value": value,
        "source": FactSource.officer_enquiry,
        "actor": RECORDER,
        "config": reporting_config(),
    } | kw
    reporting.record_fact(session, **arguments)  # type: ignore[arg-type]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subject=subjects(),
    requester=st.builds(
        Requester, agency=st.sampled_from(Agency), purpose=st.sampled_from(Purpose)
    ),
    asked=categories,
    doubt=st.booleans(),
    regime=st.sampled_from(["firewall", "hmicfrs-rec1", "npcc-2020", "iemvp"]),
)
def test_a_decisions_stated_facts_are_the_records_facts_at_decision_time(
    db_session: Session,
    subject: Subject,
    requester: Requester,
    asked: list[Category],
    doubt: bool,
    regime: str,
) -> None:
    report = report_with_facts(db_session, subject)
    facts = reporting.subject_facts(db_session, report_id=report.id)
    record = _decide(
        db_session,
        RecordShareRequest(
            report_ref=report.reference,
            requester=requester,
            categories=asked,
            status_doubt_only=doubt,
        ),
        regime=regime,
    )
    stated = record.share_request()
    assert stated.subject == service.subject_from_record(facts).model_copy(
        update={"status_doubt_only": doubt}
    )
    assert record.fact_versions == {"report_ref": report.reference, "facts": facts.versions}
    assert record.as_decision() == get_regime(regime).decide(stated)
    # A later change to the record does not change what this decision says it used...
    _fact(db_session, report.id, SubjectFact.role, "suspect")
    assert record.share_request() == stated
    # ...and replay decides on the stored facts, exactly.
    assert service.replay_decision(db_session, decision_id=record.id) == record.as_decision()


def test_facts_the_record_lacks_are_added_first_ledgered_and_then_used(
    db_session: Session, published: list[DomainEvent]
) -> None:
    report = bare_report(db_session, crime_type="violence")
    before = _decide(db_session, _ask(report.reference), regime="iemvp")
    assert not before.is_enforcement_pause_required  # no regularisation support recorded yet
    assert before.share_request().subject.crime_types == ["other"]
    _fact(db_session, report.id, SubjectFact.receiving_regularisation_support, True)
    (event,) = [e for e in published if e.kind == "report.fact_recorded"]
    assert event.actor == RECORDER.username
    assert event.data | {"fact_id": 0} == {
        "report_id": report.id,
        "reference": report.reference,
        "fact_id": 0,
        "version": 1,
        "fact": "receiving_regularisation_support",
        "value": True,
        "source": "officer_enquiry",
    }
    after = _decide(db_session, _ask(report.reference), regime="iemvp")
    assert after.is_enforcement_pause_required
    version = after.fact_versions["facts"]["receiving_regularisation_support"]  # type: ignore[index]
    assert version["version"] == 1 and version["recorded_by"] == RECORDER.username


@pytest.mark.parametrize("role", [Role.officer, Role.supervisor, Role.disclosure_officer])
def test_case_roles_may_add_facts(db_session: Session, role: Role) -> None:
    report = bare_report(db_session)
    _fact(db_session, report.id, SubjectFact.role, "witness", actor=Actor("x", role))
    assert reporting.subject_facts(db_session, report_id=report.id).role == "witness"


@pytest.mark.parametrize("role", [Role.inspector, Role.pcc_analyst, Role.admin, Role.advocate])
def test_other_roles_may_not_add_facts(db_session: Session, role: Role) -> None:
    report = bare_report(db_session)
    with pytest.raises((ReportingPermissionError, ReportNotFoundError)):
        _fact(db_session, report.id, SubjectFact.role, "suspect", actor=Actor("x", role, 1))


@pytest.mark.parametrize(
    ("fact", "value"),
    [
        (SubjectFact.crime_types, []),
        (SubjectFact.crime_types, "domestic_abuse"),
        (SubjectFact.role, "bystander"),
        (SubjectFact.is_child, "yes"),
        (SubjectFact.suspicion, "overstaying"),
    ],
)
def test_bad_fact_values_are_refused_naming_the_field(
    db_session: Session, fact: SubjectFact, value: object
) -> None:
    report = bare_report(db_session)
    with pytest.raises(InvalidInputError) as refused:
        _fact(db_session, report.id, fact, value)
    assert refused.value.field == "value"


def test_a_counter_allegation_never_removes_a_victims_protection(db_session: Session) -> None:
    report = bare_report(db_session, crime_type="domestic_abuse")
    _fact(db_session, report.id, SubjectFact.suspicion, Suspicion.counter_allegation_only.value)
    record = _decide(
        db_session, _ask(report.reference, status_doubt_only=True), regime="hmicfrs-rec1"
    )
    assert record.share_request().subject.suspected_of_non_immigration_offence is False
    assert (record.outcome, record.is_referral_required) == (Outcome.deny, True)
    _fact(db_session, report.id, SubjectFact.suspicion, Suspicion.suspected.value)
    record = _decide(
        db_session, _ask(report.reference, status_doubt_only=True), regime="hmicfrs-rec1"
    )
    assert record.outcome == Outcome.review


def test_a_child_witness_of_domestic_abuse_is_decided_as_a_victim(db_session: Session) -> None:
    report = bare_report(db_session, crime_type="domestic_abuse", age_band="under_18")
    _fact(db_session, report.id, SubjectFact.role, "witness")
    record = _decide(
        db_session, _ask(report.reference, status_doubt_only=True), regime="hmicfrs-rec1"
    )
    subject = record.share_request().subject
    assert (subject.role, subject.is_child) == ("witness", True)
    assert record.outcome == Outcome.deny
    assert record.fact_versions["facts"]["is_child"]["source"] == "report.age_band"  # type: ignore[index]


def test_consents_come_from_the_register_with_withdrawal(db_session: Session) -> None:
    report = bare_report(db_session)
    add_consent(db_session, report, "regularisation_support", withdrawn=False)
    regularise = Requester(
        agency=Agency.immigration_enforcement, purpose=Purpose.regularisation_support
    )
    assert _decide(db_session, _ask(report.reference, regularise)).outcome == Outcome.permit
    consent = report.consents[0]
    consent.withdrawn_at = datetime.now(UTC)
    db_session.flush()
    assert _decide(db_session, _ask(report.reference, regularise)).outcome == Outcome.deny


def test_an_unknown_or_hidden_report_gets_no_decision(db_session: Session) -> None:
    with pytest.raises(ReportNotFoundError):
        _decide(db_session, _ask("SS-7K4MQ-2XD9B"))
    assert service.list_decisions(db_session, report_ref="SS-7K4MQ-2XD9B") == []


def _old_source() -> RegimeSource:
    """hmicfrs-rec1 as it was before issue 13: `suspected_of_offence`, no new attributes."""
    read = lambda name: (VECTORS / name).read_text(encoding="utf-8")  # noqa: E731
    return RegimeSource(
        name="hmicfrs-rec1",
        title="HMICFRS recommendation 1 (interim)",
        summary="before issue 13",
        schema_text=read("schema.cedarschema"),
        files=tuple(
            PolicyFile(f, read(f))
            for f in ("universal.cedar", "suspect_review.cedar", "hmicfrs-rec1.cedar")
        ),
    )


def test_decisions_made_before_the_record_binding_keep_their_facts_and_replay_exactly(
    db_session: Session,
) -> None:
    source = _old_source()
    old_request = request_data(
        requester=ENFORCEMENT.model_dump(mode="json"),
        subject={"crime_types": ["domestic_abuse"], "status_doubt_only": True},
        categories=["identity", "immigration_status"],
    )
    subject = old_request["subject"]
    subject["suspected_of_offence"] = subject.pop("suspected_of_non_immigration_offence")
    compiled = service._compiled(source)
    decision = compiled.decide(ShareRequest.model_validate(old_request))
    db_session.add(
        PolicySetRecord(
            policy_hash=compiled.policy_hash, regime=source.name, source=source.to_json()
        )
    )
    db_session.flush()
    record = PolicyDecision(
        force=FORCE,
        regime=decision.regime,
        policy_hash=decision.policy_hash,
        outcome=decision.outcome,
        request=old_request,  # exactly as stored then: the old field name
        disclose=decision.disclose,
        withhold=decision.withhold,
        reasons=[r.model_dump(mode="json") for r in decision.reasons],
        verdicts={},
        is_referral_required=decision.referral_required,
        is_enforcement_pause_required=decision.enforcement_pause_required,
        requested_by="pc.before",
        requested_by_role="officer",
        report_ref=None,
    )
    db_session.add(record)
    db_session.flush()
    db_session.expire(record)
    assert record.request["subject"]["suspected_of_offence"] is False  # untouched
    assert record.fact_versions is None and not record.is_general_enquiry
    assert record.share_request().subject.suspected_of_non_immigration_offence is False
    assert service.replay_decision(db_session, decision_id=record.id) == record.as_decision()
    assert record.as_decision().outcome == Outcome.deny


def test_stored_facts_still_read_after_the_record_changes(db_session: Session) -> None:
    record = _decide(
        db_session, _ask(report_with_facts(db_session, share_request().subject).reference)
    )
    assert record.share_request().subject.role == "victim"


@pytest.mark.parametrize("regime", ["iemvp", "npcc-2020", "hmicfrs-rec1"])
def test_only_a_named_reviewer_can_release_a_victims_status_to_enforcement(
    db_session: Session, published: list[DomainEvent], regime: str
) -> None:
    report = bare_report(db_session, crime_type="violence")
    asked = ["identity", "contact", "nationality", "immigration_status"]
    record = _decide(db_session, _ask(report.reference, categories=asked), regime=regime)
    assert record.outcome == Outcome.review and record.disclose == []
    review = record.review
    assert review is not None
    if regime == "iemvp":  # the protocol's reviewer may release at most the minimum
        assert review.reviewable == ["identity", "nationality", "immigration_status"]
    assert "immigration_status" in review.reviewable
    service.decide_review(
        db_session,
        review_id=review.id,
        rulings=[
            CategoryRuling(category=Category(c), disclose=c == "immigration_status", rationale="x")
            for c in review.reviewable
        ],
        actor="ds.khan",
        actor_role=Role.disclosure_officer,
    )
    assert service.disclosable_categories(record) == ["immigration_status"]
    assert review.decided_by == "ds.khan"
    (event,) = [e for e in published if e.kind == "policy.review_decision"]
    assert (event.actor, event.data["disclose"]) == ("ds.khan", ["immigration_status"])


def test_an_erased_report_gets_no_decision(db_session: Session) -> None:
    report = bare_report(db_session)
    report.erased_at = datetime.now(UTC)
    db_session.flush()
    with pytest.raises(ReportErasedError):
        _decide(db_session, _ask(report.reference))
    assert service.list_decisions(db_session, report_ref=report.reference) == []


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(subject=subjects())
def test_the_decision_apis_read_of_the_facts_is_the_records_facts(
    db_session: Session, subject: Subject
) -> None:
    """`visible_subject_facts` (one report, its fact entries and consents: the decision API's
    read) says what `subject_facts` says, for a reference typed loosely."""
    report = report_with_facts(db_session, subject)
    officer = Actor("pc.jones", Role.officer)
    loose = report.reference.lower().replace("-", " ")
    assert reporting.visible_subject_facts(
        db_session, reference=loose, actor=officer
    ) == reporting.subject_facts(db_session, report_id=report.id)


def test_the_decision_apis_read_hides_other_organisations_reports(db_session: Session) -> None:
    report = bare_report(db_session, organisation_id=None)
    advocate = Actor("adv", Role.advocate, organisation_id=999)
    assert (
        reporting.visible_subject_facts(db_session, reference=report.reference, actor=advocate)
        is None
    )
    assert (
        reporting.visible_subject_facts(
            db_session, reference="SS-7K4MQ-2XD9B", actor=Actor("pc.jones", Role.officer)
        )
        is None
    )
