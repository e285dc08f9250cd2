"""Reporting services the web layer and CLI call: intake, search, audited reads, updates,
anonymous return, consent (re-exported from `consent`) and erasure.

Plain functions, session first, keyword-only (STYLE.md). They flush and never commit; a
request or CLI command commits once at its edge. Sealed answers go to the vault under the
report's random `public_id`; nothing here returns them except the `reveal_*` functions,
which need an authorised role and a stated reason and publish a `vault.read` per field.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor, Permission
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError
from safeshare.events import EventKind
from safeshare.reporting import passphrases, sealed_access, victim_view, victims_code
from safeshare.reporting.access import (
    can_see,
    publish_report_event,
    report_for,
    stated_reason,
)
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.consent import (
    PolicyConsent,
    active_consents,
    consents_for_policy,
    grant_consent,
    record_consent,
    withdraw,
    withdraw_consent,
)
from safeshare.reporting.errors import (
    ReportErasedError,
    ReportingPermissionError,
    ReportNotFoundError,
)
from safeshare.reporting.facts import (
    SubjectFacts,
    append_fact,
    record_fact,
    subject_facts,
    visible_subject_facts,
)
from safeshare.reporting.models import Report, ReportUpdate
from safeshare.reporting.references import new_reference, normalise_reference, reference_prefix
from safeshare.reporting.schemas import (
    AnonymousReportCreate,
    AnonymousReturn,
    ErasureResult,
    OfficerReportCreate,
    PublicReportCreate,
    ReportPage,
    ReportQuery,
    ReportRead,
    ReportReceipt,
    ReportSummary,
    ThirdPartyReportCreate,
    UpdateCreate,
    UpdateRead,
)
from safeshare.reporting.victims_code import meet_referral_right
from safeshare.reporting.vocabulary import (
    IDENTITY_FIELDS,
    CaseStatus,
    ConsentMethod,
    FactSource,
    Pathway,
    SealedField,
    SubjectFact,
    SubjectRole,
)
from safeshare.vault import service as vault
from safeshare.vault.service import KeyProvider

__all__ = [
    "REFERRABLE_FIELDS",
    "PolicyConsent",
    "SubjectFacts",
    "add_update",
    "consents_for_policy",
    "create_report",
    "erase_report",
    "find_report_id",
    "get_report",
    "get_report_or_raise",
    "meet_referral_right",
    "record_consent",
    "record_fact",
    "reveal_referred_fields",
    "reveal_sealed_fields",
    "reveal_update_text",
    "search_reports",
    "subject_facts",
    "submit_anonymous_return",
    "verify_anonymous_reporter",
    "visible_subject_facts",
    "withdraw_consent",
]

AnyReportCreate = (
    PublicReportCreate | OfficerReportCreate | ThirdPartyReportCreate | AnonymousReportCreate
)
PUBLIC = "public"


# --- helpers -------------------------------------------------------------------------------


def _unique_reference(session: Session) -> str:
    for _ in range(8):
        reference = new_reference()
        if session.scalar(select(Report.id).where(Report.reference == reference)) is None:
            return reference
    raise RuntimeError("could not allocate a unique report reference")


def _update_field(update: ReportUpdate) -> str:
    return f"update.{update.public_id}"


# --- intake --------------------------------------------------------------------------------


_INTAKE_METHOD: dict[Pathway, ConsentMethod] = {
    Pathway.public_online: ConsentMethod.public_online,
    Pathway.anonymous: ConsentMethod.anonymous_online,
    Pathway.third_party: ConsentMethod.third_party_advocate,
}


# Where the intake's role fact comes from: the reporter's own word, the officer who took
# it, or the support organisation that reported for her.
_INTAKE_SOURCE: dict[Pathway, FactSource] = {
    Pathway.public_online: FactSource.victim_account,
    Pathway.anonymous: FactSource.victim_account,
    Pathway.officer: FactSource.officer_enquiry,
    Pathway.third_party: FactSource.support_organisation,
}


def _check_intake(payload: AnyReportCreate, actor: Actor, config: ReportingConfig) -> None:
    if isinstance(payload, OfficerReportCreate) and not actor.can(Permission.REPORT_CREATE_OFFICER):
        raise ReportingPermissionError("Only officers can take a report on this pathway")
    if isinstance(payload, ThirdPartyReportCreate) and (
        actor.role is not Role.advocate or actor.organisation_id is None
    ):
        raise ReportingPermissionError("Only an advocate of a support organisation can do this")
    if isinstance(payload, AnonymousReportCreate):
        chosen = passphrases.normalise(payload.passphrase.get_secret_value())
        if len(chosen) < config.passphrase_min_chars:
            raise InvalidInputError(
                f"Passphrase must be at least {config.passphrase_min_chars} characters",
                field="passphrase",
            )


def create_report(
    session: Session,
    *,
    payload: AnyReportCreate,
    actor: Actor,
    provider: KeyProvider,
    config: ReportingConfig,
    now: datetime | None = None,
) -> ReportReceipt:
    """Take a report on any of the four pathways; sensitive answers are sealed, never stored plain.

    Public and anonymous reports record no submitter whoever is signed in; officer reports
    need an intake role; third-party reports need an advocate with an organisation.
    """
    _check_intake(payload, actor, config)
    now = now or utcnow()
    pathway = Pathway(payload.pathway)
    is_staff_pathway = pathway in (Pathway.officer, Pathway.third_party)
    report = Report(
        public_id=uuid.uuid4().hex,
        reference=_unique_reference(session),
        pathway=pathway.value,
        crime_type=payload.crime_type.value,
        status=CaseStatus.new.value,
        occurred_from=payload.occurred_from,
        occurred_to=payload.occurred_to,
        reported_at=now,
        area=payload.area,
        has_enhanced_rights=payload.is_vulnerable_or_intimidated
        or payload.crime_type in config.enhanced_rights_crime_types,
        has_identity=bool(payload.details.given() & IDENTITY_FIELDS),
        sex=payload.monitoring.sex,
        age_band=payload.monitoring.age_band,
        ethnicity_group=payload.monitoring.ethnicity_group,
        nationality_group=payload.monitoring.nationality_group,
        disability=payload.monitoring.disability,
        religion=payload.monitoring.religion,
        sexual_orientation=payload.monitoring.sexual_orientation,
        preferred_language=payload.monitoring.preferred_language,
        immigration_status_category=payload.monitoring.immigration_status_category,
        immigration_abuse=payload.immigration_abuse,
        submitted_by=actor.username if is_staff_pathway else None,
        submitted_by_organisation_id=actor.organisation_id
        if pathway is Pathway.third_party
        else None,
        # The officer who takes a report works it (and their team) until a supervisor reassigns.
        assigned_to=actor.username if pathway is Pathway.officer else None,
        assigned_team=actor.team if pathway is Pathway.officer else None,
        passphrase_hash=passphrases.hash_passphrase(
            payload.passphrase.get_secret_value(), config.argon2
        )
        if isinstance(payload, AnonymousReportCreate)
        else None,
        created_at=now,
    )
    session.add(report)
    session.flush()
    vault.seal_values(
        session, provider=provider, subject=report.public_id, values=payload.details.values()
    )
    victims_code.open_rights(session, report=report, config=config, now=now)
    by = actor.username if is_staff_pathway else PUBLIC
    publish_report_event(session, EventKind.REPORT_CREATED, by, report, pathway=pathway.value)
    method = (
        ConsentMethod(payload.consent_method)
        if isinstance(payload, OfficerReportCreate)
        else _INTAKE_METHOD[pathway]
    )
    for grant in payload.consents:
        grant_consent(session, report, grant, method=method, by=by, at=now, config=config)
    if payload.subject_role is not SubjectRole.victim:  # a report's subject is its victim
        append_fact(
            session,
            report,
            fact=SubjectFact.role,
            value=payload.subject_role,
            source=_INTAKE_SOURCE[pathway],
            by=by,
            by_role=str(actor.role) if is_staff_pathway else PUBLIC,
            at=now,
        )
    session.flush()
    return ReportReceipt(
        report_id=report.id,
        reference=report.reference,
        pathway=pathway,
        reported_at=report.reported_at,
    )


# --- reading -------------------------------------------------------------------------------


def find_report_id(session: Session, *, reference: str) -> int | None:
    """The id of the report with this reference (typed loosely), or None."""
    canonical = normalise_reference(reference)
    if canonical is None:
        return None
    return session.scalar(select(Report.id).where(Report.reference == canonical))


def get_report(session: Session, *, report_id: int, actor: Actor) -> ReportRead | None:
    """The report page's unsealed contents, or None if missing or not visible to `actor`."""
    report = session.get(Report, report_id)
    if report is None or not can_see(report, actor):
        return None
    # The public form says nationality is used only for statistics: no case page shows it
    # (oversight counts the column directly, after disclosure control).
    return ReportRead.model_validate(report).model_copy(update={"nationality_group": None})


