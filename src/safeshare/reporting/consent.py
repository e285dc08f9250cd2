"""Consent per purpose: recording, withdrawal, and the Firewall's view of it.

Each consent records when, how and by whom; a withdrawal is recorded on the consent and
takes effect on the next decision, because the Firewall reads `consents_for_policy` each
time. `victim_support` consent also starts (and its withdrawal stops) the Victims' Code
Right 4 referral clock.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypedDict

from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor, Permission
from safeshare.db.base import utcnow
from safeshare.events import EventKind
from safeshare.reporting import victims_code
from safeshare.reporting.access import publish_report_event, report_for
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import ConsentStateError, ReportNotFoundError
from safeshare.reporting.models import Consent, Report
from safeshare.reporting.schemas import ConsentGrant, ConsentRead
from safeshare.reporting.vocabulary import ConsentMethod, ConsentPurpose
from safeshare.vault.service import note_commitment

# The consent purposes the Firewall's decision contract knows; it rejects unknown values.
POLICY_CONSENT_PURPOSES: tuple[ConsentPurpose, ...] = (
    ConsentPurpose.victim_support,
    ConsentPurpose.regularisation_support,
    ConsentPurpose.immigration_advice,
)


class ConsentEntry(Protocol):
    """A `Consent`, or the row of the columns the Firewall's view reads."""

    @property
    def id(self) -> int: ...
    @property
    def purpose(self) -> str: ...
    @property
    def agency_name(self) -> str | None: ...
    @property
    def withdrawn_at(self) -> datetime | None: ...


class ConsentRecord(Protocol):
    """A `Report`, or a decision's read of it: whether it is erased, and its consents."""

    @property
    def erased_at(self) -> datetime | None: ...
    @property
    def consents(self) -> Sequence[ConsentEntry]: ...


class PolicyConsent(TypedDict):
    """One entry of the Firewall request's `subject.consents`."""

    purpose: str
    withdrawn: bool


def active_consents(
    report: Report, purpose: ConsentPurpose, agency: str | None = None
) -> list[Consent]:
    """Consents for `purpose` (and agency, if named) still in force on `report`."""
    return [c for c in report.consents if _in_force(c, purpose, agency)]


def _in_force(consent: ConsentEntry, purpose: ConsentPurpose, agency: str | None) -> bool:
    return (
        consent.purpose == purpose.value
        and consent.withdrawn_at is None
        and (agency is None or (consent.agency_name or "").casefold() == agency.casefold())
    )


def grant_consent(
    session: Session,
    report: Report,
    grant: ConsentGrant,
    *,
    method: ConsentMethod,
    by: str,
    at: datetime,
    config: ReportingConfig,
) -> Consent:
    """Record `grant` unless the same consent is already in force (then return that one)."""
    existing = active_consents(report, grant.purpose, grant.agency_name)
    if existing:
        return existing[0]  # already in force: recording it twice would blur the history
    consent = Consent(
        purpose=grant.purpose.value,
        agency_name=grant.agency_name,
        agency_salt=secrets.token_hex(16) if grant.agency_name else None,
        method=method.value,
        recorded_at=at,
        recorded_by=by,
    )
    report.consents.append(consent)
    session.flush()
    if grant.purpose is ConsentPurpose.victim_support:
        victims_code.start_referral_clock(report, consented_at=at, config=config)
    publish_report_event(
        session,
        EventKind.CONSENT_RECORDED,
        by,
        report,
        consent_id=consent.id,
        purpose=consent.purpose,
        method=consent.method,
        **_agency_reference(consent),
    )
    return consent


def _agency_reference(consent: Consent) -> dict[str, str]:
    """For the ledger: the agency name's salted hash, never the name (free text). Erasure
    clears the name and its salt, so the hash can no longer be tested against guesses."""
    if not consent.agency_name or not consent.agency_salt:
        return {}
    return {"agency_sha256": note_commitment(consent.agency_salt, consent.agency_name)}


def withdraw(
    session: Session,
    report: Report,
    consent: Consent,
    *,
    method: ConsentMethod,
    by: str,
    at: datetime,
) -> None:
    """Record the withdrawal of `consent`; the last `victim_support` one stops Right 4's clock."""
    consent.withdrawn_at, consent.withdrawn_by, consent.withdrawal_method = at, by, method.value
    if consent.purpose == ConsentPurpose.victim_support.value and not active_consents(
        report, ConsentPurpose.victim_support
    ):
        victims_code.stop_referral_clock(report)
    session.flush()
    publish_report_event(
        session,
        EventKind.CONSENT_WITHDRAWN,
        by,
        report,
        consent_id=consent.id,
        purpose=consent.purpose,
        method=method.value,
        **_agency_reference(consent),
    )


def _consent_report(
    session: Session, report_id: int, actor: Actor, config: ReportingConfig
) -> Report:
    # Advocates record consent for the reports their organisation made, as well as staff.
    return report_for(
        session,
        report_id=report_id,
        actor=actor,
        permission=Permission.CONSENT_RECORD,
        allow_erased=False,
    )


def record_consent(
    session: Session,
    *,
    report_id: int,
    grant: ConsentGrant,
    method: ConsentMethod,
    actor: Actor,
    config: ReportingConfig,
    now: datetime | None = None,
) -> ConsentRead:
    """Record a consent taken by staff or an advocate (idempotent while one is in force)."""
    report = _consent_report(session, report_id, actor, config)
    consent = grant_consent(
        session, report, grant, method=method, by=actor.username, at=now or utcnow(), config=config
    )
    return ConsentRead.model_validate(consent)


def withdraw_consent(
    session: Session,
    *,
    report_id: int,
    consent_id: int,
    method: ConsentMethod,
    actor: Actor,
    config: ReportingConfig,
    now: datetime | None = None,
) -> ConsentRead:
    """Record a withdrawal; it takes effect on the next decision (`consents_for_policy`)."""
    report = _consent_report(session, report_id, actor, config)
    consent = next((c for c in report.consents if c.id == consent_id), None)
    if consent is None:
        raise ReportNotFoundError("That consent does not exist")
    if consent.withdrawn_at is not None:
        raise ConsentStateError("That consent has already been withdrawn")
    withdraw(session, report, consent, method=method, by=actor.username, at=now or utcnow())
    return ConsentRead.model_validate(consent)


def consents_for_policy(session: Session, report_id: int) -> list[PolicyConsent]:
    """The Firewall's `subject.consents` for a report: `[{"purpose": ..., "withdrawn": bool}]`.

    One entry per Firewall-known purpose ever consented to; `withdrawn` is true when none is
    still in force. An erased report has no consents.
    """
    report = session.get(Report, report_id)
    if report is None:
        raise ReportNotFoundError("That report does not exist")
    return policy_consents(report)


def policy_consents(report: ConsentRecord) -> list[PolicyConsent]:
    """`consents_for_policy` for a report already loaded (with its consents)."""
    if report.erased_at is not None:
        return []
    return [
        PolicyConsent(
            purpose=purpose.value,
            withdrawn=not any(_in_force(c, purpose, None) for c in report.consents),
        )
        for purpose in POLICY_CONSENT_PURPOSES
        if any(c.purpose == purpose.value for c in report.consents)
    ]
