"""What-if replay: decide a history under several regimes and count how outcomes differ.

Uses the memoised fast path, so a million requests replay in seconds, not minutes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from safeshare.policy.engine import Regime
from safeshare.policy.fastpath import FastDecider, RequestKey
from safeshare.policy.schemas import Decision, Outcome


@dataclass
class RegimeTally:
    """Counts for one regime over a replayed history."""

    regime: str
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    referrals: int = 0
    enforcement_pauses: int = 0
    changed_from_baseline: int = 0
    # (baseline outcome, this regime's outcome) -> requests
    transitions: Counter[tuple[Outcome, Outcome]] = field(default_factory=Counter)


class Replay:
    """Decides each request under every regime; the first regime is the baseline."""

    def __init__(self, regimes: Sequence[Regime]) -> None:
        if not regimes:
            raise ValueError("replay needs at least one regime")
        self.deciders = [FastDecider(r) for r in regimes]
        self.tallies = [RegimeTally(r.name) for r in regimes]
        self.requests = 0
        self.changed = 0  # requests whose outcome differs between any two regimes

    def add(self, key: RequestKey) -> list[Decision] | None:
        """Count one request; return its decisions if the outcome differs between regimes."""
        decisions = [d.decide_key(key) for d in self.deciders]
        self.requests += 1
        baseline = decisions[0].outcome
        differs = False
        for tally, decision in zip(self.tallies, decisions, strict=True):
            outcome = decision.outcome
            tally.outcomes[outcome] += 1
            tally.transitions[baseline, outcome] += 1
            tally.referrals += decision.referral_required
            tally.enforcement_pauses += decision.enforcement_pause_required
            if outcome is not baseline:
                tally.changed_from_baseline += 1
                differs = True
        if differs:
            self.changed += 1
            return decisions
        return None
