"""Disclosure control on single figures (`tables.protect_count`, built on `small_counts`):
no count from 1 to threshold-1 is ever shown, rounding stays near the truth, and the policy
refuses nonsense. Breakdowns and tables are tested in test_tables.py (one method for all)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.redaction.small_counts import EXACT, DisclosurePolicy, Suppression
from safeshare.redaction.tables import WITHHELD, protect_count

counts = st.integers(min_value=0, max_value=10_000)
policies = st.builds(
    DisclosurePolicy,
    threshold=st.integers(min_value=1, max_value=50),
    rounding_base=st.just(1),
)


def test_default_policy_withholds_one_to_nine() -> None:
    policy = DisclosurePolicy()
    assert [str(protect_count(n, policy=policy)) for n in (0, 1, 9, 10, 11)] == [
        "0",
        WITHHELD,
        WITHHELD,
        "10",
        "11",
    ]


@given(count=counts, policy=policies)
def test_a_small_count_is_never_shown(count: int, policy: DisclosurePolicy) -> None:
    result = protect_count(count, policy=policy)
    if 0 < count < policy.threshold:
        assert result.value is None
        assert result.suppression is Suppression.primary
        assert result.label == WITHHELD
    else:
        assert result.value == count
        assert result.label == str(count)


@given(count=counts, base=st.integers(min_value=1, max_value=10))
def test_rounding_keeps_shown_counts_near_the_truth(count: int, base: int) -> None:
    result = protect_count(count, policy=DisclosurePolicy(threshold=10, rounding_base=base))
    if result.value is not None:
        assert result.value % base == 0
        assert abs(result.value - count) <= base / 2


def test_exact_policy_shows_everything() -> None:
    assert EXACT.is_exact
    assert [protect_count(n, policy=EXACT).value for n in (0, 1, 2, 9)] == [0, 1, 2, 9]


@pytest.mark.parametrize("kwargs", [{"threshold": 0}, {"rounding_base": 0}])
def test_policy_rejects_nonsense(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        DisclosurePolicy(**kwargs)


def test_negative_counts_are_a_bug() -> None:
    with pytest.raises(ValueError):
        protect_count(-1, policy=DisclosurePolicy())
