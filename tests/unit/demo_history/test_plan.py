"""The demo history's plan: exact quotas, the same plan for the same seed, and every share
request about a report made before it."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from safeshare.demo_history import plan

START = datetime(2025, 1, 1, tzinfo=UTC)


@given(
    n=st.integers(min_value=0, max_value=500),
    weights=st.dictionaries(
        st.sampled_from("abcdef"), st.floats(min_value=0.01, max_value=5), min_size=1
    ),
)
def test_quota_gives_exact_proportions(n: int, weights: dict[str, float]) -> None:
    counts = Counter(plan.quota(random.Random(1), n, weights))
    assert sum(counts.values()) == n
    total = sum(weights.values())
    for key, weight in weights.items():
        assert abs(counts[key] - n * weight / total) < 1


def summary(seed: int) -> list[tuple[object, ...]]:
    stories = plan.plan_reports(rng=random.Random(seed), start=START, scale=0.1)
    return [
        (s.at, s.pathway, s.crime_type, s.nationality_group, s.referrals, len(s.shares))
        for s in stories
    ]


def test_same_seed_same_plan_and_another_seed_another() -> None:
    assert summary(5) == summary(5)
    assert summary(5) != summary(6)


def test_plan_volumes_and_order() -> None:
    stories = plan.plan_reports(rng=random.Random(3), start=START, scale=0.1)
    end = START + timedelta(days=plan.DAYS)
    assert len(stories) == 300
    assert Counter(s.pathway for s in stories)["anonymous"] == 30
    assert [s.at for s in stories] == sorted(s.at for s in stories)
    shares = [share for s in stories for share in s.shares]
    backlog = [share for share in shares if share.is_backlog]
    assert len(shares) == 450 + len(backlog) and len(backlog) == 10
    for story in stories:
        assert all(story.at < share.at <= end for share in story.shares)
    assert sum(s.referrals for s in stories) == 150
    # Anonymous reports carry no identity, so little is asked about them.
    anonymous = [s for s in stories if s.pathway == "anonymous"]
    assert sum(len(s.shares) for s in anonymous) < len(shares) * 0.05
