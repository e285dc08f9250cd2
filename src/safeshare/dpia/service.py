"""Gather a DPIA draft's facts from the live configuration and database.

A read-only window like oversight's: regimes from the Cedar policy texts, recipients and
regimes in use from recorded decisions and disclosures, measured figures from the ledger
(entries counted by kind), retention from the schedule in force, key management and sealed
readers from settings. It is a draft for the force's data protection officer to complete:
it states what the system does, not whether that is lawful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Permission, allows, roles_with
from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.db.base import utcnow
from safeshare.ledger.models import LedgerEntry
from safeshare.policy.lawful_basis import BASIS_LABELS
from safeshare.policy.models import PolicyDecision, PolicyDisclosure, RegimeAssignment
from safeshare.policy.regimes import load_regimes
from safeshare.policy.schemas import Category, Purpose
from safeshare.reporting.vocabulary import SealedField
from safeshare.retention.config import Schedule
from safeshare.retention.vocabulary import AGE_FROM, RecordType

_STATEMENT = re.compile(r"\b(permit|forbid)\s*\((.*?)\)\s*(?:when|unless|;)", re.S)
_AGENCY = re.compile(r'Agency::"(\w+)"')
ANY_AGENCY = "any agency the conditions allow"


@dataclass(frozen=True)
class RegimeRecipients:
    name: str
    title: str
    policy_hash: str
    # Agencies a `permit` policy names as principal (or ANY_AGENCY when it names none).
    permitted_agencies: tuple[str, ...]
    in_use: bool


@dataclass(frozen=True)
class Recipient:
    organisation: str
    agency: str
    regime: str
    disclosures: int


@dataclass(frozen=True)
class DpiaDraft:
    force: str
    generated_at: datetime
    categories: tuple[str, ...]
    sealed_fields: tuple[str, ...]
    purposes: tuple[str, ...]
    lawful_bases: tuple[str, ...]
    regimes: tuple[RegimeRecipients, ...]
    recipients: tuple[Recipient, ...]
    retention: tuple[tuple[str, int, str, str], ...]  # type, days, counted from, action
    schedule_sha256: str
    key_management: tuple[tuple[str, str], ...]
    sealed_readers: tuple[tuple[str, str], ...]  # role, on which reports
    ledger_counts: tuple[tuple[str, int], ...]


def permitted_agencies(policy_text: str) -> tuple[str, ...]:
    """Agencies named as principal by the `permit` statements of a Cedar policy text."""
    found: dict[str, None] = {}
    for effect, scope in _STATEMENT.findall(policy_text):
        if effect != "permit":
            continue
        agencies = _AGENCY.findall(scope)
        found.update(dict.fromkeys(agencies or [ANY_AGENCY]))
    return tuple(found)


def _reads(role: Role) -> str:
    if allows(role, Permission.SEALED_READ_ANY_REPORT):
        return "any report"
    if role is Role.advocate:
        return "reports their organisation submitted, and referred details of referred reports"
    extra = ", or unassigned ones" if allows(role, Permission.SEALED_READ_UNASSIGNED) else ""
    return f"reports assigned to them or their team{extra}, or under an approved grant"


def gather(session: Session, *, settings: Settings, schedule: Schedule) -> DpiaDraft:
    """Every fact the draft states, read now."""
    used = set(session.scalars(select(PolicyDecision.regime).distinct()))
    used |= set(session.scalars(select(RegimeAssignment.regime).distinct()))
    regimes = tuple(
        RegimeRecipients(
            name=r.name,
            title=r.title,
            policy_hash=r.policy_hash,
            permitted_agencies=permitted_agencies(r.source.policy_text),
            in_use=r.name in used,
        )
        for r in load_regimes().values()
    )
    rows = session.execute(
        select(
            func.coalesce(PolicyDisclosure.recipient_organisation, "(not recorded)"),
            PolicyDisclosure.agency,
            PolicyDisclosure.regime,
            func.count(),
        )
        .group_by(
            PolicyDisclosure.recipient_organisation,
            PolicyDisclosure.agency,
            PolicyDisclosure.regime,
        )
        .order_by(PolicyDisclosure.regime, PolicyDisclosure.agency)
    )
    recipients = tuple(Recipient(o, a, r, int(n)) for o, a, r, n in rows)
    counts = session.execute(
        select(LedgerEntry.kind, func.count()).group_by(LedgerEntry.kind).order_by(LedgerEntry.kind)
    )
    # Sealed fields are read by whoever may open reports (the old `sealed_read_roles`).
    readers = [(str(role), _reads(role)) for role in sorted(roles_with(Permission.REPORT_READ))]
    return DpiaDraft(
        force=settings.force_name,
        generated_at=utcnow(),
        categories=tuple(str(c) for c in Category),
        sealed_fields=tuple(str(f) for f in SealedField),
        purposes=tuple(str(p) for p in Purpose),
        lawful_bases=tuple(BASIS_LABELS.values()),
        regimes=regimes,
        recipients=recipients,
        retention=tuple(
            (
                t.value,
                schedule.rule(t).period.days,
                AGE_FROM[t],
                schedule.rule(t).action.value,
            )
            for t in RecordType
        ),
        schedule_sha256=schedule.sha256,
        key_management=(
            ("Vault key-encryption keys", settings.vault.provider),
            ("Ledger checkpoint signing key", settings.ledger_key_provider),
            ("Ledger witnesses required", str(settings.ledger_witness_quorum)),
        ),
        sealed_readers=tuple(readers),
        ledger_counts=tuple((kind, int(n)) for kind, n in counts),
    )
