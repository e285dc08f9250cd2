"""The subject's facts as the case record holds them: what the Firewall decides on.

The Firewall never takes these from the requester. Facts come from the report itself
(crime type, case status, age band), from the consent register, and from fact entries
staff add with who, when and from what source; each entry is published (so ledgered).
`subject_facts` returns each fact with the record version it came from, so a decision can
store exactly what it used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor, Permission
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError
from safeshare.events import EventKind
from safeshare.reporting.access import can_see, publish_report_event, report_for
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.consent import (
    ConsentEntry,
    ConsentRecord,
    PolicyConsent,
    policy_consents,
)
from safeshare.reporting.errors import ReportErasedError
from safeshare.reporting.models import Consent, Report, ReportFact
from safeshare.reporting.references import normalise_reference
from safeshare.reporting.vocabulary import (
    AgeBand,
    CaseStatus,
    CrimeType,
    FactSource,
    SubjectFact,
    SubjectRole,
    Suspicion,
)

# A case is live, for the migrant victims protocol, until it is closed or dropped.
ACTIVE_STATUSES = frozenset({CaseStatus.new, CaseStatus.under_investigation, CaseStatus.charged})


@dataclass(frozen=True)
class SubjectFacts:
    """The facts a decision uses and, per fact, the record version it came from.

    `versions[fact]` says where the value came from: `{"source": "fact_entry", "version": n,
    ...}` for a recorded entry, or the report column / consent ids it was read from.
    """

    reference: str
    role: SubjectRole
    crime_types: tuple[CrimeType, ...]
    suspected_of_non_immigration_offence: bool
    investigation_active: bool
    receiving_regularisation_support: bool
    is_child: bool
    consents: tuple[PolicyConsent, ...]
    versions: dict[str, Any] = field(default_factory=dict)


def _check_value(fact: SubjectFact, value: Any) -> Any:
    """The value in its stored form, or a field error naming what is wrong."""
    try:
        if fact is SubjectFact.role:
            return SubjectRole(value).value
        if fact is SubjectFact.suspicion:
            return Suspicion(value).value
        if fact is SubjectFact.crime_types:
            if isinstance(value, str) or not value:
                raise ValueError
            return sorted({CrimeType(v).value for v in value})
    except (ValueError, TypeError):
        raise InvalidInputError(f"Not a valid value for {fact.value}", field="value") from None
    if not isinstance(value, bool):
        raise InvalidInputError(f"Answer yes or no for {fact.value}", field="value")
    return value


def record_fact(
    session: Session,
    *,
    report_id: int,
    fact: SubjectFact,
    value: Any,
    source: FactSource,
    actor: Actor,
    config: ReportingConfig,
    now: datetime | None = None,
) -> ReportFact:
    """Add a fact to the record (the next version), by a case role, and publish it.

    The event carries the value: every fact is a code or a yes/no, never free text.
    """
    report = report_for(
        session,
        report_id=report_id,
        actor=actor,
        permission=Permission.CASE_UPDATE,
        allow_erased=False,
    )
    return append_fact(
        session,
        report,
        fact=fact,
        value=value,
        source=source,
        by=actor.username,
        by_role=str(actor.role),
        at=now or utcnow(),
    )


def append_fact(
    session: Session,
    report: Report,
    *,
    fact: SubjectFact,
    value: Any,
    source: FactSource,
    by: str,
    by_role: str,
    at: datetime,
) -> ReportFact:
    """Add the next fact entry to `report` and publish it (the caller checked who may).

    Also used at intake, where the reporter says whether she is the victim or a witness.
    """
    stored = _check_value(SubjectFact(fact), value)
    entry = ReportFact(
        version=max((f.version for f in report.facts), default=0) + 1,
        fact=SubjectFact(fact).value,
        value=stored,
        source=FactSource(source).value,
        recorded_by=by,
        recorded_by_role=by_role,
        recorded_at=at,
    )
    report.facts.append(entry)
    session.flush()
    publish_report_event(
        session,
        EventKind.REPORT_FACT_RECORDED,
        by,
        report,
        fact_id=entry.id,
        version=entry.version,
        fact=entry.fact,
        value=stored,
        source=entry.source,
    )
    return entry


def _latest(report: _FactRecord) -> dict[str, _FactEntry]:
    latest: dict[str, _FactEntry] = {}
    for entry in report.facts:  # in version order: later entries supersede
        latest[entry.fact] = entry
    return latest


def _entry_version(entry: _FactEntry) -> dict[str, Any]:
    return {
        "source": "fact_entry",
        "version": entry.version,
        "fact_source": entry.source,
        "recorded_by": entry.recorded_by,
        "recorded_at": entry.recorded_at.isoformat(),
    }


def subject_facts(session: Session, *, report_id: int) -> SubjectFacts:
    """The subject's facts now, each with its record version. Callers check visibility."""
    return _facts_of(session.get_one(Report, report_id))