def get_report_or_raise(session: Session, *, report_id: int, actor: Actor) -> ReportRead:
    """As `get_report`, raising `ReportNotFoundError` instead of returning None."""
    report = get_report(session, report_id=report_id, actor=actor)
    if report is None:
        raise ReportNotFoundError("That report does not exist")
    return report


def search_reports(
    session: Session, *, query: ReportQuery, actor: Actor, config: ReportingConfig
) -> ReportPage:
    """A page of reports matching unsealed filters, newest first (sealed fields: not searchable)."""
    if actor.role is None:
        raise ReportingPermissionError("Sign in to see reports")
    conditions = []
    if actor.role is Role.advocate:
        if actor.organisation_id is None:  # never `IS NULL`, which would match every report
            raise ReportingPermissionError("Your account is not linked to a support organisation")
        conditions.append(Report.submitted_by_organisation_id == actor.organisation_id)
    if query.reference:
        conditions.append(Report.reference.startswith(reference_prefix(query.reference)))
    for column, value in (
        (Report.crime_type, query.crime_type),
        (Report.pathway, query.pathway),
        (Report.status, query.status),
    ):
        if value is not None:
            conditions.append(column == value.value)
    if query.area:
        conditions.append(func.lower(Report.area) == query.area.lower())
    zone = ZoneInfo(config.timezone)
    if query.reported_from:
        conditions.append(Report.reported_at >= datetime.combine(query.reported_from, time(), zone))
    if query.reported_to:
        end = datetime.combine(query.reported_to + timedelta(days=1), time(), zone)
        conditions.append(Report.reported_at < end)
    if not query.include_erased:
        conditions.append(Report.erased_at.is_(None))
    page_size = query.page_size or config.page_size_default
    total = session.scalar(select(func.count()).select_from(Report).where(*conditions)) or 0
    rows = session.scalars(
        select(Report)
        .where(*conditions)
        .order_by(Report.reported_at.desc(), Report.id.desc())
        .limit(page_size)
        .offset((query.page - 1) * page_size)
    )
    return ReportPage(
        items=[ReportSummary.model_validate(r) for r in rows],
        total=total,
        page=query.page,
        page_size=page_size,
    )


