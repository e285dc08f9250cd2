"""Wilson and Newcombe intervals against Newcombe's (1998) worked examples."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.oversight.intervals import describe_gap, newcombe_difference, wilson


def test_wilson_matches_published_values() -> None:
    # Newcombe 1998, table I: 81/263 -> 0.2553 to 0.3662.
    found = wilson(81, 263)
    assert found.low == pytest.approx(0.2553, abs=5e-5)
    assert found.high == pytest.approx(0.3662, abs=5e-5)
    # At 0 of 10 the interval still has width (Wald's would be 0 to 0).
    assert wilson(0, 10).high == pytest.approx(0.2775, abs=5e-5)


def test_newcombe_matches_published_values() -> None:
    # Newcombe 1998, table II, example (a): 56/70 - 48/80 -> 0.0524 to 0.3339 (method 10).
    found = newcombe_difference(56, 70, 48, 80)
    assert found.estimate == pytest.approx(0.2)
    assert found.low == pytest.approx(0.0524, abs=5e-4)
    assert found.high == pytest.approx(0.3339, abs=5e-4)
    # Example (g): 0/10 - 0/20 -> -0.1611 to 0.2775.
    empty = newcombe_difference(0, 10, 0, 20)
    assert empty.low == pytest.approx(-0.1611, abs=5e-4)
    assert empty.high == pytest.approx(0.2775, abs=5e-4)


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="positive total"):
        wilson(0, 0)
    with pytest.raises(ValueError, match="between 0"):
        wilson(5, 4)


def test_gap_sentence() -> None:
    text = describe_gap("Shared", 56, 70, "No request", 48, 80)
    assert text == (
        "Shared against No request: +20 percentage points (95% confidence interval +5 to +33)."
    )
    assert "includes no difference" in describe_gap("A", 5, 10, "B", 6, 10)


@given(
    st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
)
def test_intervals_contain_their_estimates(a: tuple[int, int], b: tuple[int, int]) -> None:
    one = wilson(*a)
    assert 0 <= one.low <= one.estimate <= one.high <= 1
    gap = newcombe_difference(*a, *b)
    assert -1 <= gap.low <= gap.estimate <= gap.high <= 1
