"""Hypothesis: every proof for every size verifies; a changed leaf, root or proof does not."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeshare.ledger import merkle
from safeshare.ledger.errors import InvalidProofError


def _tree(size: int) -> tuple[list[bytes], merkle.MemoryTree]:
    leaves = [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    return leaves, merkle.MemoryTree(leaves)


def _recursive_mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1 written literally, to check the iterative versions against."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(_recursive_mth(leaves[:k]), _recursive_mth(leaves[k:]))


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=300))
def test_root_matches_the_rfc_definition(size: int) -> None:
    leaves, tree = _tree(size)
    assert tree.root() == _recursive_mth(leaves)
    assert merkle.root_from_nodes(size, tree.node) == tree.root()


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_inclusion_proofs_verify_and_detect_changes(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=1, max_value=600), label="tree_size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="leaf_index")
    leaves, tree = _tree(size)
    proof, root = tree.inclusion_proof(index), tree.root()
    merkle.verify_inclusion(index, size, leaves[index], proof, root)
    changed_leaf = merkle.leaf_hash(b"changed")
    with pytest.raises(InvalidProofError):
        merkle.verify_inclusion(index, size, changed_leaf, proof, root)
    with pytest.raises(InvalidProofError):
        merkle.verify_inclusion(index, size, leaves[index], proof, merkle.node_hash(root, root))
    if proof:
        k = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="element")
        bad = list(proof)
        bad[k] = hashlib.sha256(bad[k]).digest()
        with pytest.raises(InvalidProofError):
            merkle.verify_inclusion(index, size, leaves[index], bad, root)


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_consistency_proofs_verify_and_detect_changes(data: st.DataObject) -> None:
    second = data.draw(st.integers(min_value=1, max_value=600), label="second")
    first = data.draw(st.integers(min_value=1, max_value=second), label="first")
    _, tree = _tree(second)
    proof = tree.consistency_proof(first, second)
    first_root, second_root = tree.root(first), tree.root(second)
    merkle.verify_consistency(first, second, first_root, second_root, proof)
    if first == second:
        return
    other = merkle.leaf_hash(b"changed")
    with pytest.raises(InvalidProofError):
        merkle.verify_consistency(first, second, other, second_root, proof)
    with pytest.raises(InvalidProofError):
        merkle.verify_consistency(first, second, first_root, other, proof)
    # A log that rewrote an old leaf cannot prove consistency with its old root.
    leaves, _ = _tree(second)
    victim = data.draw(st.integers(min_value=0, max_value=first - 1), label="victim")
    leaves[victim] = other
    forged = merkle.MemoryTree(leaves)
    with pytest.raises(InvalidProofError):
        merkle.verify_consistency(
            first, second, first_root, forged.root(), forged.consistency_proof(first, second)
        )
