"""Evaluate a share request under one compiled regime and explain the decision.

One Cedar request per data category asked for (action `disclose`) and one per obligation
(action `require`), sent to cedarpy as a single batch. How a category's Cedar answer maps to
the contract:

- Deny (a forbid matched, or no permit did): the category is withheld. The forbids are the
  reasons; with none, the pseudo-reason `default.no-permit` says Cedar denied by default.
- Allow, and some satisfied permit is annotated `@outcome("review")`: a disclosure officer
  must decide. Review outranks a plain permit, so review rules cannot be bypassed.
- Allow otherwise: the category may be disclosed; the satisfied permits are the reasons.

The decision's outcome is `review` if any category needs review (and then nothing is
disclosed until the officer decides), else `permit` if any category may go, else `deny`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

import cedarpy

from safeshare.policy.errors import PolicyEvaluationError
from safeshare.policy.schemas import (
    CATEGORIES,
    FIREWALL_CRIME_TYPES,
    Agency,
    Category,
    Decision,
    Outcome,
    Purpose,
    Reason,
    ReasonEffect,
    ShareRequest,
    SubjectRole,
)
from safeshare.reporting.vocabulary import CrimeType

if TYPE_CHECKING:
    from safeshare.policy.regimes import RegimeSource

DEFAULT_DENY = Reason(
    id="default.no-permit",
    effect=ReasonEffect.forbid,
    text=(
        "No policy permits sharing this category with this requester for this purpose, "
        "so it is withheld."
    ),
)


GENERAL_ENQUIRY = Reason(
    id="general.no-record",
    effect=ReasonEffect.review,
    text=(
        "This request names no report, so its facts cannot be checked against a case record: "
        "it can only be refused or decided by a disclosure officer."
    ),
)

# UK GDPR Art.18 and DPA 2018 s.47(2): while processing is restricted the record takes part
# in no new share decision, whatever a policy would allow.
PROCESSING_RESTRICTED = Reason(
    id="restricted.processing",
    effect=ReasonEffect.forbid,
    text=(
        "Processing restricted: this person's data may not be used for a new share while "
        "the restriction is in force."
    ),
)


class CategoryState(StrEnum):
    disclose = "disclose"
    review = "review"
    withhold = "withhold"


class Obligation(StrEnum):
    referral = "referral"
    enforcement_pause = "enforcement_pause"


class Features(NamedTuple):
    """Every fact about a request that a policy can see, in a hashable, canonical form.

    Lists become sets, as Cedar treats them; consents become (purpose, withdrawn) pairs.
    Two requests with equal features get the same Cedar answer for every category.
    `role` is the effective role (see `effective_role`).
    """

    agency: Agency
    purpose: Purpose
    role: SubjectRole
    crime_types: frozenset[CrimeType]
    suspected_of_non_immigration_offence: bool
    status_doubt_only: bool
    investigation_active: bool
    receiving_regularisation_support: bool
    consents: frozenset[tuple[Purpose, bool]]
    pause_crime_types: frozenset[CrimeType] = frozenset(FIREWALL_CRIME_TYPES)


def effective_role(
    role: SubjectRole, *, is_child: bool, crime_types: Iterable[CrimeType]
) -> SubjectRole:
    """A child (under 18) who witnessed domestic abuse is a victim of it (Domestic Abuse Act
    2021 s.3), so every regime protects them as one."""
    if role is SubjectRole.witness and is_child and CrimeType.domestic_abuse in set(crime_types):
        return SubjectRole.victim
    return role


def features_of(request: ShareRequest) -> Features:
    """The canonical features of `request` (everything but the categories asked for)."""
    requester, subject = request.requester, request.subject
    pause = request.pause_crime_types
    return Features(
        requester.agency,
        requester.purpose,
        effective_role(subject.role, is_child=subject.is_child, crime_types=subject.crime_types),
        frozenset(subject.crime_types),
        subject.suspected_of_non_immigration_offence,
        subject.status_doubt_only,
        subject.investigation_active,
        subject.receiving_regularisation_support,
        frozenset([(c.purpose, c.withdrawn) for c in subject.consents]),
        frozenset(FIREWALL_CRIME_TYPES) if pause is None else frozenset(pause),
    )


def _entity(entity_type: str, entity_id: str) -> dict[str, Any]:
    return {"__entity": {"type": entity_type, "id": entity_id}}


# Context attributes renamed since: a stored regime whose schema still declares the old name
# gets the same fact under it, so old decisions replay exactly.
LEGACY_ATTRIBUTES = {"suspected_of_offence": "suspected_of_non_immigration_offence"}
_FACTS_BLOCK = re.compile(r"type\s+Facts\s*=\s*\{(?P<body>[^}]*)\}", re.MULTILINE)
_ATTRIBUTE = re.compile(r"^\s*(\w+)\s*:", re.MULTILINE)


def context_attributes(schema_text: str) -> tuple[str, ...]:
    """The attributes the schema's `Facts` record declares: exactly what Cedar accepts."""
    match = _FACTS_BLOCK.search(schema_text)
    if match is None:
        raise PolicyEvaluationError("the schema declares no `type Facts = {...}` record")
    return tuple(_ATTRIBUTE.findall(match["body"]))