def reveal_sealed_fields(
    session: Session,
    *,
    report_id: int,
    fields: Sequence[SealedField],
    actor: Actor,
    reason: str,
    provider: KeyProvider,
    config: ReportingConfig,
) -> dict[SealedField, str | None]:
    """Decrypt chosen sealed fields for an authorised role with a stated reason (each audited).

    Least privilege (`sealed_access.authorise_read`): only reports assigned to the actor or
    their team, or under a grant; rate-limited per user.
    """
    report = report_for(
        session,
        report_id=report_id,
        actor=actor,
        permission=Permission.REPORT_READ,
        allow_erased=False,
    )
    reason = stated_reason(reason)
    sealed_access.authorise_read(
        session, report=report, actor=actor, fields=[SealedField(f) for f in fields], config=config
    )
    values = vault.reveal_values(
        session,
        provider=provider,
        subject=report.public_id,
        fields=[SealedField(f).value for f in fields],
        actor=actor.username,
        reason=reason,
        audit={"report_id": report.id, "reference": report.reference, "role": str(actor.role)},
    )
    return {SealedField(k): v for k, v in values.items()}


# What a support organisation may ever read of a report it was referred: who the victim is
# (name), how to reach them safely, and their own account. Never immigration status,
# nationality, health, date of birth or address, whatever a caller asks for.
REFERRABLE_FIELDS: frozenset[SealedField] = frozenset(
    {SealedField.name, SealedField.contact_details, SealedField.safe_contact, SealedField.account}
)
_VICTIM_SUPPORT = "victim_support"  # ConsentPurpose value


