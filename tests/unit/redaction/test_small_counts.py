"""Small-count suppression: no count from 1 to threshold-1 is ever shown, and no hidden part
of a breakdown can be recovered by subtraction."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.redaction.small_counts import (
    EXACT,
    WITHHELD_LABEL,
    DisclosurePolicy,
    Suppression,
    disclose,
    disclose_breakdown,
)

counts = st.integers(min_value=0, max_value=10_000)
policies = st.builds(
    DisclosurePolicy,
    threshold=st.integers(min_value=1, max_value=50),
    rounding_base=st.just(1),
)
breakdowns = st.dictionaries(
    st.text(min_size=1, max_size=3), counts | st.integers(0, 12), max_size=8
)


def test_default_policy_shows_one_to_nine_as_fewer_than_ten() -> None:
    policy = DisclosurePolicy()
    assert [str(disclose(n, policy)) for n in (0, 1, 9, 10, 11)] == [
        "0",
        "fewer than 10",
        "fewer than 10",
        "10",
        "11",
    ]


@given(count=counts, policy=policies)
def test_a_small_count_is_never_shown(count: int, policy: DisclosurePolicy) -> None:
    result = disclose(count, policy)
    if 0 < count < policy.threshold:
        assert result.value is None
        assert result.suppression is Suppression.primary
        assert result.label == f"fewer than {policy.threshold}"
    else:
        assert result.value == count
        assert result.label == str(count)


@given(count=counts, base=st.integers(min_value=1, max_value=10))
def test_rounding_keeps_shown_counts_near_the_truth(count: int, base: int) -> None:
    result = disclose(count, DisclosurePolicy(threshold=10, rounding_base=base))
    if result.value is not None:
        assert result.value % base == 0
        assert abs(result.value - count) <= base / 2


@given(parts=breakdowns, policy=policies, is_total_hidden=st.booleans())
def test_no_hidden_part_can_be_derived_by_subtraction(
    parts: dict[str, int], policy: DisclosurePolicy, is_total_hidden: bool
) -> None:
    result = disclose_breakdown(parts, policy, is_total_hidden=is_total_hidden)
    hidden = [key for key, item in result.items() if item.is_suppressed]
    assert all(parts[key] > 0 for key in hidden), "zeros identify nobody and stay shown"
    assert all(result[key].value == parts[key] for key in parts if key not in hidden)
    assert all(result[key].value is None for key in parts if 0 < parts[key] < policy.threshold)
    total_known = not is_total_hidden and not policy.hides(sum(parts.values()))
    if total_known:
        assert len(hidden) != 1, "total minus the shown parts would give the hidden one"
    elif any(parts.values()):
        assert hidden, "the shown parts would add up to the hidden total"


def test_secondary_suppression_hides_the_smallest_other_part() -> None:
    result = disclose_breakdown({"a": 3, "b": 40, "c": 12, "d": 0}, DisclosurePolicy())
    assert result["a"].suppression is Suppression.primary
    assert result["c"].suppression is Suppression.secondary
    assert str(result["c"]) == "withheld"
    assert (result["b"].value, result["d"].value) == (40, 0)


def test_exact_policy_shows_everything() -> None:
    assert EXACT.is_exact
    assert all(
        not item.is_suppressed for item in disclose_breakdown({"a": 1, "b": 2}, EXACT).values()
    )


@pytest.mark.parametrize("kwargs", [{"threshold": 0}, {"rounding_base": 0}])
def test_policy_rejects_nonsense(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        DisclosurePolicy(**kwargs)


def test_negative_counts_are_a_bug() -> None:
    with pytest.raises(ValueError):
        disclose(-1, DisclosurePolicy())


def test_hidden_parts_share_one_label_so_a_small_one_cannot_be_told_apart() -> None:
    """Distinct labels would let a reader split 11 hidden referrals only as 1 + 10."""
    result = disclose_breakdown({"a": 1, "b": 10, "c": 50}, DisclosurePolicy())
    assert result["a"].value is None and result["b"].value is None
    assert result["a"].label == result["b"].label == WITHHELD_LABEL
    assert result["c"].label == "50"
