"""Every request class a regime can tell apart, enumerated exactly, for proofs and diffs.

The request space is finite: agency × purpose × role × crime-type set × the boolean facts ×
consent records. `fastpath.observations` says, from the policies themselves, what each regime
can observe of each feature; two requests that agree on everything observed get the same
Cedar answer for every category and obligation. So one representative per combination of
observed values covers the whole space, and a proof over the representatives is a proof
over every request.

A class is described by *atoms*: readable facts such as `role = victim` or "an unwithdrawn
consent for victim support is recorded". Representatives are checked against the request
contract (`ShareRequest`), so combinations no valid request can have are never counted.
"""

from __future__ import annotations

import itertools
import typing
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from safeshare.policy.engine import Features, Regime
from safeshare.policy.fastpath import Observation, observations
from safeshare.policy.schemas import CATEGORIES, Category, CrimeType, Purpose, ShareRequest

_FIELD_TYPES: dict[str, Any] = typing.get_type_hints(Features)
REQUESTER_FIELDS = ("agency", "purpose")


def _is_enum(field: str) -> bool:
    kind = _FIELD_TYPES[field]
    return isinstance(kind, type) and issubclass(kind, StrEnum)


def _is_bool(field: str) -> bool:
    return _FIELD_TYPES[field] is bool


def consent_records() -> tuple[tuple[Purpose, bool], ...]:
    """Every consent record a subject can hold: a purpose, withdrawn or not."""
    return tuple((purpose, withdrawn) for purpose in Purpose for withdrawn in (False, True))


def _subsets(items: Sequence[Hashable]) -> tuple[frozenset[Any], ...]:
    return tuple(
        frozenset(combo)
        for size in range(len(items) + 1)
        for combo in itertools.combinations(items, size)
    )


def full_domain(field: str) -> tuple[Any, ...]:
    """Every value a feature can take, unprojected (crime-type sets and consent sets whole)."""
    if _is_bool(field):
        return (False, True)
    if _is_enum(field):
        return tuple(_FIELD_TYPES[field])
    if field == "crime_types":
        return _subsets(tuple(CrimeType))
    if field == "consents":
        return _subsets(consent_records())
    raise TypeError(f"no domain for feature {field!r}")


def _default(field: str) -> Any:
    """The value used for a feature no policy observes (any value gives the same answers)."""
    if field == "crime_types":
        return frozenset({CrimeType.other})
    return full_domain(field)[0]


# --- atoms: the readable facts a class is described by -------------------------------------


@dataclass(frozen=True, slots=True)
class Atom:
    """One observed fact: a feature's whole value, or one membership probe of a set feature."""

    field: str
    probe: Hashable | None  # None: the feature's whole value

    def describe(self, value: Any) -> str:
        """Plain words for this atom taking `value`."""
        if self.probe is None:
            if _is_bool(self.field):
                return f"{self.field.replace('_', ' ')}: {'yes' if value else 'no'}"
            if isinstance(value, frozenset):
                shown = ", ".join(sorted(str(v) for v in value)) or "none"
                return f"{self.field.replace('_', ' ')}: {shown}"
            return f"{self.field} {value}"
        if self.field == "crime_types":
            return f"crime types {'include' if value else 'exclude'} {self.probe}"
        purpose, withdrawn = typing.cast(tuple[Purpose, bool], self.probe)
        kind = "withdrawn" if withdrawn else "unwithdrawn"
        return f"{'an' if kind == 'unwithdrawn' else 'a'} {kind} consent for {purpose} is " + (
            "recorded" if value else "not recorded"
        )


def _atoms(observed: Mapping[str, Observation]) -> list[tuple[Atom, tuple[Any, ...]]]:
    """Each atom with the values it ranges over, in feature order."""
    atoms: list[tuple[Atom, tuple[Any, ...]]] = []
    for field in Features._fields:
        seen = observed.get(field)
        if seen is None:
            continue
        if seen == "full":
            atoms.append((Atom(field, None), full_domain(field)))
        else:
            atoms += [(Atom(field, probe), (False, True)) for probe in seen]
    return atoms


def merge_into(into: dict[str, Observation], more: Mapping[str, Observation]) -> None:
    """Add `more` to `into`: a whole value beats probes; probes are united, in order."""
    for name, seen in more.items():
        before = into.get(name)
        if before == "full" or seen == "full":
            into[name] = "full"
        else:
            into[name] = tuple(dict.fromkeys(tuple(before or ()) + tuple(seen)))


def merge_observations(regimes: Iterable[Regime]) -> dict[str, Observation] | None:
    """What any of `regimes` observes, or None if one of them could observe anything."""
    merged: dict[str, Observation] = {}
    for regime in regimes:
        observed = observations(regime)
        if observed is None:
            return None
        merge_into(merged, observed)
    return merged


