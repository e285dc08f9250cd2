"""Small-count suppression: statistics about people must not let a reader single anyone out.

Pure functions over plain integers: the policy (`DisclosurePolicy`) and the one-count and one-
breakdown primitives. Published tables, in oversight and in support performance alike, go
through `safeshare.redaction.tables`, which builds on these. The defaults follow common
practice in UK secure data environments (see docs DOMAIN.md, "Statistics about people"): counts
from 1 to 9 are shown as "fewer than 10"; zero is shown, because "none" identifies nobody. Both
the threshold and an optional rounding base are policy, so they are parameters rather than
constants.

Secondary suppression covers the simplest way round primary suppression: subtraction. In a
breakdown whose parts add up to a total, a single hidden part could be recovered as the total
minus the shown parts, so a second part is hidden too. Checking several overlapping tables at
once (full cell suppression) is beyond this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

K = TypeVar("K")


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

    @property
    def small_label(self) -> str:
        return f"fewer than {self.threshold}"


EXACT = DisclosurePolicy(threshold=1)
"""The policy for a data owner looking at its own figures: nothing hidden, nothing rounded."""

WITHHELD_LABEL = "withheld"


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


def _shown(count: int, policy: DisclosurePolicy) -> DisclosedCount:
    value = rounded(count, policy)
    return DisclosedCount(value=value, suppression=Suppression.none, label=str(value))


def _primary(policy: DisclosurePolicy) -> DisclosedCount:
    return DisclosedCount(value=None, suppression=Suppression.primary, label=policy.small_label)


_SECONDARY = DisclosedCount(value=None, suppression=Suppression.secondary, label=WITHHELD_LABEL)
_PRIMARY_WITHHELD = DisclosedCount(
    value=None, suppression=Suppression.primary, label=WITHHELD_LABEL
)
"""A small part in a breakdown that needed secondary suppression: labelled like the other."""


def disclose(count: int, policy: DisclosurePolicy) -> DisclosedCount:
    """One count as `policy` allows it to be published."""
    if count < 0:
        raise ValueError("counts are never negative")
    return _primary(policy) if policy.hides(count) else _shown(count, policy)


def disclose_breakdown(
    parts: Mapping[K, int], policy: DisclosurePolicy, *, is_total_hidden: bool = False
) -> dict[K, DisclosedCount]:
    """Disclose the parts of a total, with secondary suppression so no hidden part can be derived.

    The total is the sum of the parts; the reader knows it unless `is_total_hidden` or it is
    itself small. With a known total, one hidden part could be worked out by subtraction, so
    the smallest other non-zero part is hidden as well. With a hidden total, showing every
    part would rebuild it, so the smallest non-zero part is hidden.
    """
    result = {key: disclose(count, policy) for key, count in parts.items()}
    hidden = sum(1 for item in result.values() if item.is_suppressed)
    if is_total_hidden or policy.hides(sum(parts.values())):
        needs_another = hidden == 0
    else:
        needs_another = hidden == 1
    if needs_another:
        candidates = [
            (count, index, key)
            for index, (key, count) in enumerate(parts.items())
            if count > 0 and not result[key].is_suppressed
        ]
        if candidates:
            _, _, key = min(candidates, key=lambda item: (item[0], item[1]))
            result[key] = _SECONDARY
            # One label for every hidden part: "fewer than 10" beside "withheld" would tell a
            # reader which part is small, and e.g. 11 hidden could then only be 1 + 10.
            result = {
                k: _PRIMARY_WITHHELD if v.suppression is Suppression.primary else v
                for k, v in result.items()
            }
    return result
