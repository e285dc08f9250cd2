"""Produce a subject access bundle for the person a report is about.

A read-only window like oversight's: the report's own rows are read here, sealed fields only
through the vault's audited read (one `vault.read` ledger entry per field), decisions and
disclosures through the policy service, referrals through support's. Ledger references are
the sequence numbers of entries that name the report. Nothing about any other report is
read into the bundle. The bundle is recorded (who, how identity was verified, exemptions
and reasons, its SHA-256) and published by reference only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Permission, demand
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.holds import service as holds
from safeshare.ledger.models import LedgerEntry
from safeshare.policy import service as policy
from safeshare.reporting.errors import ReportNotFoundError
from safeshare.reporting.models import Report
from safeshare.reporting.schemas import ReportRead
from safeshare.reporting.vocabulary import SealedField
from safeshare.subject_access.models import Rectification, SubjectAccessRecord
from safeshare.support import referrals
from safeshare.vault import service as vault
from safeshare.vault.keys import KeyProvider

_REPORT_FIELDS = (
    "reference",
    "pathway",
    "crime_type",
    "status",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "area",
    "sex",
    "age_band",
    "ethnicity_group",
    "nationality_group",
    "disability",
    "religion",
    "sexual_orientation",
    "preferred_language",
    "immigration_status_category",
    "erased_at",
)
MAX_DECISIONS = 10_000


def _text(value: str, *, field: str, what: str) -> str:
    text = " ".join(value.split())
    if not text or len(text) > 2000:
        raise InvalidInputError(f"Enter {what}, in 2,000 characters or fewer", field=field)
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def produce_bundle(
    session: Session,
    *,
    report_ref: str,
    verification_note: str,
    exemptions: Mapping[str, str],
    actor: str,
    actor_role: Role | None,
    provider: KeyProvider,
    now: datetime | None = None,
) -> tuple[SubjectAccessRecord, dict[str, Any]]:
    """Everything held about the person `report_ref` is about, with `exemptions` applied
    (field path -> reason, e.g. {"sealed.account": "..."}); refused without a verification
    note, or with an exemption naming a field the bundle does not hold."""
    demand(actor_role, Permission.SUBJECT_ACCESS, "produce subject access")
    note = _text(
        verification_note, field="verification_note", what="how the person's identity was verified"
    )
    report = _report(session, report_ref)
    reference = report.reference
    bundle = _gather(session, report, actor=actor, provider=provider)
    reasons = {
        path: _text(reason, field="exemptions", what=f"the reason for exempting {path}")
        for path, reason in exemptions.items()
    }
    _apply_exemptions(bundle, reasons)
    digest = hashlib.sha256(json.dumps(bundle, sort_keys=True).encode()).hexdigest()
    record = SubjectAccessRecord(
        report_ref=reference,
        verification_note=note,
        exemptions=reasons,
        bundle_sha256=digest,
        produced_by=actor,
        produced_at=now or utcnow(),
    )
    session.add(record)
    session.flush()
    bundle["produced"] = {
        "request_id": record.id,
        "produced_at": record.produced_at.isoformat(),
        "produced_by": actor,
        "bundle_sha256": digest,
    }
    publish(
        session,
        DomainEvent(
            kind=EventKind.SUBJECT_ACCESS_PRODUCED,
            actor=actor,
            data={
                "request_id": record.id,
                "report_ref": reference,
                "exempted": sorted(reasons),
                "bundle_sha256": digest,
            },
        ),
    )
    return record, bundle


def rectify_sealed_field(
    session: Session,
    *,
    report_ref: str,
    field: SealedField | str,
    value: str,
    reason: str,
    actor: str,
    actor_role: Role | None,
    provider: KeyProvider,
    now: datetime | None = None,
) -> Rectification:
    """Correct one sealed field at the person's request (UK GDPR Art.16, DPA 2018 s.46):
    the vault re-seals it; the correction is recorded and published by field name and the
    reason's hash, never the values."""
    demand(actor_role, Permission.SUBJECT_ACCESS, "rectify records")
    try:
        name = SealedField(field)
    except ValueError:
        raise InvalidInputError("Select the detail to correct", field="field") from None
    corrected = " ".join(value.split())
    if not corrected:
        raise InvalidInputError("Enter the corrected detail", field="value")
    stated = _text(reason, field="reason", what="why the detail is corrected")
    report = _report(session, report_ref)
    if report.erased_at is not None or vault.is_destroyed(session, subject=report.public_id):
        raise InvalidInputError("That report has been erased", field="report_ref")
    vault.seal_values(
        session, provider=provider, subject=report.public_id, values={name: corrected}
    )
    record = Rectification(
        report_ref=report.reference,
        field=str(name),
        reason=stated,
        rectified_by=actor,
        rectified_at=now or utcnow(),
    )
    session.add(record)
    session.flush()
    publish(
        session,
        DomainEvent(
            kind=EventKind.SUBJECT_ACCESS_RECTIFIED,
            actor=actor,
            data={
                "rectification_id": record.id,
                "report_ref": report.reference,
                "field": str(name),
                "reason_sha256": hashlib.sha256(stated.encode()).hexdigest(),
            },
        ),
    )
    return record