def reveal_referred_fields(
    session: Session,
    *,
    report_id: int,
    referral_id: int,
    fields: Sequence[SealedField],
    actor: Actor,
    reason: str,
    provider: KeyProvider,
    config: ReportingConfig,
) -> dict[SealedField, str | None]:
    """Decrypt sealed fields for the advocate of an organisation the victim was referred to.

    The support feature (`support.sharing.reveal_referred_fields`) has checked that the
    actor's organisation holds the open referral `referral_id` of this report and maps its
    Firewall-disclosed categories to `fields`. Here, whatever the caller: only an advocate
    with an organisation, only `REFERRABLE_FIELDS`, only while the victim's `victim_support`
    consent is in force, on a live report, with a stated reason; each field read is a
    `vault.read` event (so a ledger entry) naming the referral.
    """
    if actor.role is not Role.advocate or actor.organisation_id is None:
        raise ReportingPermissionError("Only an advocate of a support organisation can do this")
    refused = [f for f in fields if SealedField(f) not in REFERRABLE_FIELDS]
    if refused:
        raise ReportingPermissionError("A referral never shares these details")
    reason = stated_reason(reason)
    report = session.get(Report, report_id)
    if report is None:
        raise ReportNotFoundError("That report does not exist")
    if report.erased_at is not None:
        raise ReportErasedError("That report has been erased")
    if not any(
        c["purpose"] == _VICTIM_SUPPORT and not c["withdrawn"]
        for c in consents_for_policy(session, report.id)
    ):
        raise ReportingPermissionError(
            "The victim has not agreed, or no longer agrees, to be referred to support"
        )
    values = vault.reveal_values(
        session,
        provider=provider,
        subject=report.public_id,
        fields=[SealedField(f).value for f in fields],
        actor=actor.username,
        reason=reason,
        audit={
            "report_id": report.id,
            "reference": report.reference,
            "role": str(actor.role),
            "organisation_id": actor.organisation_id,
            "referral_id": referral_id,
        },
    )
    return {SealedField(k): v for k, v in values.items()}


def reveal_update_text(
    session: Session,
    *,
    update_id: int,
    actor: Actor,
    reason: str,
    provider: KeyProvider,
    config: ReportingConfig,
) -> str | None:
    """Decrypt one update's text, on the same terms as `reveal_sealed_fields`."""
    update = session.get(ReportUpdate, update_id)
    if update is None:
        raise ReportNotFoundError("That update does not exist")
    report = report_for(
        session,
        report_id=update.report_id,
        actor=actor,
        permission=Permission.REPORT_READ,
        allow_erased=False,
    )
    reason = stated_reason(reason)
    sealed_access.authorise_read(
        session, report=report, actor=actor, fields=[SealedField.account], config=config
    )
    field = _update_field(update)
    return vault.reveal_values(
        session,
        provider=provider,
        subject=report.public_id,
        fields=[field],
        actor=actor.username,
        reason=reason,
        audit={
            "report_id": report.id,
            "reference": report.reference,
            "role": str(actor.role),
            "update_id": update.id,
        },
    )[field]


