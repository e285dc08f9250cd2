"""Case records for Firewall tests: a report holding given facts, and record-bound requests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.policy.schemas import RecordShareRequest, ShareRequest, Subject
from safeshare.reporting import service as reporting
from safeshare.reporting.consent import POLICY_CONSENT_PURPOSES
from safeshare.reporting.models import Consent, Report
from safeshare.reporting.references import new_reference
from safeshare.reporting.vocabulary import FactSource, SubjectFact, Suspicion
from tests.factories.reporting import reporting_config

RECORDER = Actor(username="ds.record", role=Role.disclosure_officer)
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def bare_report(
    session: Session,
    *,
    crime_type: str = "domestic_abuse",
    status: str = "under_investigation",
    age_band: str | None = None,
    organisation_id: int | None = None,
    reference: str | None = None,
) -> Report:
    """A report row with no sealed details (the Firewall never reads them)."""
    report = Report(
        public_id=uuid.uuid4().hex,
        reference=reference or new_reference(),
        pathway="officer" if organisation_id is None else "third_party",
        crime_type=crime_type,
        status=status,
        reported_at=T0,
        age_band=age_band,
        submitted_by_organisation_id=organisation_id,
    )
    session.add(report)
    session.flush()
    return report


def add_consent(session: Session, report: Report, purpose: str, *, withdrawn: bool) -> None:
    report.consents.append(
        Consent(
            purpose=purpose,
            method="officer_in_person",
            recorded_at=T0,
            recorded_by="pc.jones",
            withdrawn_at=T0 if withdrawn else None,
            withdrawn_by="pc.jones" if withdrawn else None,
        )
    )
    session.flush()


def report_with_facts(
    session: Session, subject: Subject, *, reference: str | None = None
) -> Report:
    """A report whose record holds `subject`'s facts: fact entries and consent register rows.

    A consent history holding both a consent and a withdrawal for one purpose is recorded as
    the withdrawal, which is what it means.
    """
    report = bare_report(
        session,
        crime_type=str(subject.crime_types[0]),
        status="under_investigation" if subject.investigation_active else "closed",
        reference=reference,
    )
    facts = {
        SubjectFact.role: str(subject.role),
        SubjectFact.crime_types: [str(c) for c in subject.crime_types],
        SubjectFact.receiving_regularisation_support: subject.receiving_regularisation_support,
        SubjectFact.suspicion: (
            Suspicion.suspected if subject.suspected_of_non_immigration_offence else Suspicion.none
        ).value,
        SubjectFact.is_child: subject.is_child,
    }
    for fact, value in facts.items():
        reporting.record_fact(
            session,
            report_id=report.id,
            fact=fact,
            value=value,
            source=FactSource.case_file,
            actor=RECORDER,
            config=reporting_config(),
            now=T0,
        )
    # Only purposes the consent register knows can be recorded; the rest are dropped.
    registered = {str(p) for p in POLICY_CONSENT_PURPOSES}
    purposes = {str(c.purpose) for c in subject.consents} & registered
    for purpose in sorted(purposes):
        withdrawn = any(c.withdrawn for c in subject.consents if c.purpose == purpose)
        add_consent(session, report, purpose, withdrawn=withdrawn)
    return report


def bound_request(session: Session, request: ShareRequest) -> RecordShareRequest:
    """The record-bound form of a free-standing request: its facts go into a new report."""
    report = report_with_facts(session, request.subject)
    return RecordShareRequest(
        report_ref=report.reference,
        requester=request.requester,
        categories=request.categories,
        status_doubt_only=request.subject.status_doubt_only,
    )
