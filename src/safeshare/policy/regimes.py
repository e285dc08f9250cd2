"""Regime packs: read `.cedar` files and the schema, validate, hash and compile them once.

A regime that does not parse, does not validate against the schema, or has a policy
without `@id` and `@reason` refuses to load, with Cedar's error: a force must never run
on a half-loaded policy set.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cedarpy
import rfc8785
import yaml
from cedarpy import pst

from safeshare.policy.engine import PolicyInfo, Regime
from safeshare.policy.errors import RegimeLoadError, UnknownRegimeError
from safeshare.policy.schemas import ReasonEffect

REGIMES_DIR = Path(__file__).with_name("regimes")
MANIFEST = "regimes.yaml"
# With no regime set by an admin, the strictest one applies.
DEFAULT_REGIME = "firewall"
_ANNOTATIONS = frozenset({"id", "reason", "outcome"})
_OBLIGATION_EFFECTS = {
    "referral": ReasonEffect.referral,
    "enforcement_pause": ReasonEffect.enforcement_pause,
}


@dataclass(frozen=True, slots=True)
class PolicyFile:
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class RegimeSource:
    """Everything a regime is made of, as text: enough to rebuild it exactly for replay."""

    name: str
    title: str
    summary: str
    schema_text: str
    files: tuple[PolicyFile, ...]

    @property
    def policy_text(self) -> str:
        """Every policy file, concatenated in load order: what Cedar parses."""
        return "\n".join(f.text for f in self.files)

    def content_hash(self) -> str:
        """SHA-256 of the schema and policy texts (RFC 8785 JSON), not of names or titles."""
        canonical = rfc8785.dumps(
            {"schema": self.schema_text, "policies": [f.text for f in self.files]}
        )
        return hashlib.sha256(canonical).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """JSON stored with decisions so they can be replayed under these exact texts."""
        return {
            "name": self.name,
            "title": self.title,
            "summary": self.summary,
            "schema": self.schema_text,
            "files": [{"name": f.name, "text": f.text} for f in self.files],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RegimeSource:
        """The inverse of `to_json`."""
        return cls(
            name=data["name"],
            title=data["title"],
            summary=data["summary"],
            schema_text=data["schema"],
            files=tuple(PolicyFile(f["name"], f["text"]) for f in data["files"]),
        )


def read_sources(directory: Path = REGIMES_DIR) -> list[RegimeSource]:
    """Read the manifest in `directory` and the files it names."""
    try:
        manifest = yaml.safe_load((directory / MANIFEST).read_text(encoding="utf-8"))
        schema_text = (directory / manifest["schema"]).read_text(encoding="utf-8")
        return [
            RegimeSource(
                name=name,
                title=entry["title"],
                summary=entry["summary"],
                schema_text=schema_text,
                files=tuple(
                    PolicyFile(f, (directory / f).read_text(encoding="utf-8"))
                    for f in entry["files"]
                ),
            )
            for name, entry in manifest["regimes"].items()
        ]
    except (OSError, KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise RegimeLoadError(f"cannot read regimes in {directory}: {exc!r}") from exc


def compile_regime(source: RegimeSource) -> Regime:
    """Parse, validate and index `source`; raise `RegimeLoadError` with Cedar's message."""

    def fail(message: str) -> RegimeLoadError:
        return RegimeLoadError(f"regime {source.name} refused to load: {message}")

    try:
        schema = cedarpy.Schema.from_str(source.schema_text)
    except ValueError as exc:
        raise fail(f"schema: {exc}") from exc
    for policy_file in source.files:  # parse file by file so errors name the file
        try:
            cedarpy.PolicySet.from_str(policy_file.text)
        except ValueError as exc:
            raise fail(f"{policy_file.name}: {exc}") from exc
    text = source.policy_text
    policy_set = cedarpy.PolicySet.from_str(text)
    validation = cedarpy.validate_policies(text, schema)
    if not validation.validation_passed:
        named = validation.id_annotations_by_policy_id
        problems = [
            f"{named.get(e.policy_id, e.policy_id) or 'policy set'}: {e.error}"
            for e in validation.errors
        ]
        raise fail("; ".join(problems) or "validation failed")
    tree = policy_set.to_pst()
    if tree.templates:
        raise fail("templates are not allowed in a regime")
    policies: dict[str, PolicyInfo] = {}
    cedar_ids: dict[str, str] = {}
    for position, (cedar_id, policy) in enumerate(tree.static_policies.items()):
        info = _policy_info(policy, position, fail)
        if info.id in policies:
            raise fail(f"@id {info.id!r} is used twice")
        policies[info.id] = info
        cedar_ids[cedar_id] = info.id
    return Regime(
        name=source.name,
        title=source.title,
        summary=source.summary,
        policy_hash=source.content_hash(),
        policy_set=policy_set,
        schema=schema,
        policies=policies,
        cedar_ids=cedar_ids,
        pst=tree,
        source=source,
    )