# --- updates -------------------------------------------------------------------------------


def _add_update_row(
    session: Session,
    report: Report,
    *,
    kind: str,
    text: str | None,
    by: str,
    at: datetime,
    provider: KeyProvider,
    payload: UpdateCreate | None = None,
) -> ReportUpdate:
    update = ReportUpdate(
        public_id=uuid.uuid4().hex,
        kind=kind,
        key_decision=payload.key_decision.value if payload and payload.key_decision else None,
        new_status=payload.new_status.value if payload and payload.new_status else None,
        has_text=text is not None,
        created_at=at,
        created_by=by,
    )
    report.updates.append(update)
    session.flush()
    if text is not None:
        vault.seal_values(
            session,
            provider=provider,
            subject=report.public_id,
            values={_update_field(update): text},
        )
    publish_report_event(
        session,
        EventKind.REPORT_UPDATE_ADDED,
        by,
        report,
        update_id=update.id,
        update_kind=kind,
        key_decision=update.key_decision,
        new_status=update.new_status,
    )
    return update


def add_update(
    session: Session,
    *,
    report_id: int,
    payload: UpdateCreate,
    actor: Actor,
    provider: KeyProvider,
    config: ReportingConfig,
    now: datetime | None = None,
) -> UpdateRead:
    """Add an officer's update; a key decision starts a Right 6 clock, a status moves the case.

    `payload.is_for_victim` makes it an update written for the victim, shown in her own view
    (`victim_view`); other updates are internal case notes she never sees.
    """
    report = report_for(
        session,
        report_id=report_id,
        actor=actor,
        permission=Permission.CASE_UPDATE,
        allow_erased=False,
    )
    now = now or utcnow()
    update = _add_update_row(
        session,
        report,
        kind=victim_view.VICTIM_UPDATE if payload.is_for_victim else "officer_update",
        text=payload.text,
        by=actor.username,
        at=now,
        provider=provider,
        payload=payload,
    )
    if payload.new_status is not None:
        report.status = payload.new_status.value
    if payload.key_decision is not None:
        victims_code.schedule_decision_update(
            report, decision=payload.key_decision, decided_at=now, config=config
        )
    session.flush()
    return UpdateRead.model_validate(update)


# --- anonymous return ----------------------------------------------------------------------


def verify_anonymous_reporter(
    session: Session,
    *,
    reference: str,
    passphrase: str,
    config: ReportingConfig,
    now: datetime | None = None,
) -> int | None:
    """The report id when reference and passphrase match a report that has a passphrase
    (anonymous ones, and any other pathway's whose reporter chose one), else None.

    Missing, erased and wrong look and take the same (one passphrase check each). Nothing
    locks the report: repeated failures are slowed per client by the web layer
    (`auth.throttle`), so knowing a reference is not enough to lock its reporter out.
    """
    canonical = normalise_reference(reference)
    report = (
        session.scalars(
            select(Report).where(
                Report.reference == canonical,
                Report.passphrase_hash.is_not(None),
                Report.erased_at.is_(None),
            )
        ).one_or_none()
        if canonical
        else None
    )
    stored = report.passphrase_hash if report is not None else None
    if not passphrases.verify_passphrase(stored, passphrase, config.argon2):
        return None
    assert report is not None and stored is not None
    if passphrases.needs_rehash(stored, config.argon2):
        report.passphrase_hash = passphrases.hash_passphrase(passphrase, config.argon2)
    session.flush()
    return report.id