def _report(session: Session, report_ref: str) -> Report:
    reference = report_ref.strip().upper()
    report = session.scalars(select(Report).where(Report.reference == reference)).first()
    if report is None:
        raise ReportNotFoundError("There is no report with that reference")
    return report


def _gather(
    session: Session, report: Report, *, actor: str, provider: KeyProvider
) -> dict[str, Any]:
    read = ReportRead.model_validate(report)
    sealed: dict[str, Any] = {}
    if report.erased_at is None and not vault.is_destroyed(session, subject=report.public_id):
        values = vault.reveal_values(
            session,
            provider=provider,
            subject=report.public_id,
            fields=[f.value for f in SealedField],
            actor=actor,
            reason="Subject access request",
            audit={"report_id": report.id, "reference": report.reference, "role": "subject_access"},
        )
        sealed = {k: v for k, v in values.items() if v is not None}
    decisions = policy.list_decisions(session, report_ref=report.reference, limit=MAX_DECISIONS)
    disclosures = policy.list_disclosures(session, report_ref=report.reference, limit=MAX_DECISIONS)
    return {
        "subject": {"report_ref": report.reference},
        "report": {f: _plain(getattr(report, f)) for f in _REPORT_FIELDS},
        "sealed": sealed,
        "consents": [c.model_dump(mode="json") for c in read.consents],
        "victims_code": [r.model_dump(mode="json") for r in read.rights],
        "updates": [u.model_dump(mode="json") for u in read.updates],
        "decisions": [
            {
                "id": d.id,
                "requested_at": d.requested_at.isoformat(),
                "agency": d.request["requester"]["agency"],
                "purpose": d.request["requester"]["purpose"],
                "outcome": d.outcome,
                "disclose": d.disclose,
                "withhold": d.withhold,
                "reasons": [r["text"] for r in d.reasons],
            }
            for d in decisions
        ],
        "disclosures": [
            {
                "id": d.id,
                "decision_id": d.decision_id,
                "sent_at": d.sent_at.isoformat(),
                "agency": d.agency,
                "recipient_organisation": d.recipient_organisation,
                "categories": d.categories,
                "lawful_basis": d.lawful_basis,
                "processing_condition": d.processing_condition,
                "onward_use_condition": d.onward_use_condition,
            }
            for d in disclosures
        ],
        "referrals": [
            {
                "id": r.id,
                "service": r.service.name,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
                "closed_at": _plain(r.closed_at),
                "outcome": r.outcome,
                "shared_categories": r.shared_categories,
            }
            for r in referrals.list_referrals_for_report(session, report_id=report.id)
        ],
        "holds_and_restrictions": [
            {"id": h.id, "kind": h.kind, "set_at": h.set_at.isoformat(), "is_active": h.is_active}
            for h in holds.list_holds(session, include_lifted=True)
            if h.report_ref == report.reference
        ],
        "rectifications": [
            {"id": r.id, "field": r.field, "rectified_at": r.rectified_at.isoformat()}
            for r in session.scalars(
                select(Rectification)
                .where(Rectification.report_ref == report.reference)
                .order_by(Rectification.id)
            )
        ],
        "ledger_references": ledger_references(session, report.reference, report.public_id),
    }


def ledger_references(session: Session, reference: str, vault_subject: str) -> list[int]:
    """Sequence numbers of the ledger entries that name the report, by its reference or its
    vault subject (sealed reads and shredding name the latter)."""
    needles = [json.dumps(reference).encode(), json.dumps(vault_subject).encode()]
    rows = session.execute(select(LedgerEntry.seq, LedgerEntry.entry).order_by(LedgerEntry.seq))
    return [int(seq) for seq, data in rows if any(n in bytes(data) for n in needles)]


def _apply_exemptions(bundle: dict[str, Any], reasons: Mapping[str, str]) -> None:
    """Replace each exempted field with the reason it is withheld, or refuse an unknown path
    (`section.key`, where key is a field name or a record's id)."""
    for path, reason in reasons.items():
        section, _, key = path.partition(".")
        part = bundle.get(section)
        withheld = {"exempt": True, "reason": reason}
        if isinstance(part, dict) and key in part:
            part[key] = withheld
            continue
        if isinstance(part, list):
            for index, item in enumerate(part):
                if isinstance(item, dict) and str(item.get("id")) == key:
                    part[index] = {"id": item["id"], **withheld}
                    break
            else:
                part = None
            if part is not None:
                continue
        raise InvalidInputError(
            f"The bundle holds nothing at {path[:80]!r} to exempt", field="exemptions"
        )
