"""`safeshare policy prove`: check every invariant on every request class, not on a sample.

Invariants live in `invariants.yaml` (one readable file: id, plain-English statement, the
regimes it applies to, when it applies and what it expects). The class space is the one the
regime can tell apart (`safeshare.policy.classes`), refined by whatever the invariants
themselves mention, so a condition such as "domestic abuse" is decided on real members of
the class and not on a stand-in. A violation comes with the smallest counter-example
(fewest categories, fewest true facts, consents and crime types) as a request that
`safeshare policy check` accepts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from safeshare.policy.classes import (
    ClassSpace,
    RequestClass,
    evaluate_classes,
    merge_into,
    request_json,
)
from safeshare.policy.engine import DEFAULT_DENY, CategoryState, Evaluation, Features, Regime
from safeshare.policy.errors import RegimeLoadError
from safeshare.policy.fastpath import Observation
from safeshare.policy.regimes import INVARIANTS_FILE, PROOF_CERTIFICATE, invariants_hash
from safeshare.policy.schemas import CATEGORIES, Category, Purpose
from safeshare.reporting.vocabulary import CrimeType

_RANK = {CategoryState.withhold: 0, CategoryState.review: 1, CategoryState.disclose: 2}
_LIST_CONDITIONS = ("agency", "purpose", "role")
_CONDITIONS = frozenset(
    {
        *_LIST_CONDITIONS,
        "regime",
        "crime_types_include",
        "consent_in_force",
        "consent_not_in_force",
        "consent_withdrawn",
        "facts",
        "any_of",
    }
)
_EXPECTATIONS = frozenset(
    {
        "not_disclosed",
        "withheld",
        "referral_required",
        "permits_name_a_policy",
        "no_more_open_than_without_withdrawn_consents",
    }
)

Predicate = Callable[[str, Features], bool]


def _in_force(consents: frozenset[tuple[Purpose, bool]], purpose: Purpose) -> bool:
    return (purpose, False) in consents and (purpose, True) not in consents


def without_withdrawn_consents(features: Features) -> Features:
    """The same request with every consent that was withdrawn never given at all."""
    withdrawn = {purpose for purpose, is_withdrawn in features.consents if is_withdrawn}
    kept = frozenset(c for c in features.consents if c[0] not in withdrawn)
    return features._replace(consents=kept)


def _categories(value: Any, where: str) -> tuple[Category, ...]:
    if value == "all":
        return CATEGORIES
    try:
        return tuple(Category(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise RegimeLoadError(f"{where}: categories must be 'all' or a list of names") from exc


@dataclass(frozen=True)
class Condition:
    """A parsed `when`/`unless` block: a predicate and the atoms it needs observed."""

    test: Predicate
    observed: dict[str, Observation]
    regimes: frozenset[str] | None = None  # a `regime:` condition: it never holds elsewhere
    # The (agency, purpose) pairs it can hold for; None: any. Lets the prover refine only
    # the classes a condition can be about.
    agencies: frozenset[str] | None = None
    purposes: frozenset[str] | None = None
    options: tuple[Condition, ...] = ()

    def may_hold_under(self, regime: str) -> bool:
        return self.regimes is None or regime in self.regimes

    def may_hold_for(self, agency: str, purpose: str) -> bool:
        if self.agencies is not None and agency not in self.agencies:
            return False
        if self.purposes is not None and purpose not in self.purposes:
            return False
        return not self.options or any(o.may_hold_for(agency, purpose) for o in self.options)


def _field_in(name: str, allowed: frozenset[str]) -> Predicate:
    return lambda _regime, features: str(getattr(features, name)) in allowed


def _regime_in(allowed: frozenset[str]) -> Predicate:
    return lambda regime, _features: regime in allowed


def _crime_in(crimes: tuple[CrimeType, ...]) -> Predicate:
    return lambda _regime, features: any(c in features.crime_types for c in crimes)


def _consents_in_force(purposes: tuple[Purpose, ...], wanted: bool) -> Predicate:
    return lambda _regime, f: all(_in_force(f.consents, p) is wanted for p in purposes)


def _consents_withdrawn(purposes: tuple[Purpose, ...]) -> Predicate:
    return lambda _regime, f: all((p, True) in f.consents for p in purposes)


def _fact_is(name: str, value: bool) -> Predicate:
    return lambda _regime, features: getattr(features, name) is value


def _any(options: Sequence[Condition]) -> Predicate:
    return lambda regime, features: any(o.test(regime, features) for o in options)


def _all(tests: Sequence[Predicate]) -> Predicate:
    return lambda regime, features: all(t(regime, features) for t in tests)


def _consent_probes(purposes: Sequence[Purpose], states: Sequence[bool]) -> tuple[Any, ...]:
    return tuple((p, w) for p in purposes for w in states)


def parse_condition(block: Mapping[str, Any] | None, where: str) -> Condition:
    """Compile a condition block; unknown keys or values are load errors, never ignored."""
    block = block or {}
    unknown = set(block) - _CONDITIONS
    if unknown:
        raise RegimeLoadError(f"{where}: unknown condition(s) {sorted(unknown)}")
    tests: list[Predicate] = []
    observed: dict[str, Observation] = {}
    only: frozenset[str] | None = None
    options: list[Condition] = []
    try:
        for name in _LIST_CONDITIONS:
            if name in block:
                tests.append(_field_in(name, frozenset(str(v) for v in block[name])))
                observed[name] = "full"
        if "regime" in block:
            only = frozenset(str(v) for v in block["regime"])
            tests.append(_regime_in(only))
        if "crime_types_include" in block:
            crimes = tuple(CrimeType(v) for v in block["crime_types_include"])
            tests.append(_crime_in(crimes))
            merge_into(observed, {"crime_types": crimes})
        for name, wanted in (("consent_in_force", True), ("consent_not_in_force", False)):
            if name in block:
                purposes = tuple(Purpose(v) for v in block[name])
                tests.append(_consents_in_force(purposes, wanted))
                merge_into(observed, {"consents": _consent_probes(purposes, (False, True))})
        if "consent_withdrawn" in block:
            purposes = tuple(Purpose(v) for v in block["consent_withdrawn"])
            tests.append(_consents_withdrawn(purposes))
            merge_into(observed, {"consents": _consent_probes(purposes, (True,))})
        for fact, value in (block.get("facts") or {}).items():
            if fact not in Features._fields or fact in ("crime_types", "consents"):
                raise RegimeLoadError(f"{where}: unknown fact {fact!r}")
            tests.append(_fact_is(fact, bool(value)))
            observed[fact] = "full"
        if "any_of" in block:
            options = [parse_condition(o, f"{where}.any_of") for o in block["any_of"]]
            tests.append(_any(options))
            for option in options:
                merge_into(observed, option.observed)
    except (TypeError, ValueError) as exc:
        raise RegimeLoadError(f"{where}: {exc}") from exc
    scope = {
        name: frozenset(str(v) for v in block[name]) if name in block else None
        for name in ("agency", "purpose")
    }
    return Condition(_all(tests), observed, only, scope["agency"], scope["purpose"], tuple(options))


@dataclass(frozen=True)
class Invariant:
    """One guarantee, as written in `invariants.yaml`."""

    id: str
    statement: str
    regimes: frozenset[str] | None  # None: every regime
    when: Condition
    unless: Condition | None
    expect: Mapping[str, Any]

    def applies_to(self, regime: str) -> bool:
        return self.regimes is None or regime in self.regimes

    def covers(self, regime: str, features: Features) -> bool:
        if not self.when.test(regime, features):
            return False
        return self.unless is None or not self.unless.test(regime, features)

    def observed(self, regime: str, agency: str, purpose: str) -> dict[str, Observation]:
        """The atoms this invariant needs told apart under `regime` for one agency and purpose
        (none where it cannot apply)."""
        if not self.when.may_hold_for(agency, purpose):
            return {}
        merged = dict(self.when.observed)
        if (
            self.unless is not None
            and self.unless.may_hold_under(regime)
            and self.unless.may_hold_for(agency, purpose)
        ):
            merge_into(merged, self.unless.observed)
        return merged


def load_invariants(path: Path = INVARIANTS_FILE) -> list[Invariant]:
    """Parse the invariants file, refusing anything it does not understand."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = document["invariants"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        raise RegimeLoadError(f"cannot read invariants in {path}: {exc!r}") from exc
    invariants: list[Invariant] = []
    for number, entry in enumerate(entries, start=1):
        where = f"invariant {entry.get('id') or number}"
        if not str(entry.get("id", "")).strip() or not str(entry.get("statement", "")).strip():
            raise RegimeLoadError(f"{where}: needs an id and a statement")
        expect = entry.get("expect") or {}
        unknown = set(expect) - _EXPECTATIONS
        if unknown or not expect:
            raise RegimeLoadError(f"{where}: unknown or missing expectation(s) {sorted(unknown)}")
        for key in ("not_disclosed", "withheld"):
            if key in expect:
                expect[key] = _categories(expect[key], where)
        regimes = entry.get("regimes", "all")
        invariants.append(
            Invariant(
                id=str(entry["id"]),
                statement=" ".join(str(entry["statement"]).split()),
                regimes=None if regimes == "all" else frozenset(map(str, regimes)),
                when=parse_condition(entry.get("when"), f"{where}.when"),
                unless=parse_condition(entry["unless"], f"{where}.unless")
                if entry.get("unless")
                else None,
                expect=expect,
            )
        )
    if len({i.id for i in invariants}) != len(invariants):
        raise RegimeLoadError("invariant ids must be unique")
    return invariants


