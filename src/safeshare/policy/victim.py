"""Every share decision about one report, as its reporter sees them, with ledger evidence.

For each decision: who asked (agency and purpose), what happened to each category asked
for and the regime's plain-English reasons, the review's result if a disclosure officer
ruled, and the decision's ledger entry with an RFC 9162 inclusion proof to the latest signed
checkpoint, so her browser (or an advocate, offline) can check the record was not altered.
A reviewer's free-text rationale is not shown: it is staff text, and may name people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from safeshare.ledger import evidence
from safeshare.ledger import service as ledger
from safeshare.ledger.bundle import InclusionProof, write_inclusion_bundle
from safeshare.ledger.evidence import EntryEvidence
from safeshare.ledger.note import NoteVerifier
from safeshare.policy.engine import CategoryState
from safeshare.policy.models import PolicyDecision
from safeshare.policy.schemas import Agency, Category, Purpose
from safeshare.policy.service import explain_decision

DECISION_ENTRY_KIND = "policy.decision"


@dataclass(frozen=True)
class CategoryResult:
    category: Category
    state: CategoryState  # review: still waiting for an officer
    reasons: tuple[str, ...]
    is_ruled_by_officer: bool


@dataclass(frozen=True)
class DecisionForVictim:
    decision_id: int
    requested_at: datetime
    agency: Agency
    purpose: Purpose
    categories: tuple[CategoryResult, ...]
    is_review_pending: bool
    evidence: EntryEvidence | None  # None: its ledger entry is not found (never expected)

    @property
    def is_covered(self) -> bool:
        """Whether a signed checkpoint covers the entry yet (they are signed periodically)."""
        return self.evidence is not None and self.evidence.is_covered


def _categories(record: PolicyDecision) -> tuple[CategoryResult, ...]:
    review = record.review
    ruled = {r.category: r.is_disclosed for r in review.rulings} if review else {}
    results = []
    for item in explain_decision(record):
        state, by_officer = item.state, item.category in ruled
        if by_officer:
            state = CategoryState.disclose if ruled[item.category] else CategoryState.withhold
        results.append(
            CategoryResult(
                Category(item.category),
                CategoryState(state),
                tuple(r.text for r in item.reasons),
                by_officer,
            )
        )
    return tuple(results)


def decisions_about_report(
    session: Session, *, reference: str, verifier: NoteVerifier, origin: str
) -> list[DecisionForVictim]:
    """The decisions made about the report `reference`, newest first, with their evidence.

    The caller has established that the reader is this report's reporter.
    """
    records = list(
        session.scalars(
            select(PolicyDecision)
            .options(selectinload(PolicyDecision.review))
            .where(PolicyDecision.report_ref == reference)
            .order_by(PolicyDecision.requested_at.desc(), PolicyDecision.id.desc())
        )
    )
    seqs = ledger.seqs_by_data_value(
        session, kind=DECISION_ENTRY_KIND, key="decision_id", values=[r.id for r in records]
    )
    return [
        DecisionForVictim(
            decision_id=record.id,
            requested_at=record.requested_at,
            agency=Agency(record.request["requester"]["agency"]),
            purpose=Purpose(record.request["requester"]["purpose"]),
            categories=_categories(record),
            is_review_pending=record.review is not None and record.review.is_pending,
            evidence=evidence.entry_evidence(
                session, seq=seqs[record.id], verifier=verifier, origin=origin
            )
            if record.id in seqs
            else None,
        )
        for record in records
    ]


def write_proof_bundle(
    session: Session, *, reference: str, out: Path, verifier: NoteVerifier, origin: str
) -> int:
    """Write an inclusion bundle of the decisions about `reference` that the latest signed
    checkpoint covers (`safeshare-verify` checks it offline); return how many it holds."""
    latest = evidence.latest_checkpoint_or_raise(session)
    decisions = decisions_about_report(
        session, reference=reference, verifier=verifier, origin=origin
    )
    proofs = [
        InclusionProof(
            found.proof["leaf_index"],
            found.entry["canonical"].encode(),
            tuple(bytes.fromhex(h) for h in found.proof["audit_path"]),
        )
        for d in decisions
        if (found := d.evidence) is not None and found.checkpoint == latest
    ]
    return write_inclusion_bundle(
        out,
        proofs=sorted(proofs, key=lambda p: p.leaf_index),
        checkpoint_note=ledger.cosigned_note(session, latest),
        verifier_key=verifier.to_vkey(),
        origin=origin,
        tree_size=latest.tree_size,
    )
