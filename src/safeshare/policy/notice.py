"""What the force's sharing rules mean for a victim, generated from the active regime itself.

The public "What we share with the Home Office" page is built from the policies the Firewall
runs, so it cannot drift from what the Firewall does: change the regime and the page changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from safeshare.policy import service as policy_service
from safeshare.policy.regimes import get_regime
from safeshare.policy.schemas import ReasonEffect

# The order a reader needs: what never happens, what a person decides, what may happen.
_EFFECT_ORDER = (
    ReasonEffect.forbid,
    ReasonEffect.review,
    ReasonEffect.permit,
    ReasonEffect.referral,
    ReasonEffect.enforcement_pause,
)


@dataclass(frozen=True)
class NoticeRule:
    effect: ReasonEffect
    text: str


@dataclass(frozen=True)
class SharingNotice:
    """The active regime in plain words: its title, summary, since when, and every rule."""

    regime: str
    title: str
    summary: str
    since: datetime | None  # None: no one has chosen a regime, the strictest default applies
    rules: tuple[NoticeRule, ...]


def sharing_notice(session: Session, *, force: str | None = None) -> SharingNotice:
    """The notice for the force's active regime, rules grouped by what they do."""
    assignment = policy_service.active_assignment(session, force=force)
    regime = get_regime(policy_service.get_active_regime(session, force=force))
    policies = sorted(
        regime.policies.values(),
        key=lambda p: (_EFFECT_ORDER.index(p.effect), p.position),
    )
    return SharingNotice(
        regime=regime.name,
        title=regime.title,
        summary=regime.summary,
        since=assignment.set_at if assignment is not None else None,
        rules=tuple(NoticeRule(p.effect, p.reason) for p in policies),
    )