def _unprojected() -> dict[str, Observation]:
    return {field: "full" for field in Features._fields}


# --- request classes -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestClass:
    """A set of requests no regime under study can tell apart, and one valid representative."""

    key: tuple[Any, ...]  # the atoms' values, in `ClassSpace.atoms` order
    features: Features


def request_json(features: Features, categories: Iterable[Category]) -> dict[str, Any]:
    """The `policy check` request for a representative (consents and sets as lists)."""
    subject: dict[str, Any] = {}
    for field in Features._fields:
        if field in REQUESTER_FIELDS:
            continue
        value = getattr(features, field)
        if field == "consents":
            value = [{"purpose": str(p), "withdrawn": w} for p, w in sorted(value)]
        elif isinstance(value, frozenset):
            value = sorted(str(v) for v in value)
        elif isinstance(value, StrEnum):
            value = str(value)
        subject[field] = value
    return {
        "requester": {"agency": str(features.agency), "purpose": str(features.purpose)},
        "subject": subject,
        "categories": [str(c) for c in CATEGORIES if c in set(categories)],
    }


def is_valid(features: Features) -> bool:
    """Whether a request with these features passes the request contract."""
    try:
        ShareRequest.model_validate(request_json(features, CATEGORIES[:1]))
    except ValidationError:
        return False
    return True


class ClassSpace:
    """The request classes a set of regimes can distinguish (or, unprojected, every request)."""

    def __init__(
        self,
        regimes: Sequence[Regime],
        *,
        projected: bool = True,
        extra: Mapping[str, Observation] | None = None,
    ) -> None:
        """`extra`: more atoms to tell apart (what invariants mention), beyond the regimes'."""
        observed = merge_observations(regimes) if projected else _unprojected()
        self.is_projected = projected and observed is not None
        self.observed = observed if observed is not None else _unprojected()
        if self.is_projected and extra:
            merge_into(self.observed, extra)
        pairs = _atoms(self.observed)
        self.atoms: tuple[Atom, ...] = tuple(atom for atom, _ in pairs)
        self.domains: tuple[tuple[Any, ...], ...] = tuple(values for _, values in pairs)

    def size_bound(self) -> int:
        """Combinations before unrealisable ones are dropped."""
        total = 1
        for values in self.domains:
            total *= len(values)
        return total

    def __iter__(self) -> Iterator[RequestClass]:
        for key in itertools.product(*self.domains):
            features = self.representative(key)
            if features is not None:
                yield RequestClass(key, features)

    def representative(self, key: Sequence[Any]) -> Features | None:
        """A valid request with exactly these atom values, or None if none exists."""
        values: dict[str, Any] = {}
        members: dict[str, set[Any]] = {}
        excluded: dict[str, set[Any]] = {}
        for atom, value in zip(self.atoms, key, strict=True):
            if atom.probe is None:
                values[atom.field] = value
            elif value:
                if atom.field == "crime_types" and not isinstance(atom.probe, CrimeType):
                    return None  # a policy literal no request can hold
                members.setdefault(atom.field, set()).add(atom.probe)
            else:
                excluded.setdefault(atom.field, set()).add(atom.probe)
        for field in Features._fields:
            if field in values:
                continue
            if field in members or field in excluded:
                chosen = set(members.get(field, ()))
                if field == "crime_types" and not chosen:
                    spare = [c for c in CrimeType if c not in excluded.get(field, set())]
                    chosen = {spare[0]} if spare else set()
                values[field] = frozenset(chosen)
            else:
                values[field] = _default(field)
        features = Features(**values)
        return features if is_valid(features) else None

    def key_of(self, features: Features) -> tuple[Any, ...]:
        """The class a (possibly unprojected) request falls in."""
        key: list[Any] = []
        for atom in self.atoms:
            value = getattr(features, atom.field)
            key.append(value if atom.probe is None else atom.probe in value)
        return tuple(key)

    def describe(self, key: Sequence[Any]) -> list[str]:
        return [atom.describe(value) for atom, value in zip(self.atoms, key, strict=True)]


def evaluate_classes(
    regime: Regime,
    classes: Sequence[RequestClass],
    *,
    batch: int = 256,
    progress: Callable[[int], None] | None = None,
) -> list[Any]:
    """Cedar's answers for every class, all categories and obligations, in large batches."""
    evaluations: list[Any] = []
    for start in range(0, len(classes), batch):
        chunk = classes[start : start + batch]
        evaluations += regime.evaluate_many([c.features for c in chunk], CATEGORIES)
        if progress is not None:
            progress(len(chunk))
    return evaluations