# --- checking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """An invariant that fails, with the smallest request that shows it."""

    invariant: str
    statement: str
    regime: str
    detail: str
    request: dict[str, Any]
    classes: int  # how many request classes violate it

    def as_dict(self) -> dict[str, Any]:
        return {
            "invariant": self.invariant,
            "statement": self.statement,
            "regime": self.regime,
            "detail": self.detail,
            "violating_classes": self.classes,
            "counter_example": self.request,
        }


@dataclass
class RegimeProof:
    """The outcome of checking one regime: classes enumerated, time taken, what failed."""

    regime: str
    policy_hash: str
    classes: int
    seconds: float
    invariants: list[str]
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict[str, Any]:
        return {
            "regime": self.regime,
            "policy_hash": self.policy_hash,
            "request_classes": self.classes,
            "seconds": round(self.seconds, 2),
            "invariants_checked": self.invariants,
            "ok": self.ok,
            "violations": [v.as_dict() for v in self.violations],
        }


def _size(features: Features) -> int:
    """How 'big' a counter-example is: true facts, consent records and crime types."""
    flags = sum(1 for name in Features._fields if getattr(features, name) is True)
    return flags + len(features.consents) + len(features.crime_types)


def _failures(
    invariant: Invariant,
    evaluation: Evaluation,
    counterpart: Callable[[], Evaluation],
) -> list[tuple[Category | None, str]]:
    """What this class violates: (category or None, detail)."""
    expect = invariant.expect
    found: list[tuple[Category | None, str]] = []
    verdicts = evaluation.verdicts
    for category in expect.get("not_disclosed", ()):
        if verdicts[category].state is CategoryState.disclose:
            found.append((category, f"{category} is disclosed automatically"))
    for category in expect.get("withheld", ()):
        state = verdicts[category].state
        if state is not CategoryState.withhold:
            what = "sent to review" if state is CategoryState.review else "disclosed"
            found.append((category, f"{category} is {what}, not withheld"))
    if "referral_required" in expect and bool(evaluation.referral) != bool(
        expect["referral_required"]
    ):
        needed = "required" if expect["referral_required"] else "not required"
        found.append((None, f"a referral should be {needed}"))
    if expect.get("permits_name_a_policy"):
        for category in CATEGORIES:
            verdict = verdicts[category]
            if verdict.state is not CategoryState.withhold and (
                not verdict.reason_ids or DEFAULT_DENY.id in verdict.reason_ids
            ):
                found.append((category, f"{category} is let through without naming a policy"))
    if expect.get("no_more_open_than_without_withdrawn_consents"):
        other = counterpart().verdicts
        for category in CATEGORIES:
            if _RANK[verdicts[category].state] > _RANK[other[category].state]:
                found.append(
                    (
                        category,
                        f"{category} is {verdicts[category].state} with the withdrawn consent "
                        f"but {other[category].state} without it",
                    )
                )
    return found