def submit_anonymous_return(
    session: Session,
    *,
    payload: AnonymousReturn,
    provider: KeyProvider,
    config: ReportingConfig,
    now: datetime | None = None,
) -> ReportReceipt | None:
    """An anonymous reporter adds information, contact arrangements or consents; None if the
    reference and passphrase do not match (commit anyway, to keep the failure count)."""
    now = now or utcnow()
    report_id = verify_anonymous_reporter(
        session,
        reference=payload.reference,
        passphrase=payload.passphrase.get_secret_value(),
        config=config,
        now=now,
    )
    if report_id is None:
        return None
    report = session.get_one(Report, report_id)
    if payload.information is not None:
        _add_update_row(
            session,
            report,
            kind="victim_information",
            text=payload.information,
            by=PUBLIC,
            at=now,
            provider=provider,
        )
    contact = {
        SealedField.contact_details.value: payload.contact_details,
        SealedField.safe_contact.value: payload.safe_contact,
    }
    given = {k: v for k, v in contact.items() if v is not None}
    if given:
        vault.seal_values(session, provider=provider, subject=report.public_id, values=given)
        report.has_identity = report.has_identity or payload.contact_details is not None
    for purpose in payload.withdraw_purposes:
        for consent in active_consents(report, purpose):
            withdraw(
                session, report, consent, method=ConsentMethod.anonymous_return, by=PUBLIC, at=now
            )
    for grant in payload.consents:
        grant_consent(
            session,
            report,
            grant,
            method=ConsentMethod.anonymous_return,
            by=PUBLIC,
            at=now,
            config=config,
        )
    session.flush()
    return ReportReceipt(
        report_id=report.id,
        reference=report.reference,
        pathway=Pathway(report.pathway),
        reported_at=report.reported_at,
    )


# --- erasure -------------------------------------------------------------------------------


def erase_report(
    session: Session,
    *,
    reference: str,
    actor: Actor,
    reason: str,
    provider: KeyProvider,
    config: ReportingConfig,
    now: datetime | None = None,
) -> ErasureResult:
    """Crypto-shred a report: destroy its data key, drop the passphrase and monitoring answers.

    With `erasure_rotates_key` it also rotates the KEK; after this commits, the caller runs
    `safeshare.vault.service.retire_unused_keys` in a new unit of work so backups that still
    hold the old wrapped data key can no longer be opened.
    """
    if not actor.can(Permission.REPORT_ERASE):
        raise ReportingPermissionError("Only an administrator can erase a report")
    reason = stated_reason(reason)
    report_id = find_report_id(session, reference=reference)
    report = session.get(Report, report_id) if report_id is not None else None
    if report is None:
        raise ReportNotFoundError("That report does not exist")
    if report.erased_at is not None:
        raise ReportErasedError("That report has already been erased")
    now = now or utcnow()
    vault.destroy_data_key(session, subject=report.public_id, actor=actor.username)
    report.passphrase_hash = None
    report.area = None
    report.sex = report.age_band = report.ethnicity_group = report.nationality_group = None
    report.disability = report.religion = report.sexual_orientation = None
    report.preferred_language = report.immigration_status_category = None
    report.immigration_abuse = None
    report.has_identity = False
    report.status = CaseStatus.erased.value
    report.erased_at, report.erased_by = now, actor.username
    victims_code.close_rights_on_erasure(report)
    for consent in report.consents:  # agency names are free text: gone with the report
        consent.agency_name = consent.agency_salt = None
    session.flush()
    # The reason outlives the report (it is the audit of the erasure), sealed on its own so it
    # can be shredded by itself; the ledger holds only its reference and salted hash.
    note = vault.seal_note(
        session, provider=provider, subject=f"erasure.{report.public_id}", text=reason
    )
    publish_report_event(session, EventKind.REPORT_ERASED, actor.username, report, **note)
    rotated = (
        vault.rotate(session, provider=provider, actor=actor.username)
        if config.erasure_rotates_key
        else None
    )
    return ErasureResult(
        reference=report.reference,
        erased_at=now,
        rotated_key_id=rotated.key_id if rotated else None,
        rewrapped=rotated.rewrapped if rotated else 0,
    )
