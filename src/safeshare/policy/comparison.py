"""What would change if the force ran under another regime: the exact diff, for PCC analysts.

Diffs are computed once per pair of policy hashes and kept for the life of the process: a
pack only changes with a deployment, and a diff takes seconds of Cedar evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from safeshare.policy import service as policy_service
from safeshare.policy.diff import RegimeDiff, diff_regimes
from safeshare.policy.regimes import get_regime


@dataclass(frozen=True)
class Comparison:
    active: str
    other: str
    diff: RegimeDiff


@lru_cache(maxsize=16)
def _diff(first: str, second: str, _hashes: tuple[str, str]) -> RegimeDiff:
    return diff_regimes(get_regime(first), get_regime(second))


def compare_with_active(session: Session, *, other: str, force: str | None = None) -> Comparison:
    """The diff between the force's active regime and `other` (an unknown name is refused)."""
    active = policy_service.get_active_regime(session, force=force)
    first, second = get_regime(active), get_regime(other)
    diff = _diff(first.name, second.name, (first.policy_hash, second.policy_hash))
    return Comparison(active=active, other=other, diff=diff)
