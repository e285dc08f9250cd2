"""RFC 9162 section 2 against the Certificate Transparency fixed vectors, plus corruptions."""

from __future__ import annotations

from typing import Any

import pytest

from safeshare.ledger import merkle
from safeshare.ledger.errors import InvalidProofError, ProofRequestError

h = bytes.fromhex
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def _leaf_hashes(v: dict[str, Any]) -> list[bytes]:
    return [merkle.leaf_hash(h(x)) for x in v["leaves"]]


def test_hash_functions(merkle_vectors: dict[str, Any]) -> None:
    hashes = merkle_vectors["hashes"]
    assert merkle.EMPTY_ROOT.hex() == hashes["empty_root"]
    assert merkle.leaf_hash(b"").hex() == hashes["leaf_empty"]["leaf_hash"]
    assert merkle.leaf_hash(b"L123456").hex() == hashes["leaf_L123456"]["leaf_hash"]
    assert merkle.node_hash(b"N123", b"N456").hex() == hashes["node_N123_N456"]["node_hash"]


def test_roots_for_every_size(merkle_vectors: dict[str, Any]) -> None:
    leaves = _leaf_hashes(merkle_vectors)
    assert merkle.root_hash([]) == merkle.EMPTY_ROOT
    for size, root in merkle_vectors["roots"].items():
        assert merkle.root_hash(leaves[: int(size)]).hex() == root


def test_inclusion_proofs_match_and_verify(merkle_vectors: dict[str, Any]) -> None:
    leaves, roots = _leaf_hashes(merkle_vectors), merkle_vectors["roots"]
    tree = merkle.MemoryTree(leaves)
    for case in merkle_vectors["inclusion"]:
        i, n, path = case["leaf_index"], case["tree_size"], [h(p) for p in case["audit_path"]]
        assert tree.inclusion_proof(i, n) == path
        merkle.verify_inclusion(i, n, leaves[i], path, h(roots[str(n)]))


def test_consistency_proofs_match_and_verify(merkle_vectors: dict[str, Any]) -> None:
    leaves, roots = _leaf_hashes(merkle_vectors), merkle_vectors["roots"]
    tree = merkle.MemoryTree(leaves)
    for case in merkle_vectors["consistency"]:
        m, n, proof = case["first"], case["second"], [h(p) for p in case["proof"]]
        assert tree.consistency_proof(m, n) == proof
        merkle.verify_consistency(m, n, h(roots[str(m)]), h(roots[str(n)]), proof)


def _inclusion_corruptions(
    i: int, n: int, leaf: bytes, path: list[bytes], root: bytes
) -> list[tuple[int, int, bytes, list[bytes], bytes]]:
    """The probes the reference verifier tests reject (wrong index, size, leaf, root, path)."""
    probes = [
        (i - 1, n, leaf, path, root),
        (i + 1, n, leaf, path, root),
        (i ^ 2, n, leaf, path, root),
        (i, n * 2, leaf, path, root),
        (i, n // 2, leaf, path, root),
        (i, n, SOME_HASH, path, root),
        (i, n, leaf, path, merkle.EMPTY_ROOT),
        (i, n, leaf, path, SOME_HASH),
        (i, n, leaf, [*path, root], root),
        (i, n, leaf, [root, *path], root),
    ]
    for k in range(len(path)):
        flipped = list(path)
        flipped[k] = bytes([flipped[k][0] ^ 8]) + flipped[k][1:]
        probes.append((i, n, leaf, flipped, root))
    if path:
        probes.append((i, n, leaf, path[:-1], root))
    return probes


def test_corrupted_inclusion_proofs_fail(merkle_vectors: dict[str, Any]) -> None:
    leaves, roots = _leaf_hashes(merkle_vectors), merkle_vectors["roots"]
    for case in merkle_vectors["inclusion"][1:]:
        i, n = case["leaf_index"], case["tree_size"]
        path = [h(p) for p in case["audit_path"]]
        for probe in _inclusion_corruptions(i, n, leaves[i], path, h(roots[str(n)])):
            with pytest.raises(InvalidProofError):
                merkle.verify_inclusion(*probe)


def test_corrupted_consistency_proofs_fail(merkle_vectors: dict[str, Any]) -> None:
    roots = merkle_vectors["roots"]
    for case in merkle_vectors["consistency"][1:]:
        m, n, proof = case["first"], case["second"], [h(p) for p in case["proof"]]
        r1, r2 = h(roots[str(m)]), h(roots[str(n)])
        probes = [
            (m - 1, n, r1, r2, proof),
            (m + 1, n, r1, r2, proof),
            (m ^ 2, n, r1, r2, proof),
            (m, n * 2, r1, r2, proof),
            (m, n // 2, r1, r2, proof),
            (m, n, SOME_HASH, r2, proof),
            (m, n, r1, SOME_HASH, proof),
            (m, n, r2, r1, proof),
            (m, n, r1, r2, []),
            (m, n, r1, r2, [*proof, r1]),
            (m, n, r1, r2, [r2, *proof]),
            (m, n, r1, r2, [proof[0], *proof]),
            (m, n, r1, r2, proof[:-1]),
        ]
        for k in range(len(proof)):
            flipped = list(proof)
            flipped[k] = bytes([flipped[k][0] ^ 16]) + flipped[k][1:]
            probes.append((m, n, r1, r2, flipped))
        for probe in probes:
            with pytest.raises(InvalidProofError):
                merkle.verify_consistency(*probe)


def test_edge_cases_follow_the_reference_verifier() -> None:
    leaf = merkle.leaf_hash(b"data")
    merkle.verify_inclusion(0, 1, leaf, [], leaf)
    for index, size in [(0, 0), (1, 0), (2, 1)]:
        with pytest.raises(InvalidProofError):
            merkle.verify_inclusion(index, size, SOME_HASH, [], merkle.EMPTY_ROOT)
    with pytest.raises(InvalidProofError):
        merkle.verify_inclusion(0, 1, b"", [], leaf)
    merkle.verify_consistency(0, 0, SOME_HASH, SOME_HASH, [])
    merkle.verify_consistency(0, 5, SOME_HASH, merkle.EMPTY_ROOT, [])
    for args in [
        (1, 1, SOME_HASH, leaf, []),
        (1, 0, SOME_HASH, leaf, []),
        (1, 2, SOME_HASH, leaf, []),
        (1, 1, leaf, leaf, [leaf]),
    ]:
        with pytest.raises(InvalidProofError):
            merkle.verify_consistency(*args)


def test_proof_requests_outside_the_tree_are_refused() -> None:
    with pytest.raises(ProofRequestError):
        merkle.inclusion_ranges(5, 5)
    with pytest.raises(ProofRequestError):
        merkle.consistency_ranges(6, 5)


def test_range_nodes_are_complete_aligned_subtrees() -> None:
    assert merkle.range_nodes(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert merkle.range_nodes(8, 13) == [(2, 2), (0, 12)]
    assert merkle.range_nodes(12, 16) == [(2, 3)]
    assert merkle.range_nodes(0, 0) == []
