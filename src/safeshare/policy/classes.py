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
from functools import cache
from typing import Any

from pydantic import ValidationError

from safeshare.policy.engine import Features, Regime
from safeshare.policy.fastpath import Observation, observations_given
from safeshare.policy.schemas import (
    CATEGORIES,
    FIREWALL_CRIME_TYPES,
    Category,
    Purpose,
    ShareRequest,
)
from safeshare.reporting.vocabulary import CrimeType

_FIELD_TYPES: dict[str, Any] = typing.get_type_hints(Features)
REQUESTER_FIELDS = ("agency", "purpose")
# Facts that are settings of the force, not of the person: sent beside the subject.
SETTING_FIELDS = ("pause_crime_types",)
# Sets of crime types (the subject's, or a setting's) are never empty.
CRIME_SETS = tuple(name for name, kind in _FIELD_TYPES.items() if kind == frozenset[CrimeType])


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


@cache
def full_domain(field: str) -> tuple[Any, ...]:
    """Every value a feature can take, unprojected (crime-type sets and consent sets whole)."""
    if _is_bool(field):
        return (False, True)
    if _is_enum(field):
        return tuple(_FIELD_TYPES[field])
    if field in CRIME_SETS:
        return tuple(s for s in _subsets(FIREWALL_CRIME_TYPES) if s)
    if field == "consents":
        return _subsets(consent_records())
    raise TypeError(f"no domain for feature {field!r}")


def _default(field: str) -> Any:
    """The value used for a feature no policy observes (any value gives the same answers)."""
    if field == "crime_types":
        return frozenset({CrimeType.other})
    if field in CRIME_SETS:
        return frozenset(FIREWALL_CRIME_TYPES)  # a setting: its default covers every crime type
    if field == "consents":
        return frozenset()
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
        if self.field in CRIME_SETS:
            name = self.field.replace("_", " ")
            return f"{name} {'include' if value else 'exclude'} {self.probe}"
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


# --- request classes -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestClass:
    """A set of requests no regime under study can tell apart, and one valid representative."""

    key: tuple[Any, ...]  # the atoms' values, in `ClassSpace.atoms` order
    features: Features


def request_json(features: Features, categories: Iterable[Category]) -> dict[str, Any]:
    """The `policy check` request for a representative (consents and sets as lists)."""
    subject: dict[str, Any] = {}
    settings: dict[str, Any] = {}
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
        (settings if field in SETTING_FIELDS else subject)[field] = value
    return {
        "requester": {"agency": str(features.agency), "purpose": str(features.purpose)},
        "subject": subject,
        "categories": [str(c) for c in CATEGORIES if c in set(categories)],
        **settings,
    }


def is_valid(features: Features) -> bool:
    """Whether a request with these features passes the request contract."""
    try:
        ShareRequest.model_validate(request_json(features, CATEGORIES[:1]))
    except ValidationError:
        return False
    return True


ANY = "*"  # in a class key: an atom that cannot matter for this class's agency and purpose


