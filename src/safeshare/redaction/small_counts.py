"""Disclosure control's vocabulary: the policy (threshold and rounding), a disclosed count,
and rounding. Statistics about people must not let a reader single anyone out.

The method that applies it lives in one place, `safeshare.redaction.tables` (primary and
secondary suppression across every margin, rounding, protected rates), and every published
count goes through it: the oversight statistics and PDF, and support performance. The
defaults follow common practice in UK secure data environments (DOMAIN.md, "Statistics about
people"): counts from 1 to 9 are withheld; zero is shown, because "none" identifies nobody.
Threshold and rounding base are configuration (`Settings.disclosure_policy()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Suppression(StrEnum):
    """Why a count is not shown: too small itself, or hidden to protect a small one."""

    none = "none"
    primary = "primary"
    secondary = "secondary"


@dataclass(frozen=True)
class DisclosurePolicy:
    """Which counts an audience may see exactly. `threshold=1` means everything is shown."""

    threshold: int = 10
    rounding_base: int = 1

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError("threshold must be at least 1")
        if self.rounding_base < 1:
            raise ValueError("rounding_base must be at least 1")

    def hides(self, count: int) -> bool:
        """True when `count` itself is too small to publish (1 to threshold - 1)."""
        return 0 < count < self.threshold

    @property
    def is_exact(self) -> bool:
        """True when this policy shows every count unchanged (the data owner's own view)."""
        return self.threshold == 1 and self.rounding_base == 1


EXACT = DisclosurePolicy(threshold=1)
"""The policy for a data owner looking at its own figures: nothing hidden, nothing rounded."""


@dataclass(frozen=True)
class DisclosedCount:
    """A count as one audience may see it: `value` is None when it is suppressed."""

    value: int | None
    suppression: Suppression
    label: str

    @property
    def is_suppressed(self) -> bool:
        return self.suppression is not Suppression.none

    def __str__(self) -> str:
        return self.label


def rounded(count: int, policy: DisclosurePolicy) -> int:
    """`count` rounded to the nearest multiple of the policy's base (halves round up)."""
    base = policy.rounding_base
    return count if base == 1 else base * ((count + base // 2) // base)
