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
    Decision,
    Purpose,
    ShareRequest,
)
from safeshare.reporting.vocabulary import CrimeType

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


# --- observations once the agency and purpose are known (for exhaustive proofs) -------------
#
# Most policies are about one agency or one purpose: `principal == Agency::"police"` in the
# scope, `context.purpose == Purpose::"safeguarding"` in the condition. Knowing both, a
# policy's conditions fold to true, false or a smaller residual, and only the residual can
# observe anything. The folding is exact for the constructs it folds (literals, ==, &&, ||,
# !, and set membership against known sets) and leaves anything else as it is, which can only
# make the observations larger, never smaller.

_UNKNOWN = object()


def _uid(node: Any) -> tuple[str, str] | None:
    if isinstance(node, pst.EntityLit) and not node.value.type.namespace:
        return node.value.type.basename, node.value.id
    return None


def _known_value(node: Any, known: Mapping[str, Any]) -> Any:
    """The constant a node stands for (an entity uid pair, a bool, a frozenset), or _UNKNOWN."""
    if isinstance(node, pst.BoolLit):
        return node.value
    uid = _uid(node)
    if uid is not None:
        return uid
    if isinstance(node, pst.Var) and node.name in known:
        return known[node.name]
    if isinstance(node, pst.GetAttr) and _is_context(node.base) and node.attr in known:
        return known[node.attr]
    if isinstance(node, pst.Set):
        values = [_known_value(e, known) for e in node.elements]
        return _UNKNOWN if any(v is _UNKNOWN for v in values) else frozenset(values)
    return _UNKNOWN


def fold(node: Any, known: Mapping[str, Any]) -> Any:
    """`node` with what `known` decides folded away: True, False, or a residual node."""
    if isinstance(node, pst.BoolLit):
        return node.value
    if isinstance(node, pst.UnaryOp) and node.op == "not":
        arg = fold(node.arg, known)
        return (not arg) if isinstance(arg, bool) else pst.UnaryOp(op="not", arg=arg)
    if isinstance(node, pst.BinaryOp) and node.op in ("and", "or"):
        left = fold(node.left, known)
        stop = node.op == "or"  # `or` stops at true, `and` at false
        if isinstance(left, bool) and left is stop:
            return stop
        right = fold(node.right, known)
        if isinstance(left, bool):
            return right
        if isinstance(right, bool):
            return stop if right is stop else left
        return pst.BinaryOp(op=node.op, left=left, right=right)
    if isinstance(node, pst.BinaryOp) and node.op in ("eq", "contains", "contains_any"):
        left, right = _known_value(node.left, known), _known_value(node.right, known)
        if left is not _UNKNOWN and right is not _UNKNOWN:
            if node.op == "eq":
                return bool(left == right)
            if isinstance(left, frozenset) and node.op == "contains":
                return right in left
            if isinstance(left, frozenset) and isinstance(right, frozenset):
                return bool(left & right)
        if node.op == "contains_any" and isinstance(right, frozenset):
            # `attr.containsAny([a, b])` is `attr.contains(a) || attr.contains(b)`.
            literal = node.right if isinstance(node.right, pst.Set) else None
            elements = (
                literal.elements
                if literal is not None
                else tuple(_entity_literal(kind, uid) for kind, uid in sorted(right))
            )
            probes: Any = False
            for element in elements:
                test = pst.BinaryOp(op="contains", left=node.left, right=element)
                probes = test if probes is False else pst.BinaryOp(op="or", left=probes, right=test)
            return probes
    return node


def _entity_literal(kind: str, uid: str) -> Any:
    entity_type = pst.EntityType(basename=kind, namespace=())
    return pst.EntityLit(value=pst.EntityUid(type=entity_type, id=uid))


def _in_scope(scope: Any, variable: str, known: Mapping[str, Any]) -> bool:
    """False only when the scope names an entity that is known not to be this one."""
    if isinstance(scope, pst.ScopeEq) and variable in known:
        entity = scope.entity
        if isinstance(entity, pst.EntityUid) and not entity.type.namespace:
            return bool((entity.type.basename, entity.id) == known[variable])
    return True


def observations_given(regime: Regime, known: Mapping[str, Any]) -> dict[str, Observation] | None:
    """What the regime can still observe once `known` is fixed (None: anything at all).

    `known` maps `principal` and context attribute names to constants: entities as
    (type, id) pairs, booleans, or frozensets of entity pairs.
    """
    uses = _Uses()
    for policy in regime.pst.static_policies.values():
        if not _in_scope(policy.principal, "principal", known):
            continue
        residuals: list[Any] = []
        alive = True
        for clause in policy.clauses:
            value = fold(clause.expr, known)
            is_when = isinstance(clause, pst.When)
            if isinstance(value, bool) and value is not is_when:
                alive = False
                break
            if not isinstance(value, bool):
                residuals.append(value)
        if alive:
            for residual in residuals:
                uses.scan(residual)
    if uses.opaque:
        return None
    observed: dict[str, Observation] = {}
    for name in Features._fields:
        seen = uses.observed.get(name)
        if seen is not None and name not in known:
            observed[name] = _FULL if seen is _FULL else tuple(seen)
    return observed