def visible_subject_facts(session: Session, *, reference: str, actor: Actor) -> SubjectFacts | None:
    """The facts of the report with this reference (typed loosely), or None if there is no
    such report or `actor` may not see it; `ReportErasedError` if it has been erased.

    Reads the report's few columns a decision uses, its fact entries and its consents as
    plain rows, nothing else: every decision asks, and loading them as ORM objects (the
    report has some forty columns) cost about three times as much.
    """
    canonical = normalise_reference(reference)
    if canonical is None:
        return None
    found = session.execute(_REPORT_FOR_FACTS, {"reference": canonical}).one_or_none()
    if found is None or not can_see(_Submitter(found.submitted_by_organisation_id), actor):
        return None
    record = _RecordView(
        reference=found.reference,
        crime_type=found.crime_type,
        status=found.status,
        age_band=found.age_band,
        erased_at=found.erased_at,
        facts=session.execute(_FACT_ROWS, {"report_id": found.id}).all(),
        consents=session.execute(_CONSENT_ROWS, {"report_id": found.id}).all(),
    )
    return _facts_of(record)


_REPORTS, _FACTS, _CONSENTS = Report.__table__.c, ReportFact.__table__.c, Consent.__table__.c
_REPORT_FOR_FACTS = select(
    _REPORTS.id,
    _REPORTS.reference,
    _REPORTS.submitted_by_organisation_id,
    _REPORTS.crime_type,
    _REPORTS.status,
    _REPORTS.age_band,
    _REPORTS.erased_at,
).where(_REPORTS.reference == bindparam("reference"))
_FACT_ROWS = (
    select(
        _FACTS.fact,
        _FACTS.value,
        _FACTS.version,
        _FACTS.source,
        _FACTS.recorded_by,
        _FACTS.recorded_at,
    )
    .where(_FACTS.report_id == bindparam("report_id"))
    .order_by(_FACTS.version)
)
_CONSENT_ROWS = (
    select(_CONSENTS.id, _CONSENTS.purpose, _CONSENTS.agency_name, _CONSENTS.withdrawn_at)
    .where(_CONSENTS.report_id == bindparam("report_id"))
    .order_by(_CONSENTS.id)
)


class _FactEntry(Protocol):
    """A `ReportFact`, or the row of the columns a decision reads."""

    @property
    def fact(self) -> str: ...
    @property
    def value(self) -> Any: ...
    @property
    def version(self) -> int: ...
    @property
    def source(self) -> str: ...
    @property
    def recorded_by(self) -> str: ...
    @property
    def recorded_at(self) -> datetime: ...


class _FactRecord(ConsentRecord, Protocol):
    """A `Report`, or `_RecordView`: what `_facts_of` reads."""

    @property
    def reference(self) -> str: ...
    @property
    def crime_type(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def age_band(self) -> str | None: ...
    @property
    def facts(self) -> Sequence[_FactEntry]: ...


@dataclass(frozen=True, slots=True)
class _Submitter:
    submitted_by_organisation_id: int | None


@dataclass(frozen=True, slots=True)
class _RecordView:
    """The report's columns, fact entries and consents as read for a decision."""

    reference: str
    crime_type: str
    status: str
    age_band: str | None
    erased_at: datetime | None
    facts: Sequence[_FactEntry]
    consents: Sequence[ConsentEntry]


def _facts_of(report: _FactRecord) -> SubjectFacts:
    if report.erased_at is not None:
        raise ReportErasedError("That report has been erased")
    latest = _latest(report)
    versions: dict[str, Any] = {}

    def from_entry(fact: SubjectFact, default: Any, default_version: dict[str, Any]) -> Any:
        entry = latest.get(fact.value)
        versions[fact.value] = _entry_version(entry) if entry else default_version
        return entry.value if entry else default

    role = from_entry(SubjectFact.role, SubjectRole.victim.value, {"source": "intake"})
    crimes = from_entry(
        SubjectFact.crime_types, [report.crime_type], {"source": "report.crime_type"}
    )
    support = from_entry(
        SubjectFact.receiving_regularisation_support, False, {"source": "not_recorded"}
    )
    suspicion = from_entry(SubjectFact.suspicion, Suspicion.none.value, {"source": "not_recorded"})
    child = from_entry(
        SubjectFact.is_child,
        report.age_band == AgeBand.under_18.value,
        {"source": "report.age_band", "age_band": report.age_band},
    )
    versions["investigation_active"] = {"source": "report.status", "status": report.status}
    consents = policy_consents(report)
    versions["consents"] = {
        "source": "consent_register",
        "entries": [
            {"id": c.id, "purpose": c.purpose, "withdrawn": c.withdrawn_at is not None}
            for c in report.consents
        ],
    }
    return SubjectFacts(
        reference=report.reference,
        role=SubjectRole(role),
        crime_types=tuple(CrimeType(c) for c in crimes),
        suspected_of_non_immigration_offence=suspicion == Suspicion.suspected.value,
        investigation_active=report.status in ACTIVE_STATUSES,
        receiving_regularisation_support=bool(support),
        is_child=bool(child),
        consents=tuple(consents),
        versions=versions,
    )
