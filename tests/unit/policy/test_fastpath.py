"""The memoised fast path: what each regime can observe, and that memo hits skip Cedar."""

from __future__ import annotations

import cedarpy
import pytest

from safeshare.policy.fastpath import FastDecider, _Uses, projector, request_key
from safeshare.policy.regimes import get_regime
from safeshare.policy.replay import Replay
from safeshare.policy.schemas import Outcome, Purpose
from safeshare.reporting.vocabulary import CrimeType
from tests.unit.policy.builders import share_request


def _uses(condition: str) -> _Uses:
    tree = cedarpy.policies_to_pst(f"permit (principal, action, resource) when {{ {condition} }};")
    uses = _Uses()
    for policy in tree.static_policies.values():
        for clause in policy.clauses:
            uses.scan(clause)
    return uses


def test_contains_with_a_literal_is_a_membership_probe() -> None:
    uses = _uses(
        'context.crime_types.contains(CrimeType::"domestic_abuse") && '
        'context.consents.contains({purpose: Purpose::"victim_support", withdrawn: false})'
    )
    assert uses.observed == {
        "crime_types": {CrimeType.domestic_abuse: None},
        "consents": {(Purpose.victim_support, False): None},
    }
    assert not uses.opaque


@pytest.mark.parametrize(
    ("condition", "attribute"),
    [
        ('context.crime_types.containsAny([CrimeType::"other"])', "crime_types"),
        ("context.crime_types.contains(context.role)", "crime_types"),
        ('context.crime_types.contains(Purpose::"other")', "crime_types"),
        ('context.consents.contains({purpose: Purpose::"victim_support"})', "consents"),
        ("context.consents.isEmpty()", "consents"),
        ("context has status_doubt_only", "status_doubt_only"),
    ],
)
def test_any_other_use_keeps_the_whole_value(condition: str, attribute: str) -> None:
    assert _uses(condition).observed[attribute] == "full"


def test_context_as_a_whole_makes_every_feature_matter() -> None:
    assert _uses("(if true then context else context).status_doubt_only").opaque


def test_a_regime_ignores_what_its_policies_never_read() -> None:
    project = projector(get_regime("firewall"))
    a = share_request(subject={"crime_types": ["domestic_abuse"], "status_doubt_only": True})
    b = share_request(subject={"crime_types": ["other"], "status_doubt_only": False})
    assert project(request_key(a)[0]) == project(request_key(b)[0])
    rec1 = projector(get_regime("hmicfrs-rec1"))
    assert rec1(request_key(a)[0]) != rec1(request_key(b)[0])


def test_rec1_sees_crime_types_only_through_domestic_abuse() -> None:
    project = projector(get_regime("hmicfrs-rec1"))
    a = share_request(subject={"crime_types": ["sexual_offence"]})
    b = share_request(subject={"crime_types": ["modern_slavery", "other"]})
    assert project(request_key(a)[0]) == project(request_key(b)[0])


def test_equivalent_requests_cost_one_cedar_batch() -> None:
    decider = FastDecider(get_regime("npcc-2020"))
    first = share_request(categories=["identity", "contact"])
    again = share_request(categories=["contact", "identity"], subject={"crime_types": ["other"]})
    other_categories = share_request(categories=["address"])
    assert decider.decide(first) == decider.decide(again) == get_regime("npcc-2020").decide(again)
    decider.decide(other_categories)
    assert decider.cedar_batches == 1


def test_replay_counts_outcomes_and_changes_against_the_baseline() -> None:
    replay = Replay([get_regime("firewall"), get_regime("iemvp")])
    enforcement = share_request(
        requester={"agency": "immigration_enforcement", "purpose": "immigration_enforcement"}
    )
    police = share_request()
    changed = replay.add(request_key(enforcement))
    assert changed is not None
    assert [d.outcome for d in changed] == [Outcome.deny, Outcome.review]
    assert replay.add(request_key(police)) is None
    firewall, iemvp = replay.tallies
    assert replay.requests == 2
    assert replay.changed == 1
    assert firewall.outcomes == {Outcome.deny: 1, Outcome.permit: 1}
    assert iemvp.transitions[Outcome.deny, Outcome.review] == 1
    assert iemvp.changed_from_baseline == 1
    assert iemvp.referrals == 1
