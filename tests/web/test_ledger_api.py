"""Ledger API: proofs, checkpoint, entries and public key, checked by an independent verifier.

The verifier below is written from RFC 9162 (sections 2.1.1, 2.1.3 and 2.1.4) and C2SP
signed-note for these tests; it shares no code with `safeshare.ledger`, so the API's
outputs are shown to verify with "any" RFC 9162 verifier, not just the project's own.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.ledger import service
from safeshare.ledger.startup import ensure_signer
from safeshare.runtime import Runtime

LEDGER_ROLES = (Role.inspector, Role.disclosure_officer, Role.admin)
OTHER_ROLES = tuple(role for role in Role if role not in LEDGER_ROLES)
PROBLEM = "application/problem+json"

# --- an independent RFC 9162 verifier ------------------------------------------------------


def rfc_leaf(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def rfc_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """k: the largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) by the recursive definition of section 2.1.1 (leaves already hashed)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return rfc_node(mth(leaves[:k]), mth(leaves[k:]))


def path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) by the recursive definition of section 2.1.3.1."""
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return [*path(m, leaves[:k]), mth(leaves[k:])]
    return [*path(m - k, leaves[k:]), mth(leaves[:k])]


def _subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), mth(leaves[:k])]


def consistency(m: int, leaves: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of section 2.1.4.1 (empty for m = 0 or m = n, as verifiers expect)."""
    return [] if m in (0, len(leaves)) else _subproof(m, leaves, True)


def root_from_inclusion(index: int, size: int, leaf: bytes, audit: list[bytes]) -> bytes | None:
    """Section 2.1.3.2: the root an inclusion proof leads to, or None if it is malformed."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in audit:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = rfc_node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = rfc_node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def consistency_verifies(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]
) -> bool:
    """Section 2.1.4.2 (with the usual trivial cases for first = 0 and first = second)."""
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof or first > second:
        return False
    nodes = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = rfc_node(c, fr), rfc_node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = rfc_node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


def open_signed_checkpoint(note: str, public_key: bytes) -> tuple[str, int, bytes]:
    """Check a C2SP signed note's Ed25519 signature with `cryptography`; parse the checkpoint."""
    split = note.rindex("\n\n")
    text, signatures = note[: split + 1], note[split + 2 :].splitlines()
    assert signatures, "no signature lines"
    line = signatures[0]
    assert line.startswith("\u2014 "), "signature lines start with an em dash and a space"
    name, b64 = line[2:].split(" ")
    blob = base64.b64decode(b64, validate=True)
    key_id, signature = blob[:4], blob[4:]
    assert key_id == hashlib.sha256(name.encode() + b"\n\x01" + public_key).digest()[:4]
    Ed25519PublicKey.from_public_bytes(public_key).verify(signature, text.encode())
    origin, size, root = text.removesuffix("\n").split("\n")[:3]
    assert origin == name, "the key is named after the log origin"
    return origin, int(size), base64.b64decode(root, validate=True)