def _context_values(features: Features) -> dict[str, Any]:
    return {
        "purpose": _entity("Purpose", features.purpose),
        "role": _entity("SubjectRole", features.role),
        "crime_types": [_entity("CrimeType", c) for c in sorted(features.crime_types)],
        "suspected_of_non_immigration_offence": features.suspected_of_non_immigration_offence,
        "status_doubt_only": features.status_doubt_only,
        "investigation_active": features.investigation_active,
        "receiving_regularisation_support": features.receiving_regularisation_support,
        "consents": [
            {"purpose": _entity("Purpose", purpose), "withdrawn": withdrawn}
            for purpose, withdrawn in sorted(features.consents)
        ],
        "pause_crime_types": [_entity("CrimeType", c) for c in sorted(features.pause_crime_types)],
    }


def cedar_context(features: Features, attributes: Sequence[str] | None = None) -> str:
    """The Cedar `context` record for `features`, as JSON (serialised once per batch).

    With `attributes` (a schema's `context_attributes`), exactly those, old names included.
    """
    values = _context_values(features)
    if attributes is None:
        return json.dumps(values)
    return json.dumps({name: values[LEGACY_ATTRIBUTES.get(name, name)] for name in attributes})


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """A policy's stable `@id`, its plain-English `@reason`, and what it does when it matches."""

    id: str
    reason: str
    effect: ReasonEffect
    position: int  # load order, so reasons are listed the way the regime is written

    def as_reason(self) -> Reason:
        return Reason(id=self.id, effect=self.effect, text=self.reason)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision on one data category, with the `@id`s of the policies that made it."""

    state: CategoryState
    reason_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Cedar's answers for some categories of one request, plus the obligations."""

    verdicts: Mapping[Category, Verdict]
    referral: tuple[str, ...]  # ids of the policies requiring a referral; empty: none
    enforcement_pause: tuple[str, ...]


def capped_at_review(evaluation: Evaluation) -> Evaluation:
    """A general enquiry (no report) can only be refused or reviewed: what a policy would let
    go goes to a disclosure officer instead, with the reason why."""
    verdicts = {
        category: Verdict(CategoryState.review, (GENERAL_ENQUIRY.id, *verdict.reason_ids))
        if verdict.state is CategoryState.disclose
        else verdict
        for category, verdict in evaluation.verdicts.items()
    }
    return Evaluation(verdicts, evaluation.referral, evaluation.enforcement_pause)


