"""`policy prove` and `policy diff`: exhaustive over request classes, not sampled.

A deliberately broken pack must be caught with the smallest counter-example; the diff between
two regimes must match a hand-written expectation on a slice; the projection the proof relies
on must agree with Cedar on unprojected requests.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeshare.policy.classes import ClassSpace, evaluate_classes, full_domain, is_valid
from safeshare.policy.cli import app
from safeshare.policy.diff import diff_regimes
from safeshare.policy.engine import Features
from safeshare.policy.errors import RegimeLoadError
from safeshare.policy.prove import load_invariants, prove_regime
from safeshare.policy.regimes import (
    REGIMES_DIR,
    check_proof_certificate,
    compile_pack,
    load_regimes,
)
from safeshare.policy.schemas import (
    Agency,
    Purpose,
    SubjectRole,
    parse_share_request,
)
from safeshare.reporting.vocabulary import CrimeType

runner = CliRunner()

# A plausible one-word slip in the firewall: accept a *withdrawn* consent instead of an
# unwithdrawn one. It leaks identity, nationality and immigration status.
_IN_FORCE = (
    'context.consents.contains({purpose: Purpose::"regularisation_support", withdrawn: false}) &&\n'
    '  !context.consents.contains({purpose: Purpose::"regularisation_support", withdrawn: true})'
)
_WITHDRAWN = (
    'context.consents.contains({purpose: Purpose::"regularisation_support", withdrawn: true})'
)


@pytest.fixture
def broken_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(REGIMES_DIR, pack)
    (pack / "proved.json").unlink(missing_ok=True)
    firewall = pack / "firewall.cedar"
    text = firewall.read_text()
    assert text.count(_IN_FORCE) == 2
    firewall.write_text(text.replace(_IN_FORCE, _WITHDRAWN))
    return pack


def test_every_shipped_regime_holds_every_invariant() -> None:
    invariants = load_invariants()
    for regime in compile_pack().values():
        proof = prove_regime(regime, invariants)
        assert proof.ok, [v.as_dict() for v in proof.violations]
        assert proof.classes > 0 and proof.invariants


def test_a_broken_pack_is_caught_with_the_smallest_counter_example(broken_pack: Path) -> None:
    arguments = ["prove", "--pack", str(broken_pack), "--regime", "firewall", "--json"]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    violations = {v["invariant"]: v for v in report["regimes"][0]["violations"]}
    leak = violations["no-automatic-immigration-status-to-immigration-enforcement"]
    assert leak["counter_example"]["categories"] == ["immigration_status"]
    subject = leak["counter_example"]["subject"]
    assert subject["consents"] == [{"purpose": "regularisation_support", "withdrawn": True}]
    assert leak["counter_example"]["requester"]["purpose"] == "regularisation_support"
    flags = [k for k, v in subject.items() if v is True]
    assert flags == [], "the smallest counter-example has no true facts"
    assert "withdrawn-consent-opens-nothing" in violations
    # The counter-example is a valid request (as `policy check` reads it) and really leaks.
    request = parse_share_request(json.dumps(leak["counter_example"]).encode())
    decision = compile_pack(broken_pack)["firewall"].decide(request)
    assert decision.disclose == ["immigration_status"]


def test_a_broken_pack_cannot_be_certified_or_loaded(broken_pack: Path) -> None:
    result = runner.invoke(app, ["prove", "--pack", str(broken_pack), "--write-certificate"])
    assert result.exit_code == 1
    assert not (broken_pack / "proved.json").exists()
    # A certificate from the good pack does not let the edited one load.
    shutil.copy(REGIMES_DIR / "proved.json", broken_pack / "proved.json")
    with pytest.raises(RegimeLoadError, match="changed since it was proved"):
        check_proof_certificate(broken_pack, compile_pack(broken_pack))


def test_the_shipped_pack_is_certified() -> None:
    check_proof_certificate(REGIMES_DIR, compile_pack())
    assert set(load_regimes()) == set(compile_pack())


def test_the_diff_matches_a_hand_written_slice() -> None:
    regimes = compile_pack()
    result = diff_regimes(regimes["firewall"], regimes["hmicfrs-rec1"])
    assert result.differing > 0 and result.rules

    def request(role: SubjectRole, crime: CrimeType, doubt_only: bool, **facts: bool) -> Features:
        values = {name: False for name in Features._fields}
        values.update(
            agency=Agency.immigration_enforcement,
            purpose=Purpose.immigration_enforcement,
            role=role,
            crime_types=frozenset({crime}),
            consents=frozenset(),
            status_doubt_only=doubt_only,
            **facts,
        )
        return Features(**values)

    # Immigration enforcement asks, for its own purpose, with no consent recorded. The firewall
    # shares nothing and asks for nothing; recommendation 1 refers a domestic abuse victim whose
    # only concern is status, and sends everyone else to review (health is never reviewable).
    victim_da_doubt = result.rule_for(request(SubjectRole.victim, CrimeType.domestic_abuse, True))
    assert victim_da_doubt is not None
    assert victim_da_doubt.first == "shares nothing"
    assert victim_da_doubt.second == "shares nothing; requires a referral"
    review_all_but_health = (
        "sends identity, contact, address, nationality, immigration status, offence details "
        "to review"
    )
    for role, crime, doubt in (
        (SubjectRole.victim, CrimeType.domestic_abuse, False),
        (SubjectRole.victim, CrimeType.other, True),
        (SubjectRole.witness, CrimeType.domestic_abuse, True),
    ):
        rule = result.rule_for(request(role, crime, doubt))
        assert rule is not None, (role, crime, doubt)
        assert (rule.first, rule.second) == ("shares nothing", review_all_but_health)
    # Police investigating: both regimes agree, so it is in no rule.
    police = request(SubjectRole.victim, CrimeType.domestic_abuse, False)._replace(
        agency=Agency.police, purpose=Purpose.criminal_investigation
    )
    assert result.rule_for(police) is None
    # Every rule is exact: its example request really is decided as the rule says.
    for rule in result.rules:
        assert rule.classes >= 1 and rule.first != rule.second


def test_diff_cli_prints_markdown_and_json() -> None:
    markdown = runner.invoke(app, ["diff", "firewall", "npcc-2020"])
    assert markdown.exit_code == 0
    assert markdown.stdout.startswith("# firewall compared with npcc-2020")
    as_json = runner.invoke(app, ["diff", "firewall", "npcc-2020", "--format", "json"])
    document = json.loads(as_json.stdout)
    assert document["differing_classes"] == sum(r["request_classes"] for r in document["rules"])
    unknown = runner.invoke(app, ["diff", "firewall", "nope"])
    assert unknown.exit_code == 2


@pytest.mark.parametrize("name", sorted(compile_pack()))
def test_the_projection_agrees_with_cedar_on_unprojected_requests(name: str) -> None:
    """Random requests from the whole, unprojected space get exactly their class's answers.

    The whole unprojected space (tens of millions of requests) is `policy prove
    --unprojected`; here a seeded sample of every feature's full domain is checked.
    """
    regime = compile_pack()[name]
    space = ClassSpace([regime])
    classes = list(space)
    answers = dict(zip((c.key for c in classes), evaluate_classes(regime, classes), strict=True))
    rng = random.Random(f"projection-{name}")
    samples = []
    while len(samples) < 400:
        values = {field: rng.choice(full_domain(field)) for field in Features._fields}
        features = Features(**(values | space.settings))  # settings are not request facts
        if is_valid(features):
            samples.append(features)
    direct = regime.evaluate_many(samples, list(answers[classes[0].key].verdicts))
    for features, evaluation in zip(samples, direct, strict=True):
        assert evaluation == answers[space.key_of(features)], features
