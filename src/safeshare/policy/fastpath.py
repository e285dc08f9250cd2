"""Memoised bulk decisions for replay and benchmarks, identical to per-request Cedar.

Requests have a small feature space, and a regime reads only part of it. At load we walk
each regime's policy tree (cedarpy's PST) to find what its conditions can observe:

- a context attribute never mentioned cannot change a decision, so it leaves the key;
- a set attribute only ever tested as `context.attr.contains(<literal>)` matters only
  through those membership tests, so the key keeps one boolean per literal;
- anything else (any other use, or `context` as a whole) keeps the full value.

Decisions are memoised on (projected features, categories asked); a miss evaluates all
seven categories and both obligations for one representative request in one Cedar batch.
The analysis is conservative: an unfamiliar construct only makes the key finer.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import fields, is_dataclass
from typing import Any, Literal

from cedarpy import pst

from safeshare.policy.engine import Evaluation, Features, Regime, features_of
from safeshare.policy.schemas import (
    CATEGORIES,
    Category,
    CrimeType,
    Decision,
    Purpose,
    ShareRequest,
)

RequestKey = tuple[Features, int]  # features and a bit mask of the categories asked for
_BITS: dict[Category, int] = {c: 1 << i for i, c in enumerate(CATEGORIES)}
_FULL: Literal["full"] = "full"  # marker: the attribute's whole value matters


def request_key(request: ShareRequest) -> RequestKey:
    """The memo key of `request`: its canonical features and asked categories."""
    mask = 0
    for category in request.categories:
        mask |= _BITS[category]
    return features_of(request), mask


def categories_of(mask: int) -> list[Category]:
    """The categories in a `request_key` mask, in canonical order."""
    return [c for c in CATEGORIES if mask & _BITS[c]]


def _children(node: Any) -> Iterator[Any]:
    if isinstance(node, Mapping):
        yield from node.values()
    elif isinstance(node, tuple):
        yield from node
    elif is_dataclass(node) and not isinstance(node, type):
        for f in fields(node):
            yield getattr(node, f.name)


def _is_context(node: Any) -> bool:
    return isinstance(node, pst.Var) and node.name == "context"


def _entity_member(
    node: Any, entity_type: str, enum: type[CrimeType] | type[Purpose]
) -> Hashable | None:
    """The enum member a literal `Type::"id"` stands for, or None if it is anything else."""
    if not isinstance(node, pst.EntityLit):
        return None
    uid = node.value
    if uid.type.namespace or uid.type.basename != entity_type:
        return None
    # An id outside the enum can never equal a request's value: a fresh object never will.
    return enum(uid.id) if uid.id in enum.__members__ else object()


def _probe(attr: str, literal: Any) -> Hashable | None:
    """Turn `context.<attr>.contains(literal)` into the value to test in our features."""
    if attr == "crime_types":
        return _entity_member(literal, "CrimeType", CrimeType)
    if attr == "consents" and isinstance(literal, pst.Record):
        record = dict(literal.fields)
        withdrawn = record.get("withdrawn")
        if set(record) != {"purpose", "withdrawn"} or not isinstance(withdrawn, pst.BoolLit):
            return None
        purpose = _entity_member(record["purpose"], "Purpose", Purpose)
        return None if purpose is None else (purpose, withdrawn.value)
    return None


class _Uses:
    """What the policies observe about each context attribute."""

    def __init__(self) -> None:
        self.observed: dict[str, Any] = {}  # attr -> _FULL or a dict of probes (ordered set)
        self.opaque = False

    def full(self, attr: str) -> None:
        self.observed[attr] = _FULL

    def probe(self, attr: str, value: Hashable) -> None:
        seen = self.observed.setdefault(attr, {})
        if seen is not _FULL:
            seen[value] = None

    def scan(self, node: Any) -> None:
        if isinstance(node, pst.BinaryOp) and node.op == "contains":
            left = node.left
            if isinstance(left, pst.GetAttr) and _is_context(left.base):
                value = _probe(left.attr, node.right)
                if value is not None:
                    self.probe(left.attr, value)
                    return
        if isinstance(node, pst.GetAttr) and _is_context(node.base):
            self.full(node.attr)
            return
        if isinstance(node, pst.HasAttr) and _is_context(node.base):
            for attr in node.attrs:
                self.full(attr)
            return
        if _is_context(node):
            self.opaque = True
            return
        for child in _children(node):
            self.scan(child)


Observation = Literal["full"] | tuple[Hashable, ...]


def observations(regime: Regime) -> dict[str, Observation] | None:
    """What the regime's policies can observe of each feature, or None if anything at all.

    A feature missing from the map is never observed; `"full"` means its whole value
    matters; a tuple lists the membership probes it matters through (see module docstring).
    The agency (the principal) is always observed in full.
    """
    uses = _Uses()
    for policy in regime.pst.static_policies.values():
        for clause in policy.clauses:
            uses.scan(clause)
    if uses.opaque:
        return None
    observed: dict[str, Observation] = {"agency": _FULL}
    for name in Features._fields:
        seen = uses.observed.get(name)
        if seen is not None and name != "agency":
            observed[name] = _FULL if seen is _FULL else tuple(seen)
    return observed


def projector(regime: Regime) -> Callable[[Features], Hashable]:
    """A function mapping features to the smallest key that fixes every Cedar answer."""
    observed = observations(regime)
    if observed is None:
        return lambda features: features
    parts: list[Callable[[Features], Hashable]] = []
    for index, name in enumerate(Features._fields):
        seen = observed.get(name)
        if seen is None:
            continue
        parts.append(_whole(index) if seen == _FULL else _memberships(index, tuple(seen)))
    return lambda features: tuple([part(features) for part in parts])


def _whole(index: int) -> Callable[[Features], Hashable]:
    return lambda features: features[index]


def _memberships(index: int, probes: tuple[Hashable, ...]) -> Callable[[Features], Hashable]:
    def project(features: Features) -> Hashable:
        values: frozenset[Hashable] = features[index]  # type: ignore[assignment]
        return tuple([probe in values for probe in probes])

    return project


class FastDecider:
    """Decides requests under one regime with memoised Cedar answers; not thread-safe."""

    def __init__(self, regime: Regime) -> None:
        self.regime = regime
        self._project = projector(regime)
        self._by_key: dict[RequestKey, Decision] = {}
        self._by_projection: dict[tuple[Hashable, int], Decision] = {}
        self._evaluations: dict[Hashable, Evaluation] = {}

    @property
    def cedar_batches(self) -> int:
        """How many Cedar batch calls were made (one per distinct projected key)."""
        return len(self._evaluations)

    def decide(self, request: ShareRequest) -> Decision:
        """The decision for `request`, identical to `Regime.decide` but memoised."""
        return self.decide_key(request_key(request))

    def decide_key(self, key: RequestKey) -> Decision:
        """The decision for a request key (see `request_key`); share keys across regimes."""
        decision = self._by_key.get(key)
        if decision is None:
            decision = self._by_key[key] = self._decide_projected(key)
        return decision

    def _decide_projected(self, key: RequestKey) -> Decision:
        features, mask = key
        projected = self._project(features)
        decision = self._by_projection.get((projected, mask))
        if decision is None:
            evaluation = self._evaluations.get(projected)
            if evaluation is None:
                evaluation = self.regime.evaluate(features, CATEGORIES)
                self._evaluations[projected] = evaluation
            decision = self.regime.decision_from(categories_of(mask), evaluation)
            self._by_projection[(projected, mask)] = decision
        return decision
