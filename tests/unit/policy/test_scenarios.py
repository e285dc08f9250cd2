"""The scenario table (scenarios.yaml): each regime's rules and the universal rules."""

from __future__ import annotations

from typing import Any

import pytest

from safeshare.policy.fastpath import FastDecider
from safeshare.policy.regimes import get_regime, load_regimes
from tests.unit.policy.builders import TABLE, share_request

SCENARIOS: list[dict[str, Any]] = TABLE["scenarios"]
CASES = [
    pytest.param(scenario, regime, id=f"{regime}: {scenario['name']}")
    for scenario in SCENARIOS
    for regime in scenario["regimes"]
]


def test_table_covers_every_regime_with_at_least_sixty_scenarios() -> None:
    # 40 before issue 13, and at least 25 more for its corrections.
    assert len(SCENARIOS) >= 65
    names = [s["name"] for s in SCENARIOS]
    assert len(set(names)) == len(names)
    covered = {regime for s in SCENARIOS for regime in s["regimes"]}
    assert covered == set(load_regimes())
    for regime in load_regimes():
        own = [s for s in SCENARIOS if s["regimes"] == [regime]]
        assert len(own) >= 4, f"{regime} needs its own scenarios"


@pytest.mark.parametrize(("scenario", "regime"), CASES)
def test_scenario(scenario: dict[str, Any], regime: str) -> None:
    request = share_request(
        requester=scenario.get("requester"),
        subject=scenario.get("subject"),
        categories=scenario.get("categories"),
        pause_crime_types=scenario.get("pause_crime_types"),
    )
    expect = scenario["expect"]
    decision = get_regime(regime).decide(request)

    assert decision.outcome == expect["outcome"]
    assert decision.disclose == expect["disclose"]
    assert set(decision.withhold) == set(request.categories) - set(decision.disclose)
    ids = [reason.id for reason in decision.reasons]
    missing = set(expect.get("reasons", [])) - set(ids)
    assert not missing, f"reasons {ids} lack {missing}"
    assert decision.referral_required is expect.get("referral_required", False)
    assert decision.enforcement_pause_required is expect.get("enforcement_pause_required", False)
    assert FastDecider(get_regime(regime)).decide(request) == decision
