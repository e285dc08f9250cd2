"""Retention's read-only window on other features' tables: which records of each type have
reached their retention date, and (for the four types retention may delete outright) the
deletion itself. Shredding goes through the reporting and vault services, never here.

Like oversight's statistics, this is the one place retention reads other features' rows;
the queries are plain and indexed on the columns each record's age is measured from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare.auth.models import User
from safeshare.ledger.models import LedgerEntry
from safeshare.oversight.models import Feedback
from safeshare.policy.models import PolicyDecision
from safeshare.reporting.drafts import ReportDraft
from safeshare.reporting.models import Consent, Report
from safeshare.retention.vocabulary import RecordType
from safeshare.support.models import SupportReferral
from safeshare.vault.models import DataKey


@dataclass(frozen=True)
class Candidate:
    """One record whose retention clock started at `aged_from`: references only."""

    record_type: RecordType
    record_key: str
    report_ref: str | None
    aged_from: datetime
    # The vault subject of a report's sealed fields (for shredding); None for other types.
    vault_subject: str | None = None


def candidates(session: Session, record_type: RecordType, cutoff: datetime) -> Iterator[Candidate]:
    """Records of `record_type` whose clock started at or before `cutoff`, oldest first."""
    yield from _FINDERS[record_type](session, cutoff)


def _reports(session: Session, cutoff: datetime) -> Iterator[Candidate]:
    rows = session.execute(
        select(Report.reference, Report.reported_at, Report.public_id)
        .where(Report.reported_at <= cutoff, Report.erased_at.is_(None))
        .order_by(Report.reported_at, Report.id)
    )
    for reference, reported_at, public_id in rows:
        yield Candidate(RecordType.report, reference, reference, reported_at, public_id)


def _sealed_fields(session: Session, cutoff: datetime) -> Iterator[Candidate]:
    # A report's sealed answers share one data key; a destroyed key means they are gone.
    live = select(DataKey.subject).where(DataKey.destroyed_at.is_(None))
    rows = session.execute(
        select(Report.reference, Report.reported_at, Report.public_id)
        .where(Report.reported_at <= cutoff, Report.public_id.in_(live))
        .order_by(Report.reported_at, Report.id)
    )
    for reference, reported_at, public_id in rows:
        yield Candidate(RecordType.sealed_field, reference, reference, reported_at, public_id)


def _drafts(session: Session, cutoff: datetime) -> Iterator[Candidate]:
    rows = session.execute(
        select(ReportDraft.id, ReportDraft.updated_at)
        .where(ReportDraft.updated_at <= cutoff)
        .order_by(ReportDraft.updated_at, ReportDraft.id)
    )
    for draft_id, updated_at in rows:
        yield Candidate(RecordType.draft, str(draft_id), None, updated_at)


def _decisions(session: Session, cutoff: datetime) -> Iterator[Candidate]:
    rows = session.execute(
        select(PolicyDecision.id, PolicyDecision.report_ref, PolicyDecision.requested_at)
        .where(PolicyDecision.requested_at <= cutoff)
        .order_by(PolicyDecision.requested_at, PolicyDecision.id)
    )
    for decision_id, report_ref, requested_at in rows:
        yield Candidate(RecordType.decision, str(decision_id), report_ref, requested_at)


def _referrals(session: Session, cutoff: datetime) -> Iterator[Candidate]:
    rows = session.execute(
        select(SupportReferral.id, Report.reference, SupportReferral.closed_at)
        .outerjoin(Report, Report.id == SupportReferral.report_id)
        .where(SupportReferral.closed_at <= cutoff)
        .order_by(SupportReferral.closed_at, SupportReferral.id)
    )
    for referral_id, reference, closed_at in rows:
        if closed_at is not None:  # the WHERE excludes NULL; this tells the type checker
            yield Candidate(RecordType.referral, str(referral_id), reference, closed_at)


def _consents(session: Session, cutoff: datetime) -> Iterator[Candidate]:
    rows = session.execute(
        select(Consent.id, Report.reference, Consent.withdrawn_at)
        .join(Report, Report.id == Consent.report_id)
        .where(Consent.withdrawn_at <= cutoff)
        .order_by(Consent.withdrawn_at, Consent.id)
    )
    for consent_id, reference, withdrawn_at in rows:
        if withdrawn_at is not None:
            yield Candidate(RecordType.consent_record, str(consent_id), reference, withdrawn_at)


def _users(session: Session, cutoff: datetime) -> Iterator[Candidate]:
    last_used = func.coalesce(User.last_login_at, User.created_at)
    rows = session.execute(
        select(User.id, last_used).where(last_used <= cutoff).order_by(last_used, User.id)
    )
    for user_id, used_at in rows:
        yield Candidate(RecordType.user_account, str(user_id), None, used_at)


def _ledger(session: Session, cutoff: datetime) -> Iterator[Candidate]:
    # One item for the whole run of entries past their date: entries are never deleted, so
    # the review is of the log as a whole, keyed by the last entry it covers.
    last = session.execute(
        select(LedgerEntry.seq, LedgerEntry.recorded_at)
        .where(LedgerEntry.recorded_at <= cutoff)
        .order_by(LedgerEntry.seq.desc())
        .limit(1)
    ).first()
    if last is not None:
        yield Candidate(RecordType.ledger_reference, f"through-{last[0]}", None, last[1])


def _feedback(session: Session, cutoff: datetime) -> Iterator[Candidate]:
    # A victim's answer keeps only its day and names nothing; an advocate's names its
    # referral, whose report a legal hold can keep it for (none once the referral is gone).
    rows = session.execute(
        select(Feedback.id, Report.reference, Feedback.given_on)
        .outerjoin(SupportReferral, SupportReferral.id == Feedback.referral_id)
        .outerjoin(Report, Report.id == SupportReferral.report_id)
        .where(Feedback.given_on <= cutoff.date())
        .order_by(Feedback.given_on, Feedback.id)
    )
    for feedback_id, reference, given_on in rows:
        given_at = datetime.combine(given_on, time(0), tzinfo=UTC)
        yield Candidate(RecordType.feedback, str(feedback_id), reference, given_at)


_FINDERS = {
    RecordType.report: _reports,
    RecordType.sealed_field: _sealed_fields,
    RecordType.draft: _drafts,
    RecordType.decision: _decisions,
    RecordType.referral: _referrals,
    RecordType.consent_record: _consents,
    RecordType.user_account: _users,
    RecordType.ledger_reference: _ledger,
    RecordType.feedback: _feedback,
}

_DELETABLE: dict[
    RecordType, type[ReportDraft] | type[SupportReferral] | type[Consent] | type[Feedback]
] = {
    RecordType.draft: ReportDraft,
    RecordType.referral: SupportReferral,
    RecordType.consent_record: Consent,
    RecordType.feedback: Feedback,
}


def delete(session: Session, candidate: Candidate) -> bool:
    """Delete a draft, referral, consent record or feedback answer; False if it was already
    gone."""
    row = session.get(_DELETABLE[candidate.record_type], int(candidate.record_key))
    if row is None:
        return False
    session.delete(row)
    return True
