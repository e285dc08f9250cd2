"""Regime packs: annotations, validation at load, refusal to load, policy hashes."""

from __future__ import annotations

import shutil
from pathlib import Path

import cedarpy
import pytest

from safeshare.policy.errors import RegimeLoadError, UnknownRegimeError
from safeshare.policy.regimes import (
    REGIMES_DIR,
    compile_regime,
    get_regime,
    load_regimes,
    read_sources,
)
from safeshare.policy.schemas import ReasonEffect
from tests.unit.policy.builders import share_request

CEDAR_FILES = sorted(REGIMES_DIR.glob("*.cedar"))


@pytest.mark.parametrize("path", CEDAR_FILES, ids=lambda p: p.name)
def test_every_policy_has_an_id_and_a_reason(path: Path) -> None:
    tree = cedarpy.policies_to_pst(path.read_text(encoding="utf-8"))
    assert tree.static_policies, f"{path.name} has no policies"
    for policy in tree.static_policies.values():
        notes = dict(policy.annotations)
        assert (notes.get("id") or "").strip(), f"{path.name}: a policy lacks @id"
        assert (notes.get("reason") or "").strip(), f"{path.name}: {notes['id']} lacks @reason"


def test_policy_ids_are_unique_across_every_file() -> None:
    ids = [
        dict(policy.annotations)["id"]
        for path in CEDAR_FILES
        for policy in cedarpy.policies_to_pst(
            path.read_text(encoding="utf-8")
        ).static_policies.values()
    ]
    assert len(ids) == len(set(ids))


def test_every_regime_loads_and_maps_every_cedar_policy() -> None:
    regimes = load_regimes()
    assert set(regimes) == {"firewall", "hmicfrs-rec1", "npcc-2020", "iemvp"}
    for regime in regimes.values():
        count = sum(
            len(cedarpy.policies_to_pst(f.text).static_policies) for f in regime.source.files
        )
        assert len(regime.policies) == count
        assert all(info.reason for info in regime.policies.values())


def test_review_and_obligation_policies_get_their_effects() -> None:
    policies = get_regime("hmicfrs-rec1").policies
    assert policies["rec1.da-victim-status-doubt"].effect is ReasonEffect.forbid
    assert policies["rec1.da-victim-other-concerns-review"].effect is ReasonEffect.review
    assert policies["rec1.da-victim-referral"].effect is ReasonEffect.referral
    assert policies["universal.police-investigation"].effect is ReasonEffect.permit
    assert get_regime("iemvp").policies["iemvp.enforcement-pause"].effect is (
        ReasonEffect.enforcement_pause
    )


def test_policy_hash_is_the_content_hash_recorded_with_each_decision() -> None:
    regimes = load_regimes()
    hashes = {r.policy_hash for r in regimes.values()}
    assert len(hashes) == len(regimes)
    firewall = regimes["firewall"]
    assert firewall.policy_hash == read_sources()[0].content_hash()
    assert firewall.decide(share_request()).policy_hash == firewall.policy_hash


def test_policy_hash_changes_with_any_policy_text(tmp_path: Path) -> None:
    directory = _copy_regimes(tmp_path)
    _edit(
        directory / "firewall.cedar", "only identity, nationality", "only identity and nationality"
    )
    changed = {s.name: s.content_hash() for s in read_sources(directory)}
    original = {name: r.policy_hash for name, r in load_regimes().items()}
    assert changed["firewall"] != original["firewall"]
    assert changed["iemvp"] == original["iemvp"]


def test_unknown_regime_names_the_known_ones() -> None:
    with pytest.raises(UnknownRegimeError, match="firewall"):
        get_regime("open-door")


BREAKAGES = [
    pytest.param(
        "firewall.cedar",
        'Category::"nationality"',
        'Category::"nationalty"',
        "firewall.regularisation-consent",
        id="misspelt-enum-entity",
    ),
    pytest.param(
        "npcc-2020.cedar",
        "when { context.role ==",
        "when { context.rol ==",
        "npcc.ie-case-by-case",
        id="unknown-context-attribute",
    ),
    pytest.param(
        "iemvp.cedar",
        "context.investigation_active &&",
        'context.investigation_active == "yes" &&',
        "iemvp.enforcement-pause",
        id="type-error",
    ),
    pytest.param(
        "universal.cedar",
        "permit (principal ==",
        "permit (principal = =",
        "universal.cedar",
        id="syntax-error",
    ),
    pytest.param(
        "npcc-2020.cedar",
        '@reason("National',
        '@rationale("National',
        "unknown annotation",
        id="misspelt-annotation",
    ),
    pytest.param(
        "iemvp.cedar",
        '@id("iemvp.referral")',
        '@id("iemvp.case-by-case-review")',
        "used twice",
        id="duplicate-id",
    ),
    pytest.param("iemvp.cedar", '@id("iemvp.referral")\n', "", "non-empty @id", id="missing-id"),
    pytest.param(
        "universal.cedar",
        '@reason("Health information is shared only for safeguarding.")\n',
        "",
        "non-empty @reason",
        id="missing-reason",
    ),
    pytest.param(
        "iemvp.cedar",
        'resource == Obligation::"referral"',
        "resource",
        "must name one Obligation",
        id="obligation-without-resource",
    ),
    pytest.param(
        "schema.cedarschema",
        "entity Category enum",
        "entity Category enumm",
        "schema",
        id="broken-schema",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BREAKAGES)
def test_a_regime_that_does_not_validate_refuses_to_load(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    directory = _copy_regimes(tmp_path)
    _edit(directory / file, old, new)
    sources = {s.name: s for s in read_sources(directory)}
    affected = [s for s in sources.values() if any(f.name == file for f in s.files)]
    for source in affected or sources.values():  # the schema is in every regime
        with pytest.raises(RegimeLoadError, match=expected) as caught:
            compile_regime(source)
        assert f"regime {source.name} refused to load" in caught.value.message


def test_an_unreadable_manifest_refuses_to_load(tmp_path: Path) -> None:
    with pytest.raises(RegimeLoadError, match="cannot read regimes"):
        read_sources(tmp_path)


def _copy_regimes(tmp_path: Path) -> Path:
    directory = tmp_path / "regimes"
    shutil.copytree(REGIMES_DIR, directory)
    return directory


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