def restricted(evaluation: Evaluation) -> Evaluation:
    """A record under a restriction of processing: every category withheld for that reason
    alone, and no duty to act on the data either."""
    verdicts = {
        category: Verdict(CategoryState.withhold, (PROCESSING_RESTRICTED.id,))
        for category in evaluation.verdicts
    }
    return Evaluation(verdicts, (), ())


# Distinct (features, categories) answers a regime remembers (a few hundred bytes each).
_REMEMBERED = 4096


class Regime:
    """A compiled regime: parsed policy set, schema and id map, built once and reused.

    Build with `safeshare.policy.regimes.compile_regime`, which validates first.
    """

    def __init__(
        self,
        *,
        name: str,
        title: str,
        summary: str,
        policy_hash: str,
        policy_set: cedarpy.PolicySet,
        schema: cedarpy.Schema,
        policies: Mapping[str, PolicyInfo],
        cedar_ids: Mapping[str, str],
        pst: Any,
        source: RegimeSource,
    ) -> None:
        self.name = name
        self.title = title
        self.summary = summary
        self.policy_hash = policy_hash
        self.policies = dict(policies)
        self.pst = pst  # cedarpy.pst.PolicySet, read by the fast path's projection
        self.source = source  # the exact texts hashed, stored with decisions for replay
        self._policy_set = policy_set
        self._schema = schema
        self._cedar_ids = dict(cedar_ids)  # Cedar's positional "policyN" -> our @id
        self._entities = cedarpy.Entities.from_json_str("[]")
        self._remembered: dict[tuple[Features, tuple[Category, ...]], Evaluation] = {}
        self._attributes = context_attributes(source.schema_text)
        self._reasons = {
            DEFAULT_DENY.id: DEFAULT_DENY,
            GENERAL_ENQUIRY.id: GENERAL_ENQUIRY,
            PROCESSING_RESTRICTED.id: PROCESSING_RESTRICTED,
        } | {policy_id: info.as_reason() for policy_id, info in self.policies.items()}

    def __repr__(self) -> str:
        return f"Regime({self.name!r}, policy_hash={self.policy_hash[:12]!r})"

    def decide(
        self, request: ShareRequest, *, general_enquiry: bool = False, is_restricted: bool = False
    ) -> Decision:
        """Decide `request` by evaluating it in Cedar now (the reference path, no memo)."""
        evaluation = self.evaluate(features_of(request), request.categories)
        if general_enquiry:
            evaluation = capped_at_review(evaluation)
        if is_restricted:
            evaluation = restricted(evaluation)
        return self.decision_from(request.categories, evaluation)

    def evaluate(self, features: Features, categories: Iterable[Category]) -> Evaluation:
        """Ask Cedar about each category and each obligation, in one batch call."""
        return self.evaluate_many([features], categories)[0]

    def evaluate_remembered(self, features: Features, categories: Iterable[Category]) -> Evaluation:
        """`evaluate`, remembering the answer for these exact features and categories.

        Cedar's answer depends on nothing else (no entities, no clock), so a repeat is the
        same answer without the ~0.7 ms Cedar call; live decisions repeat a few shapes.
        """
        key = (features, tuple(categories))
        found = self._remembered.get(key)
        if found is None:
            found = self.evaluate(features, key[1])
            if len(self._remembered) >= _REMEMBERED:
                self._remembered.clear()  # rare: a bound, not an eviction policy
            self._remembered[key] = found
        return found

    def evaluate_many(
        self, many: Sequence[Features], categories: Iterable[Category]
    ) -> list[Evaluation]:
        """`evaluate` for several requests in one Cedar batch (the prover sends thousands)."""
        wanted = list(categories)
        requests: list[dict[str, Any]] = []
        for features in many:
            context = cedar_context(features, self._attributes)
            principal = {"type": "Agency", "id": str(features.agency)}
            requests += [
                {
                    "principal": principal,
                    "action": {"type": "Action", "id": "disclose"},
                    "resource": {"type": "Category", "id": str(category)},
                    "context": context,
                }
                for category in wanted
            ] + [
                {
                    "principal": principal,
                    "action": {"type": "Action", "id": "require"},
                    "resource": {"type": "Obligation", "id": str(obligation)},
                    "context": context,
                }
                for obligation in Obligation
            ]
        results = cedarpy.is_authorized_batch(
            requests, self._policy_set, self._entities, schema=self._schema
        )
        answers = [self._answer(result) for result in results]
        stride = len(wanted) + len(Obligation)
        evaluations: list[Evaluation] = []
        for offset in range(0, len(answers), stride):
            mine = answers[offset : offset + stride]
            verdicts = {
                category: self._verdict(allowed, ids)
                for category, (allowed, ids) in zip(wanted, mine[: len(wanted)], strict=True)
            }
            (referral, referral_ids), (pause, pause_ids) = mine[len(wanted) :]
            evaluations.append(
                Evaluation(
                    verdicts=verdicts,
                    referral=referral_ids if referral else (),
                    enforcement_pause=pause_ids if pause else (),
                )
            )
        return evaluations

    def _answer(self, result: cedarpy.AuthzResult) -> tuple[bool, tuple[str, ...]]:
        # Cedar skips a policy whose condition errors; a skipped forbid could let data out,
        # so any evaluation error fails the whole decision instead.
        errors = result.diagnostics.errors
        if errors or result.decision is cedarpy.Decision.NoDecision:
            raise PolicyEvaluationError(
                f"regime {self.name} could not evaluate the request: {'; '.join(map(str, errors))}"
            )
        ids = sorted(
            (self._cedar_ids[cedar_id] for cedar_id in result.diagnostics.reasons),
            key=lambda policy_id: self.policies[policy_id].position,
        )
        return result.allowed, tuple(ids)

    def _verdict(self, allowed: bool, ids: tuple[str, ...]) -> Verdict:
        if not allowed:
            return Verdict(CategoryState.withhold, ids or (DEFAULT_DENY.id,))
        review = tuple(i for i in ids if self.policies[i].effect is ReasonEffect.review)
        if review:
            return Verdict(CategoryState.review, review)
        return Verdict(CategoryState.disclose, ids)

    def decision_from(self, categories: Iterable[Category], evaluation: Evaluation) -> Decision:
        """Assemble the contract decision for `categories` from Cedar's answers."""
        asked = set(categories)
        ordered = [c for c in CATEGORIES if c in asked]
        states = {c: evaluation.verdicts[c].state for c in ordered}
        if CategoryState.review in states.values():
            outcome, disclose = Outcome.review, []
        else:
            disclose = [c for c in ordered if states[c] is CategoryState.disclose]
            outcome = Outcome.permit if disclose else Outcome.deny
        reason_ids: dict[str, None] = {}
        for category in ordered:
            reason_ids.update(dict.fromkeys(evaluation.verdicts[category].reason_ids))
        reason_ids.update(dict.fromkeys(evaluation.referral))
        reason_ids.update(dict.fromkeys(evaluation.enforcement_pause))
        # Built without re-validation: every part came from validated enums and policies.
        return Decision.model_construct(
            regime=self.name,
            policy_hash=self.policy_hash,
            outcome=outcome,
            disclose=disclose,
            withhold=[c for c in ordered if c not in disclose],
            reasons=[self.reason(i) for i in reason_ids],
            referral_required=bool(evaluation.referral),
            enforcement_pause_required=bool(evaluation.enforcement_pause),
        )

    def reason(self, policy_id: str) -> Reason:
        """The contract reason for a policy `@id` (or the default-deny pseudo-reason)."""
        return self._reasons[policy_id]

    def reviewable(self, evaluation: Evaluation, categories: Sequence[Category]) -> list[Category]:
        """Categories a disclosure officer may release: those no policy withheld outright."""
        return [
            c
            for c in CATEGORIES
            if c in categories and evaluation.verdicts[c].state is not CategoryState.withhold
        ]