def _counterpart(
    evaluate: Callable[[Features], Evaluation], features: Features
) -> Callable[[], Evaluation]:
    return lambda: evaluate(without_withdrawn_consents(features))


def prove_regime(
    regime: Regime,
    invariants: Sequence[Invariant],
    *,
    projected: bool = True,
    progress: Callable[[int], None] | None = None,
) -> RegimeProof:
    """Enumerate every class `regime` (and its invariants) can tell apart and check each."""
    started = time.perf_counter()
    mine = [i for i in invariants if i.applies_to(regime.name)]

    def extra(agency: str, purpose: str) -> dict[str, Observation]:
        needed: dict[str, Observation] = {}
        for invariant in mine:
            merge_into(needed, invariant.observed(regime.name, str(agency), str(purpose)))
        return needed

    space = ClassSpace([regime], projected=projected, extra=extra, complete_consents=True)
    classes = list(space)
    evaluations = evaluate_classes(regime, classes, progress=progress)
    cache: dict[Features, Evaluation] = {
        c.features: e for c, e in zip(classes, evaluations, strict=True)
    }

    def evaluate(features: Features) -> Evaluation:
        if features not in cache:
            cache[features] = regime.evaluate(features, CATEGORIES)
        return cache[features]

    worst: dict[str, tuple[tuple[int, int], RequestClass, Category | None, str]] = {}
    counts: dict[str, int] = {}
    for request_class, evaluation in zip(classes, evaluations, strict=True):
        features = request_class.features
        for invariant in mine:
            if not invariant.covers(regime.name, features):
                continue
            failures = _failures(invariant, evaluation, _counterpart(evaluate, features))
            if not failures:
                continue
            counts[invariant.id] = counts.get(invariant.id, 0) + 1
            category, detail = failures[0]
            rank = (_size(features), 0 if category is not None else 1)
            if invariant.id not in worst or rank < worst[invariant.id][0]:
                worst[invariant.id] = (rank, request_class, category, detail)
    violations = []
    for invariant in mine:
        if invariant.id not in worst:
            continue
        _, request_class, category, detail = worst[invariant.id]
        categories = [category] if category is not None else list(CATEGORIES)
        violations.append(
            Violation(
                invariant=invariant.id,
                statement=invariant.statement,
                regime=regime.name,
                detail=detail,
                request=request_json(request_class.features, categories),
                classes=counts[invariant.id],
            )
        )
    return RegimeProof(
        regime=regime.name,
        policy_hash=regime.policy_hash,
        classes=len(classes),
        seconds=time.perf_counter() - started,
        invariants=[i.id for i in mine],
        violations=violations,
    )


def prove(
    regimes: Sequence[Regime],
    invariants: Sequence[Invariant] | None = None,
    *,
    projected: bool = True,
) -> list[RegimeProof]:
    """Check every regime in `regimes` against the invariants (default: the shipped file)."""
    chosen = list(invariants) if invariants is not None else load_invariants()
    return [prove_regime(regime, chosen, projected=projected) for regime in regimes]


def write_certificate(directory: Path, proofs: Sequence[RegimeProof], invariants: Path) -> Path:
    """Record that every regime in the pack passed, so the service will load it."""
    failed = [p.regime for p in proofs if not p.ok]
    if failed:
        raise RegimeLoadError(f"not writing a certificate: {', '.join(failed)} failed")
    path = directory / PROOF_CERTIFICATE
    document = {
        "invariants_sha256": invariants_hash(invariants),
        "regimes": {p.regime: p.policy_hash for p in proofs},
        "request_classes": {p.regime: p.classes for p in proofs},
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