class ClassSpace:
    """The request classes a set of regimes can distinguish (or, unprojected, every request).

    Classes are enumerated per (agency, purpose): with both known, each regime's policies
    fold to what they can still observe (`fastpath.observations_given`), so a fact that only
    matters to one agency is not multiplied across the others. An atom that cannot matter
    for a class is `ANY` in its key. `settings` fixes facts that are configuration, not
    part of a request (the enforcement pause's crime types).
    """

    def __init__(
        self,
        regimes: Sequence[Regime],
        *,
        projected: bool = True,
        extra: Mapping[str, Observation]
        | Callable[[str, str], Mapping[str, Observation]]
        | None = None,
        settings: Mapping[str, Any] | None = None,
        complete_consents: bool = False,
    ) -> None:
        """`extra`: more atoms to tell apart (what invariants mention), beyond the regimes',
        either for every class or per (agency, purpose). `complete_consents`: wherever a
        consent for a purpose matters, tell given, withdrawn and both apart."""
        self.settings = dict(settings or {"pause_crime_types": frozenset(FIREWALL_CRIME_TYPES)})
        self.groups: dict[tuple[Any, Any], dict[str, Observation]] = {}
        for agency, purpose in itertools.product(full_domain("agency"), full_domain("purpose")):
            observed: dict[str, Observation] | None = {} if projected else None
            known = self._known(agency, purpose)
            for regime in regimes if projected else ():
                given = observations_given(regime, known)
                if given is None or observed is None:
                    observed = None
                    break
                merge_into(observed, given)
            if observed is None:
                observed = {f: "full" for f in Features._fields if f not in REQUESTER_FIELDS}
                for name in self.settings:
                    observed.pop(name, None)
            more = extra(agency, purpose) if callable(extra) else extra
            if projected and more:
                merge_into(observed, {k: v for k, v in more.items() if k not in REQUESTER_FIELDS})
            probes = observed.get("consents", "full")
            if complete_consents and probes != "full":
                purposes = dict.fromkeys(probe[0] for probe in probes)  # type: ignore[index]
                observed["consents"] = tuple((p, w) for p in purposes for w in (False, True))
            self.groups[(agency, purpose)] = observed
        union: dict[str, Observation] = {"agency": "full", "purpose": "full"}
        for observed in self.groups.values():
            merge_into(union, observed)
        pairs = _atoms(union)
        self.atoms: tuple[Atom, ...] = tuple(atom for atom, _ in pairs)
        self.domains: tuple[tuple[Any, ...], ...] = tuple(values for _, values in pairs)
        self._group_atoms = {
            group: frozenset(atom for atom, _ in _atoms(observed))
            for group, observed in self.groups.items()
        }

    def _known(self, agency: Any, purpose: Any) -> dict[str, Any]:
        known: dict[str, Any] = {
            "principal": ("Agency", str(agency)),
            "purpose": ("Purpose", str(purpose)),
        }
        for name, value in self.settings.items():
            known[name] = frozenset(("CrimeType", str(v)) for v in value)
        return known

    def size_bound(self) -> int:
        """Combinations before unrealisable ones are dropped."""
        total = 0
        for group in self.groups:
            size = 1
            for atom, domain in zip(self.atoms, self.domains, strict=True):
                if atom in self._group_atoms[group]:
                    size *= len(domain)
            total += size
        return total

    def __iter__(self) -> Iterator[RequestClass]:
        for group in self.groups:
            mine = self._group_atoms[group]
            domains = [
                (group[0],)
                if atom.field == "agency"
                else (group[1],)
                if atom.field == "purpose"
                else domain
                if atom in mine
                else (ANY,)
                for atom, domain in zip(self.atoms, self.domains, strict=True)
            ]
            for key in itertools.product(*domains):
                features = self.representative(key)
                if features is not None:
                    yield RequestClass(key, features)

    def representative(self, key: Sequence[Any]) -> Features | None:
        """A valid request with exactly these atom values, or None if none exists."""
        values: dict[str, Any] = dict(self.settings)
        members: dict[str, set[Any]] = {}
        excluded: dict[str, set[Any]] = {}
        for atom, value in zip(self.atoms, key, strict=True):
            if value is ANY:
                continue
            if atom.probe is None:
                values[atom.field] = value
            elif value:
                if atom.field in CRIME_SETS and not isinstance(atom.probe, CrimeType):
                    return None  # a policy literal no request can hold
                members.setdefault(atom.field, set()).add(atom.probe)
            else:
                excluded.setdefault(atom.field, set()).add(atom.probe)
        for field in Features._fields:
            if field in values:
                continue
            if field in members or field in excluded:
                chosen = set(members.get(field, ()))
                if field in CRIME_SETS and not chosen:
                    spare = [c for c in FIREWALL_CRIME_TYPES if c not in excluded.get(field, set())]
                    chosen = {spare[0]} if spare else set()
                values[field] = frozenset(chosen)
            else:
                values[field] = _default(field)
        features = Features(**values)
        return features if is_valid(features) else None

    def key_of(self, features: Features) -> tuple[Any, ...]:
        """The class a (possibly unprojected) request falls in."""
        mine = self._group_atoms[(features.agency, features.purpose)]
        key: list[Any] = []
        for atom in self.atoms:
            if atom.field not in REQUESTER_FIELDS and atom not in mine:
                key.append(ANY)
                continue
            value = getattr(features, atom.field)
            key.append(value if atom.probe is None else atom.probe in value)
        return tuple(key)


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
