"""Confidence intervals for proportions and their differences, so a gap between two groups
(victims whose data was shared and those whose was not, say) is shown with its uncertainty.

Wilson's score interval for one proportion; Newcombe's hybrid score interval (method 10 in
Newcombe, Statistics in Medicine 17:873-890, 1998) for a difference of two independent
proportions. Both behave at 0% and 100%, where the textbook Wald interval collapses. Pure
functions over counts: callers pass published (already rounded) counts, so an interval never
reveals more than the figures beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

Z95 = 1.959963984540054
"""The standard normal quantile for a two-sided 95% interval."""


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


def wilson(successes: int, total: int, *, z: float = Z95) -> Interval:
    """Wilson score interval for `successes` out of `total` (total must be positive)."""
    if total <= 0:
        raise ValueError("a proportion needs a positive total")
    if not 0 <= successes <= total:
        raise ValueError("successes must be between 0 and the total")
    p = successes / total
    z2 = z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z * sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    # At 0% and 100% one bound equals the estimate; rounding must not put it on the far side.
    return Interval(p, min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half)))


def newcombe_difference(
    successes_a: int, total_a: int, successes_b: int, total_b: int, *, z: float = Z95
) -> Interval:
    """Newcombe's interval for p_a - p_b from the two groups' Wilson intervals."""
    a = wilson(successes_a, total_a, z=z)
    b = wilson(successes_b, total_b, z=z)
    difference = a.estimate - b.estimate
    below = sqrt((a.estimate - a.low) ** 2 + (b.high - b.estimate) ** 2)
    above = sqrt((a.high - a.estimate) ** 2 + (b.estimate - b.low) ** 2)
    return Interval(difference, difference - below, difference + above)


def describe_gap(
    name_a: str, successes_a: int, total_a: int, name_b: str, successes_b: int, total_b: int
) -> str:
    """A sentence for a gap in percentage points with its 95% interval, saying plainly when
    the interval includes no difference at all."""
    gap = newcombe_difference(successes_a, total_a, successes_b, total_b)
    points = [round(100 * v) for v in (gap.estimate, gap.low, gap.high)]
    text = (
        f"{name_a} against {name_b}: {points[0]:+d} percentage points "
        f"(95% confidence interval {points[1]:+d} to {points[2]:+d})"
    )
    if gap.low <= 0 <= gap.high:
        text += "; the interval includes no difference"
    return text + "."