def hx(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def test_the_independent_verifier_rejects_what_it_should() -> None:
    leaves = [rfc_leaf(b"e%d" % i) for i in range(13)]
    root = mth(leaves)
    assert root_from_inclusion(5, 13, leaves[5], path(5, leaves)) == root
    assert root_from_inclusion(5, 13, leaves[6], path(5, leaves)) != root
    assert consistency_verifies(7, 13, mth(leaves[:7]), root, consistency(7, leaves))
    assert consistency_verifies(8, 13, mth(leaves[:8]), root, consistency(8, leaves))
    assert not consistency_verifies(7, 13, mth(leaves[:6]), root, consistency(7, leaves))
    assert not consistency_verifies(7, 13, mth(leaves[:7]), leaves[0], consistency(7, leaves))


# --- fixtures ------------------------------------------------------------------------------


def seed_ledger(runtime: Runtime, count: int) -> None:
    """Append entries and sign a checkpoint, as the app's event handler and timer would."""
    with runtime.session() as session:
        service.append_entries(
            session,
            records=[
                service.EntryInput(
                    "policy.decision" if i % 3 else "vault.read",
                    f"officer-{i % 4}",
                    {"case": f"C-{i}", "decision_id": i},
                )
                for i in range(count)
            ],
        )
    with runtime.session() as session:
        service.create_checkpoint(
            session,
            signer=ensure_signer(runtime.settings),
            origin=runtime.settings.ledger_origin,
        )


@pytest.fixture(scope="module")
def seeded(web_runtime: Runtime) -> None:
    seed_ledger(web_runtime, 21)
    seed_ledger(web_runtime, 16)


@pytest.fixture
def api(app: FastAPI, api_tokens: dict[Role, str], seeded: None) -> Callable[..., httpx.Response]:
    client = TestClient(app, follow_redirects=False)

    def get(path: str, role: Role = Role.inspector, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {api_tokens[role]}", **kwargs.pop("headers", {})}
        response: httpx.Response = client.get(path, headers=headers, **kwargs)
        return response

    return get


def _all_leaves(api: Callable[..., httpx.Response], size: int) -> list[bytes]:
    """Every leaf hash, recomputed from the entry bytes the API serves."""
    leaves = []
    for seq in range(size):
        entry = api(f"/api/v1/ledger/entries/{seq}").json()
        leaf = rfc_leaf(entry["canonical"].encode())
        assert leaf.hex() == entry["leaf_hash"]
        leaves.append(leaf)
    return leaves


# --- proofs --------------------------------------------------------------------------------


def test_inclusion_proofs_verify_independently(api: Callable[..., httpx.Response]) -> None:
    checkpoint = api("/api/v1/ledger/checkpoint").json()
    size = checkpoint["tree_size"]
    leaves = _all_leaves(api, size)
    assert mth(leaves).hex() == checkpoint["root_hash"]
    for index in range(size):
        response = api("/api/v1/ledger/proof/inclusion", params={"index": index, "size": size})
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["leaf_index", "tree_size", "leaf_hash", "root_hash", "audit_path"]
        assert (body["leaf_index"], body["tree_size"]) == (index, size)
        assert body["leaf_hash"] == leaves[index].hex()
        assert body["root_hash"] == checkpoint["root_hash"]
        assert hx(body["audit_path"]) == path(index, leaves)
        root = root_from_inclusion(index, size, leaves[index], hx(body["audit_path"]))
        assert root is not None and root.hex() == body["root_hash"]
    # A proof for a different leaf does not verify.
    proof = api("/api/v1/ledger/proof/inclusion", params={"index": 3, "size": size}).json()
    wrong = root_from_inclusion(3, size, leaves[4], hx(proof["audit_path"]))
    assert wrong is None or wrong.hex() != proof["root_hash"]


def test_inclusion_proof_defaults_to_the_current_size_and_matches_the_cli(
    api: Callable[..., httpx.Response], web_runtime: Runtime
) -> None:
    body = api("/api/v1/ledger/proof/inclusion", params={"index": 0}).json()
    with web_runtime.session() as session:
        # `safeshare ledger prove --index 0` prints exactly this dictionary as JSON.
        assert body["tree_size"] >= service.tree_size(session) - 1
        assert body == service.inclusion_proof(session, leaf_index=0, size=body["tree_size"])
    leaf = bytes.fromhex(body["leaf_hash"])
    root = root_from_inclusion(0, body["tree_size"], leaf, hx(body["audit_path"]))
    assert root is not None and root.hex() == body["root_hash"]


def test_consistency_proofs_verify_independently(api: Callable[..., httpx.Response]) -> None:
    second = api("/api/v1/ledger/checkpoint").json()["tree_size"]
    leaves = _all_leaves(api, second)
    for first in range(second + 1):
        response = api("/api/v1/ledger/proof/consistency", params={"from": first, "to": second})
        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["first", "second", "first_root", "second_root", "proof"]
        assert (body["first"], body["second"]) == (first, second)
        assert body["first_root"] == mth(leaves[:first]).hex()
        assert body["second_root"] == mth(leaves).hex()
        assert hx(body["proof"]) == consistency(first, leaves)
        args = (first, second, bytes.fromhex(body["first_root"]))
        assert consistency_verifies(*args, bytes.fromhex(body["second_root"]), hx(body["proof"]))
        if 0 < first < second:
            assert not consistency_verifies(*args, leaves[0], hx(body["proof"]))


def test_consistency_between_the_signed_checkpoints(
    api: Callable[..., httpx.Response], web_runtime: Runtime
) -> None:
    """Each signed checkpoint extends the one before it, as an auditor would check."""
    with web_runtime.session() as session:
        checkpoints = service.list_checkpoints(session)
    assert len(checkpoints) >= 2
    for before, after in itertools.pairwise(checkpoints):
        body = api(
            "/api/v1/ledger/proof/consistency",
            params={"from": before.tree_size, "to": after.tree_size},
        ).json()
        assert body["first_root"] == before.root_hash.hex()
        assert body["second_root"] == after.root_hash.hex()
        assert consistency_verifies(
            before.tree_size, after.tree_size, before.root_hash, after.root_hash, hx(body["proof"])
        )
    latest = api("/api/v1/ledger/proof/consistency", params={"from": 1}).json()
    assert latest["second"] >= checkpoints[-1].tree_size


# --- checkpoint and public key -------------------------------------------------------------


def test_checkpoint_signature_verifies_with_cryptography(
    api: Callable[..., httpx.Response], web_runtime: Runtime
) -> None:
    key = api("/api/v1/ledger/public-key").json()
    public_key = base64.b64decode(key["public_key"])
    assert key["algorithm"] == "Ed25519" and len(public_key) == 32
    name, key_id, material = key["verifier_key"].split("+", 2)
    assert (name, key_id) == (key["key_name"], key["key_id"])
    assert base64.b64decode(material) == b"\x01" + public_key

    response = api("/api/v1/ledger/checkpoint")
    assert response.status_code == 200
    body = response.json()
    origin, size, root = open_signed_checkpoint(body["note"], public_key)
    assert origin == web_runtime.settings.ledger_origin == body["origin"] == key["origin"]
    assert (size, root.hex()) == (body["tree_size"], body["root_hash"])
    assert (body["key_name"], body["key_id"]) == (key["key_name"], key["key_id"])
    assert body["created_at"] and body["number"] >= 2
    # The signed root is the root an independent verifier computes from the entries.
    assert mth(_all_leaves(api, size)) == root

    forged = body["note"].replace(f"\n{size}\n", f"\n{size + 1}\n")
    with pytest.raises(InvalidSignature):
        open_signed_checkpoint(forged, public_key)


@pytest.mark.parametrize(
    ("params", "headers"),
    [({"format": "note"}, {}), ({}, {"Accept": "text/plain"})],
    ids=["format-note", "accept-text"],
)
def test_checkpoint_as_a_raw_signed_note(
    api: Callable[..., httpx.Response], params: dict[str, str], headers: dict[str, str]
) -> None:
    response = api("/api/v1/ledger/checkpoint", params=params, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == api("/api/v1/ledger/checkpoint").json()["note"]
    text, _, signature = response.text.rpartition("\n\n")
    assert signature.startswith("\u2014 ") and response.text.endswith("\n")
    assert len(text.split("\n")) == 3  # origin, size, base64 root hash
    public_key = base64.b64decode(api("/api/v1/ledger/public-key").json()["public_key"])
    open_signed_checkpoint(response.text, public_key)


def test_public_key_is_public(anon: TestClient) -> None:
    response = anon.get("/api/v1/ledger/public-key")
    assert response.status_code == 200
    assert set(response.json()) == {
        "origin",
        "key_name",
        "key_id",
        "algorithm",
        "signature_type",
        "public_key",
        "verifier_key",
    }


# --- entries -------------------------------------------------------------------------------


def test_entry_holds_the_hashed_bytes(api: Callable[..., httpx.Response]) -> None:
    body = api("/api/v1/ledger/entries/4").json()
    assert set(body) == {"seq", "ts", "actor", "kind", "data", "prev", "leaf_hash", "canonical"}
    assert body["seq"] == 4
    assert rfc_leaf(body["canonical"].encode()).hex() == body["leaf_hash"]
    previous = api("/api/v1/ledger/entries/3").json()
    assert body["prev"] == previous["leaf_hash"]


@pytest.mark.parametrize("role", LEDGER_ROLES)
def test_ledger_roles_can_read_entries(api: Callable[..., httpx.Response], role: Role) -> None:
    assert api("/api/v1/ledger/entries/0", role=role).status_code == 200
    assert api("/api/v1/ledger/checkpoint", role=role).status_code == 200
    assert api("/api/v1/ledger/proof/inclusion?index=0", role=role).status_code == 200


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_cannot_read_the_ledger(api: Callable[..., httpx.Response], role: Role) -> None:
    """Officers, supervisors, advocates and PCC analysts see no entry, proof or checkpoint."""
    for target in (
        "/api/v1/ledger/entries/0",
        "/api/v1/ledger/checkpoint",
        "/api/v1/ledger/checkpoint?format=note",
        "/api/v1/ledger/proof/inclusion?index=0",
        "/api/v1/ledger/proof/consistency?from=1",
    ):
        response = api(target, role=role)
        assert response.status_code == 403, (role, target)
        assert "officer-" not in response.text and "leaf_hash" not in response.text


def test_anonymous_api_requests_are_refused(anon: TestClient, seeded: None) -> None:
    response = anon.get("/api/v1/ledger/entries/0")
    assert response.status_code == 401
    assert "officer-" not in response.text


# --- parameter validation ------------------------------------------------------------------


def _size(api: Callable[..., httpx.Response]) -> int:
    size: int = api("/api/v1/ledger/proof/consistency", params={"from": 0}).json()["second"]
    return size


def _bad_requests(size: int) -> list[tuple[str, dict[str, Any], str]]:
    huge = 10**30
    inclusion, consistency_ = "/api/v1/ledger/proof/inclusion", "/api/v1/ledger/proof/consistency"
    return [
        (inclusion, {}, "index"),
        (inclusion, {"index": -1}, "index"),
        (inclusion, {"index": "one"}, "index"),
        (inclusion, {"index": huge}, "index"),
        (inclusion, {"index": 0, "size": -2}, "size"),
        (inclusion, {"index": 0, "size": huge}, "size"),
        (consistency_, {}, "from"),
        (consistency_, {"from": -1}, "from"),
        (consistency_, {"from": "x"}, "from"),
        (consistency_, {"from": 1, "to": -4}, "to"),
        ("/api/v1/ledger/checkpoint", {"format": "xml"}, "format"),
        ("/api/v1/ledger/entries/-1", {}, "seq"),
        ("/api/v1/ledger/entries/abc", {}, "seq"),
        (f"/api/v1/ledger/entries/{huge}", {}, "seq"),
    ]


def test_bad_parameters_are_422_problems_naming_the_parameter(
    api: Callable[..., httpx.Response],
) -> None:
    cases = _bad_requests(_size(api))
    for target, params, name in cases:
        response = api(target, params=params)
        assert response.status_code == 422, (target, params, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        problem = response.json()
        assert problem["status"] == 422
        fields = [
            e["field"].removeprefix("query.").removeprefix("path.") for e in problem["errors"]
        ]
        assert fields == [name], (target, params, problem)


def test_proofs_the_log_does_not_have_are_404_problems_naming_the_parameter(
    api: Callable[..., httpx.Response],
) -> None:
    size = _size(api)
    inclusion, consistency_ = "/api/v1/ledger/proof/inclusion", "/api/v1/ledger/proof/consistency"
    for target, params, name in [
        (inclusion, {"index": size + 5}, "index"),
        (inclusion, {"index": 3, "size": 3}, "index"),
        (inclusion, {"index": 0, "size": 0}, "index"),
        (inclusion, {"index": 0, "size": size + 1000}, "size"),
        (consistency_, {"from": size + 1000}, "from"),
        (consistency_, {"from": 5, "to": 4}, "from"),
        (consistency_, {"from": 1, "to": size + 1000}, "to"),
    ]:
        response = api(target, params=params)
        assert response.status_code == 404, (target, params, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        assert [e["field"] for e in response.json()["errors"]] == [name], (target, params)


def test_missing_entry_is_a_404_problem(api: Callable[..., httpx.Response]) -> None:
    response = api("/api/v1/ledger/entries/999999")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)
