"""What a reporter sees of her own report after signing in with reference and passphrase.

The view is bound to one report id, found by `verify_reporter`; every function here takes
that id and reads nothing of any other report. What she sees without more: the case status,
the updates an officer wrote *for her* (kind `victim_update`, distinct from internal
updates), her Victims' Code rights and her consents, which she can withdraw (the Firewall
reads consents from the record, so a withdrawal changes the next decision). Her own sealed
answers (nationality, immigration status, her account) need the passphrase again
(`reveal_own_answers`), and every decrypt is a recorded `vault.read`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor
from safeshare.db.base import utcnow
from safeshare.reporting import passphrases
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.consent import withdraw
from safeshare.reporting.errors import ConsentStateError, ReportNotFoundError
from safeshare.reporting.models import Report
from safeshare.reporting.vocabulary import (
    RIGHT_TITLES,
    CaseStatus,
    ConsentMethod,
    ConsentPurpose,
    CrimeType,
    KeyDecision,
    RightStatus,
    SealedField,
    VictimsCodeRight,
)
from safeshare.vault import service as vault
from safeshare.vault.service import KeyProvider

VICTIM_UPDATE = "victim_update"  # an officer's update written for the victim to read
VICTIM = Actor.public().username  # the ledger actor for what she does herself (as on the form)
# What she may see again after re-entering her passphrase, in the order shown.
OWN_SEALED_FIELDS: tuple[SealedField, ...] = (
    SealedField.name,
    SealedField.contact_details,
    SealedField.safe_contact,
    SealedField.nationality,
    SealedField.immigration_status,
    SealedField.language_needs,
    SealedField.account,
)


@dataclass(frozen=True)
class VictimUpdate:
    created_at: datetime
    text: str | None
    key_decision: KeyDecision | None
    new_status: CaseStatus | None


@dataclass(frozen=True)
class VictimRight:
    right: VictimsCodeRight
    title: str
    status: RightStatus
    trigger: str | None
    due_on: date | None
    met_at: datetime | None


@dataclass(frozen=True)
class VictimConsent:
    id: int
    purpose: ConsentPurpose
    agency_name: str | None
    recorded_at: datetime
    withdrawn_at: datetime | None

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True)
class VictimReport:
    """Her report as she may see it, with no sealed answer in it."""

    report_id: int
    reference: str
    status: CaseStatus
    crime_type: CrimeType
    reported_at: datetime
    updates: list[VictimUpdate]
    rights: list[VictimRight]
    consents: list[VictimConsent]


def _own_report(session: Session, report_id: int) -> Report:
    report = session.get(Report, report_id)
    if report is None or report.erased_at is not None or report.passphrase_hash is None:
        raise ReportNotFoundError("That report does not exist")
    return report


def still_matches(
    session: Session, *, report_id: int, passphrase: str, config: ReportingConfig
) -> bool:
    """Whether `passphrase` is still this report's (the step-up before sealed answers)."""
    report = session.get(Report, report_id)
    stored = report.passphrase_hash if report is not None and report.erased_at is None else None
    return passphrases.verify_passphrase(stored, passphrase, config.argon2)


def victim_report(session: Session, *, report_id: int, provider: KeyProvider) -> VictimReport:
    """Her report: status, the officers' updates for her, her rights and her consents.

    An update's text is sealed like every update, so reading it is a recorded vault read.
    """
    report = _own_report(session, report_id)
    for_her = [u for u in report.updates if u.kind == VICTIM_UPDATE]
    fields = [f"update.{u.public_id}" for u in for_her if u.has_text]
    texts = (
        vault.reveal_values(
            session,
            provider=provider,
            subject=report.public_id,
            fields=fields,
            actor=VICTIM,
            reason="Shown to the reporter in her own view of the report",
            audit={"report_id": report.id, "reference": report.reference, "role": "reporter"},
        )
        if fields
        else {}
    )
    return VictimReport(
        report_id=report.id,
        reference=report.reference,
        status=CaseStatus(report.status),
        crime_type=CrimeType(report.crime_type),
        reported_at=report.reported_at,
        updates=[
            VictimUpdate(
                u.created_at,
                texts.get(f"update.{u.public_id}"),
                KeyDecision(u.key_decision) if u.key_decision else None,
                CaseStatus(u.new_status) if u.new_status else None,
            )
            for u in reversed(for_her)
        ],
        rights=[
            VictimRight(
                VictimsCodeRight(r.right),
                RIGHT_TITLES[VictimsCodeRight(r.right)],
                RightStatus(r.status),
                r.trigger,
                r.due_on,
                r.met_at,
            )
            for r in report.rights
        ],
        consents=[
            VictimConsent(
                c.id, ConsentPurpose(c.purpose), c.agency_name, c.recorded_at, c.withdrawn_at
            )
            for c in report.consents
        ],
    )


def withdraw_own_consent(
    session: Session, *, report_id: int, consent_id: int, now: datetime | None = None
) -> None:
    """Withdraw one of her consents; the next share decision reads the record without it."""
    report = _own_report(session, report_id)
    consent = next((c for c in report.consents if c.id == consent_id), None)
    if consent is None:
        raise ReportNotFoundError("That consent does not exist")
    if consent.withdrawn_at is not None:
        raise ConsentStateError("That consent has already been withdrawn")
    withdraw(
        session,
        report,
        consent,
        method=ConsentMethod.anonymous_return,
        by=VICTIM,
        at=now or utcnow(),
    )


def reveal_own_answers(
    session: Session,
    *,
    report_id: int,
    passphrase: str,
    provider: KeyProvider,
    config: ReportingConfig,
) -> dict[SealedField, str] | None:
    """Her own sealed answers, only if she gives the passphrase again (else None).

    Each field read is published as a `vault.read` by the reporter, like staff reads.
    """
    if not still_matches(session, report_id=report_id, passphrase=passphrase, config=config):
        return None
    report = _own_report(session, report_id)
    values = vault.reveal_values(
        session,
        provider=provider,
        subject=report.public_id,
        fields=[f.value for f in OWN_SEALED_FIELDS],
        actor=VICTIM,
        reason="The reporter re-entered her passphrase to see her own answers",
        audit={"report_id": report.id, "reference": report.reference, "role": "reporter"},
    )
    return {f: v for f in OWN_SEALED_FIELDS if (v := values.get(f.value))}