def _policy_info(
    policy: pst.Template, position: int, fail: Callable[[str], RegimeLoadError]
) -> PolicyInfo:
    """Check a policy's annotations and work out what it does when it matches."""
    notes = dict(policy.annotations)
    where = f"policy {notes.get('id') or policy.id}"
    unknown = set(notes) - _ANNOTATIONS
    if unknown:
        raise fail(f"{where}: unknown annotation(s) {sorted(unknown)}")
    for key in ("id", "reason"):
        if not (notes.get(key) or "").strip():
            raise fail(f"{where}: every policy needs a non-empty @{key}")
    action = policy.action
    action_id = action.entity.id if isinstance(action, pst.ActionEq) else None
    outcome = notes.get("outcome")
    if policy.effect == "forbid":
        if outcome is not None:
            raise fail(f"{where}: @outcome is only for permit policies")
        effect = ReasonEffect.forbid
    elif action_id == "disclose":
        if outcome not in (None, "review"):
            raise fail(f'{where}: @outcome must be "review"')
        effect = ReasonEffect.review if outcome == "review" else ReasonEffect.permit
    elif action_id == "require" and outcome is None:
        resource = policy.resource
        target = resource.entity if isinstance(resource, pst.ScopeEq) else None
        obligation = target.id if isinstance(target, pst.EntityUid) else None
        if obligation not in _OBLIGATION_EFFECTS:
            raise fail(f"{where}: a require policy must name one Obligation as its resource")
        effect = _OBLIGATION_EFFECTS[str(obligation)]
    else:
        raise fail(f"{where}: a permit must name exactly one action, disclose or require")
    return PolicyInfo(
        id=notes["id"].strip(), reason=notes["reason"].strip(), effect=effect, position=position
    )


PROOF_CERTIFICATE = "proved.json"
# What every regime must guarantee (`safeshare policy prove`); part of what a certificate covers.
INVARIANTS_FILE = Path(__file__).with_name("invariants.yaml")


def compile_pack(directory: Path = REGIMES_DIR) -> dict[str, Regime]:
    """Every regime in `directory`, compiled, without asking whether it was proved."""
    return {source.name: compile_regime(source) for source in read_sources(directory)}


def invariants_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_proof_certificate(directory: Path, regimes: Mapping[str, Regime]) -> None:
    """Refuse a pack whose regimes or invariants changed since `policy prove` passed on it.

    `safeshare policy prove --write-certificate` writes `proved.json` only when every
    invariant holds; a pack without that file (a test's own pack) is not checked.
    """
    path = directory / PROOF_CERTIFICATE
    if not path.exists():
        return
    try:
        certificate = json.loads(path.read_text(encoding="utf-8"))
        proved = certificate["regimes"]
        invariants = certificate["invariants_sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RegimeLoadError(f"cannot read {path}: {exc!r}") from exc
    if invariants != invariants_hash(INVARIANTS_FILE):
        raise RegimeLoadError(
            "the invariants changed since this regime pack was proved: run "
            "`safeshare policy prove --write-certificate`"
        )
    for name, regime in regimes.items():
        if proved.get(name) != regime.policy_hash:
            raise RegimeLoadError(
                f"regime {name} changed since it was proved (or never was): run "
                "`safeshare policy prove --write-certificate`; a pack whose invariants fail "
                "cannot go live"
            )


@lru_cache(maxsize=4)
def load_regimes(directory: Path = REGIMES_DIR) -> Mapping[str, Regime]:
    """Every regime in `directory`, compiled once per process, refused if not proved."""
    regimes = compile_pack(directory)
    check_proof_certificate(directory, regimes)
    return regimes


def get_regime(name: str, directory: Path = REGIMES_DIR) -> Regime:
    """The compiled regime called `name`, or `UnknownRegimeError` listing the known ones."""
    regimes = load_regimes(directory)
    try:
        return regimes[name]
    except KeyError:
        raise UnknownRegimeError(
            f"unknown regime {name!r}; known regimes: {', '.join(regimes)}", field="regime"
        ) from None
