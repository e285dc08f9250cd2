"""The assurance report for a period: every statistics page after disclosure control, the
recommendations tracker, and the ledger's latest signed checkpoint and verification status.

Gathered here, drawn by `pdf`. The web download and `safeshare report assurance` share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.db.base import utcnow
from safeshare.errors import SafeShareError
from safeshare.ledger import service as ledger_service
from safeshare.ledger.startup import ledger_verifier
from safeshare.oversight import recommendations, sections
from safeshare.oversight.presentation import Section, StatTable
from safeshare.oversight.schemas import StatisticsFilters
from safeshare.oversight.vocabulary import label
from safeshare.redaction.small_counts import DisclosurePolicy

REPORT_SECTIONS = (
    "sharing",
    "disclosures",
    "impact",
    "victims-code",
    "support",
    "demand",
    "voice",
    "reports",
    "forces",
)
"""Pages the report includes (the intersectional page needs a chosen breakdown)."""


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str


@dataclass(frozen=True)
class RecommendationLine:
    number: int
    title: str
    recipients: str
    due_on: date
    status: str
    is_overdue: bool


@dataclass(frozen=True)
class LedgerState:
    """The latest signed checkpoint and a quick verification of it, as plain text."""

    checkpoint: str
    tree_size: str
    root_hash: str
    signed_at: str
    verification: str
    problems: tuple[str, ...]
    witnessing: str = "No witnesses required"


@dataclass(frozen=True)
class AssuranceReport:
    filters: StatisticsFilters
    force_label: str
    generated_at: datetime
    key_figures: tuple[KeyFigure, ...]
    sections: tuple[Section, ...]
    recommendations: tuple[RecommendationLine, ...]
    ledger: LedgerState
    policy: DisclosurePolicy


def _figure(table: StatTable, row_key: str, column: str) -> str:
    index = table.column_index(column)
    row = next((r for r in table.rows if r.key == row_key), None)
    return row.figures[index].display if row is not None else "[x]"


def _ledger_state(session: Session, settings: Settings) -> LedgerState:
    latest = ledger_service.latest_checkpoint(session)
    # Set-up and tampering are different findings: a missing key is not evidence of tampering.
    try:
        verifier = ledger_verifier(settings)
    except (SafeShareError, OSError, ValueError):
        verifier = None
    if verifier is None:
        verification = "Not checked: the ledger key is not configured"
        problems: tuple[str, ...] = ()
        witnessing = _witnessing_text(None)
    else:
        status: dict[str, Any] = ledger_service.verification_status(
            session,
            verifiers=[verifier],
            origin=settings.ledger_origin,
            witnesses=[w.verifier for w in settings.ledger_witnesses],
            quorum=settings.ledger_witness_quorum,
        )
        verification = "Checks passed" if status.get("ok") else "Tampering or damage found"
        problems = tuple(str(p) for p in status.get("problems", []))
        witnessing = _witnessing_text(status.get("witnessing"))
    if latest is None:
        checkpoint = tree_size = root_hash = signed_at = "None signed yet"
    else:
        checkpoint = f"#{latest.number}"
        tree_size = f"{latest.tree_size:,} entries"
        root_hash = latest.root_hash.hex()
        signed_at = f"{latest.created_at:%d %B %Y %H:%M} UTC"
    return LedgerState(
        checkpoint=checkpoint,
        tree_size=tree_size,
        root_hash=root_hash,
        signed_at=signed_at,
        verification=verification,
        problems=problems,
        witnessing=witnessing,
    )


def _witnessing_text(witnessing: dict[str, Any] | None) -> str:
    """'Witnessed' or 'Not witnessed', with k of the quorum and who cosigned."""
    if not witnessing or witnessing.get("is_witnessed") is None:
        return "No witnesses required"
    cosigners = list(witnessing.get("cosigners", []))
    label = "Witnessed" if witnessing["is_witnessed"] else "Not witnessed"
    who = f", by {', '.join(cosigners)}" if cosigners else ""
    return f"{label}: {len(cosigners)} of {witnessing['quorum']} required cosignatures{who}"


def build_assurance_report(
    session: Session,
    *,
    filters: StatisticsFilters,
    settings: Settings,
    actor_role: Role | None,
    now: datetime | None = None,
) -> AssuranceReport:
    """Everything the PDF shows for the period, all statistics after disclosure control."""
    now = now or utcnow()
    policy = settings.disclosure_policy()
    context = sections.Context(
        period=filters.period,
        policy=policy,
        now=now,
        home_force=settings.force_name,
        follow_up_days=settings.outcome_follow_up_days,
        dimensions=filters.dimensions,
        measure=filters.measure,
    )
    pages = tuple(sections.BUILDERS[key](session, context) for key in REPORT_SECTIONS)
    by_key = {page.key: page for page in pages}
    tracked = recommendations.list_recommendations(session, actor_role=actor_role)
    today = now.date()
    lines = tuple(
        RecommendationLine(
            number=r.number,
            title=r.title,
            recipients=", ".join(r.recipients),
            due_on=r.response_due_on,
            status=label("recommendation_status", r.status),
            is_overdue=r.is_overdue(today),
        )
        for r in tracked
    )
    figures = [
        KeyFigure(
            "Share requests",
            _figure(by_key["sharing"].table("outcomes"), "total", "total"),
        ),
        KeyFigure(
            "Percentage permitted by policy",
            _figure(by_key["sharing"].table("regimes"), "total", "rate"),
        ),
        KeyFigure(
            "Disclosures to Immigration Enforcement",
            _figure(by_key["disclosures"].table("by_agency"), "immigration_enforcement", "count"),
        ),
        KeyFigure(
            "Of those, percentage followed by enforcement action",
            _figure(by_key["disclosures"].table("after_disclosure"), "total", "rate"),
        ),
        KeyFigure(
            "Disclosures overdue a follow-up",
            _figure(by_key["disclosures"].table("follow_up"), "overdue", "count"),
        ),
    ]
    if by_key["victims-code"].tables:
        figures.append(
            KeyFigure(
                "Victims' Code rights met on time",
                _figure(by_key["victims-code"].table("compliance"), "total", "rate"),
            )
        )
    figures.append(
        KeyFigure(
            "Recommendations overdue a response",
            f"{sum(1 for line in lines if line.is_overdue)} of {len(lines)}",
        )
    )
    ledger = _ledger_state(session, settings)
    figures.append(KeyFigure("Ledger verification", ledger.verification))
    return AssuranceReport(
        filters=filters,
        force_label=filters.force or "All forces",
        generated_at=now,
        key_figures=tuple(figures),
        sections=pages,
        recommendations=lines,
        ledger=ledger,
        policy=policy,
    )
