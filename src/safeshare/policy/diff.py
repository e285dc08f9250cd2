"""`safeshare policy diff A B`: every request class two regimes decide differently, as rules.

Both regimes are evaluated on every class either can tell apart. Classes where the two
decisions differ are grouped by the pair of decisions, and each group is split into exact
"boxes" (every combination of the listed facts is in the group), so each rule reads as a
plain conjunction that holds for all of its requests and for no others in that group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from safeshare.policy.classes import ClassSpace, RequestClass, evaluate_classes, request_json
from safeshare.policy.engine import CategoryState, Evaluation, Features, Regime
from safeshare.policy.schemas import CATEGORIES, Category

Signature = tuple[tuple[CategoryState, ...], bool, bool]  # states, referral, pause
Box = tuple[frozenset[Any], ...]  # the values each atom takes


def _signature(evaluation: Evaluation) -> Signature:
    return (
        tuple(evaluation.verdicts[c].state for c in CATEGORIES),
        bool(evaluation.referral),
        bool(evaluation.enforcement_pause),
    )


def _names(categories: Sequence[Category]) -> str:
    return ", ".join(str(c).replace("_", " ") for c in categories)


def describe_signature(signature: Signature) -> str:
    """What a regime does with a request, in words: discloses, sends to review, withholds."""
    states, referral, pause = signature
    by_state: dict[CategoryState, list[Category]] = {}
    for category, state in zip(CATEGORIES, states, strict=True):
        by_state.setdefault(state, []).append(category)
    parts = []
    if by_state.get(CategoryState.disclose):
        parts.append("discloses " + _names(by_state[CategoryState.disclose]))
    if by_state.get(CategoryState.review):
        parts.append("sends " + _names(by_state[CategoryState.review]) + " to review")
    if len(by_state.get(CategoryState.withhold, [])) == len(CATEGORIES):
        parts.append("shares nothing")
    if referral:
        parts.append("requires a referral")
    if pause:
        parts.append("requires an enforcement pause")
    return "; ".join(parts)


@dataclass(frozen=True)
class DiffRule:
    """One exact group of request classes both regimes decide, differently, the same way."""

    conditions: tuple[str, ...]
    first: str
    second: str
    classes: int
    example: dict[str, Any]
    box: Box  # the atom values the rule covers (see `RegimeDiff.rule_for`)

    def as_dict(self) -> dict[str, Any]:
        return {
            "when": list(self.conditions),
            "first": self.first,
            "second": self.second,
            "request_classes": self.classes,
            "example": self.example,
        }


@dataclass(frozen=True)
class RegimeDiff:
    first: str
    second: str
    classes: int  # request classes compared
    differing: int
    rules: tuple[DiffRule, ...]
    space: ClassSpace

    def rule_for(self, features: Features) -> DiffRule | None:
        """The rule a request falls under, or None where both regimes decide alike."""
        key = self.space.key_of(features)
        return next((rule for rule in self.rules if _within(key, rule.box)), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "second": self.second,
            "request_classes": self.classes,
            "differing_classes": self.differing,
            "rules": [rule.as_dict() for rule in self.rules],
        }

    def markdown(self) -> str:
        lines = [
            f"# {self.first} compared with {self.second}",
            "",
            f"{self.differing:,} of {self.classes:,} request classes are decided differently.",
            "",
        ]
        for number, rule in enumerate(self.rules, start=1):
            lines += [
                f"## {number}. {rule.classes:,} request class(es)",
                "",
                "When " + ("; ".join(rule.conditions) or "any request") + ":",
                "",
                f"- **{self.first}** {rule.first}",
                f"- **{self.second}** {rule.second}",
                "",
            ]
        return "\n".join(lines)


def _boxes(keys: list[tuple[Any, ...]], order: Sequence[int]) -> list[Box]:
    """Split `keys` until each part holds every combination of the values it takes."""
    values = [frozenset(k[i] for k in keys) for i in range(len(keys[0]))]
    total = 1
    for options in values:
        total *= len(options)
    if total == len(keys):
        return [tuple(values)]
    split_on = next(i for i in order if len(values[i]) > 1)
    parts: list[Box] = []
    for value in sorted(values[split_on], key=repr):
        parts += _boxes([k for k in keys if k[split_on] == value], order)
    return parts


def _merge_boxes(boxes: list[Box]) -> list[Box]:
    """Join boxes that differ in one atom only (their union is still exact) until none do."""
    merged = True
    while merged:
        merged = False
        for i, first in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                second = boxes[j]
                differ = [k for k, (x, y) in enumerate(zip(first, second, strict=True)) if x != y]
                if len(differ) == 1:
                    k = differ[0]
                    joined = (*first[:k], first[k] | second[k], *first[k + 1 :])
                    boxes = [b for n, b in enumerate(boxes) if n not in (i, j)] + [joined]
                    merged = True
                    break
            if merged:
                break
    return boxes


def _conditions(box: Box, space: ClassSpace) -> tuple[str, ...]:
    conditions = []
    for taken, atom, domain in zip(box, space.atoms, space.domains, strict=True):
        if len(taken) == len(domain):
            continue  # any value: not a condition
        values = sorted(taken, key=repr)
        if atom.probe is None and len(values) > 1 and not isinstance(values[0], bool):
            shown = [str(v).replace("_", " ") for v in values]
            conditions.append(f"{atom.field} is {', '.join(shown[:-1])} or {shown[-1]}")
        else:
            conditions.append(" or ".join(atom.describe(v) for v in values))
    return tuple(conditions)


def _size(box: Box) -> int:
    total = 1
    for taken in box:
        total *= len(taken)
    return total


def _within(key: tuple[Any, ...], box: Box) -> bool:
    return all(value in taken for value, taken in zip(key, box, strict=True))


def _simplicity(member: RequestClass) -> tuple[int, str]:
    """Fewest true facts first: the example a reader takes in at a glance."""
    return sum(1 for value in member.key if value is True), repr(member.key)


def _evaluate_by_projection(regime: Regime, classes: Sequence[RequestClass]) -> list[Evaluation]:
    """Answers for the joint classes from the regime's own, coarser classes: one Cedar call
    per class the regime can tell apart, however many the comparison needs."""
    own = ClassSpace([regime])
    own_classes = list(own)
    answers = dict(
        zip(
            (c.key for c in own_classes),
            evaluate_classes(regime, own_classes),
            strict=True,
        )
    )
    return [answers[own.key_of(c.features)] for c in classes]


def diff_regimes(first: Regime, second: Regime) -> RegimeDiff:
    """Every class `first` and `second` decide differently, grouped into exact rules."""
    space = ClassSpace([first, second])
    classes = list(space)
    a = _evaluate_by_projection(first, classes)
    b = _evaluate_by_projection(second, classes)
    groups: dict[tuple[Signature, Signature], list[RequestClass]] = {}
    for request_class, ea, eb in zip(classes, a, b, strict=True):
        sa, sb = _signature(ea), _signature(eb)
        if sa != sb:
            groups.setdefault((sa, sb), []).append(request_class)
    order = sorted(range(len(space.atoms)), key=lambda i: len(space.domains[i]))
    rules: list[DiffRule] = []
    for (sa, sb), members in groups.items():
        states_a, states_b = sa[0], sb[0]
        differing = [c for c, x, y in zip(CATEGORIES, states_a, states_b, strict=True) if x != y]
        by_key = {m.key: m for m in members}
        for box in _merge_boxes(_boxes(list(by_key), order)):
            inside = [m for k, m in by_key.items() if _within(k, box)]
            example = min(inside, key=_simplicity)
            rules.append(
                DiffRule(
                    conditions=_conditions(box, space),
                    first=describe_signature(sa),
                    second=describe_signature(sb),
                    classes=len(inside),
                    example=request_json(example.features, differing or CATEGORIES),
                    box=box,
                )
            )
    rules.sort(key=lambda r: (-r.classes, r.conditions))
    return RegimeDiff(
        first=first.name,
        second=second.name,
        classes=len(classes),
        differing=sum(len(m) for m in groups.values()),
        rules=tuple(rules),
        space=space,
    )
