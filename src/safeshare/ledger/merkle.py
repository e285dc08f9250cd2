"""RFC 9162 section 2 Merkle trees: hashes, tree heads, inclusion and consistency proofs.

Pure functions over bytes. A "node" (level, index) is the complete subtree of 2**level leaves
starting at leaf index * 2**level. Proof generation is split into a *plan* (which ranges of
leaves each proof element covers, hence which complete nodes are needed) and *assembly* from
those node hashes, so a database-backed log can fetch every needed node in one query
instead of re-hashing the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

from safeshare.ledger.errors import InvalidProofError, ProofRequestError

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) = SHA-256(), RFC 9162 section 2.1.1

NodeId = tuple[int, int]  # (level, index)
Range = tuple[int, int]  # leaves [start, end)
NodeGetter = Callable[[int, int], bytes]


def leaf_hash(entry: bytes) -> bytes:
    """MTH({d0}) = SHA-256(0x00 || d0) (RFC 9162 section 2.1.1)."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right) for an interior node (RFC 9162 section 2.1.1)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """k in RFC 9162 section 2.1.1: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[NodeId]:
    """The complete nodes whose hashes fold into MTH(D[start:end]).

    Every range the RFC's recursions produce starts at a multiple of a power of two at least
    as large as the range, so it splits greedily into complete subtrees of decreasing size.
    """
    nodes: list[NodeId] = []
    while start < end:
        size = end - start
        level = size.bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Right fold of complete-subtree hashes: MTH of their concatenated leaves (section 2.1.1)."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def inclusion_ranges(leaf_index: int, tree_size: int) -> list[Range]:
    """Leaf ranges of PATH(m, D[n]) elements, leaf end first (RFC 9162 section 2.1.3.1)."""
    if not 0 <= leaf_index < tree_size:
        raise ProofRequestError(f"leaf index {leaf_index} is not in a tree of size {tree_size}")
    ranges: list[Range] = []
    lo, hi = 0, tree_size
    while hi - lo > 1:
        k = _largest_power_of_two_below(hi - lo)
        if leaf_index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def consistency_ranges(first: int, second: int) -> list[Range]:
    """Leaf ranges of PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 section 2.1.4.1).

    As in the reference implementations, sizes 0 and m == n give an empty proof.
    """
    if not 0 <= first <= second:
        raise ProofRequestError(f"no consistency proof from size {first} to size {second}")
    if first == 0 or first == second:
        return []
    ranges: list[Range] = []
    lo, hi, m, complete = 0, second, first, True
    while m != hi - lo:
        k = _largest_power_of_two_below(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    if not complete:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def nodes_for(ranges: Iterable[Range]) -> set[NodeId]:
    """Every complete node needed to assemble the given ranges."""
    return {node for start, end in ranges for node in range_nodes(start, end)}


def assemble(ranges: Iterable[Range], nodes: Mapping[NodeId, bytes]) -> list[bytes]:
    """One hash per range, from a lookup of complete node hashes."""
    return [fold([nodes[n] for n in range_nodes(start, end)]) for start, end in ranges]


class MemoryTree:
    """A tree held as one bytes buffer per level; used to build proofs in tests and audits."""

    def __init__(self, leaf_hashes: bytes | Sequence[bytes]) -> None:
        level0 = leaf_hashes if isinstance(leaf_hashes, bytes) else b"".join(leaf_hashes)
        if len(level0) % HASH_SIZE:
            raise ValueError("leaf hash buffer is not a whole number of hashes")
        self.levels: list[bytes] = [level0]
        while len(self.levels[-1]) >= 2 * HASH_SIZE:
            self.levels.append(parent_level(self.levels[-1]))

    @property
    def size(self) -> int:
        return len(self.levels[0]) // HASH_SIZE

    def node(self, level: int, index: int) -> bytes:
        start = index * HASH_SIZE
        return self.levels[level][start : start + HASH_SIZE]

    def root(self, tree_size: int | None = None) -> bytes:
        return root_from_nodes(self.size if tree_size is None else tree_size, self.node)

    def inclusion_proof(self, leaf_index: int, tree_size: int | None = None) -> list[bytes]:
        size = self.size if tree_size is None else tree_size
        return _proof(inclusion_ranges(leaf_index, size), self.node)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        size = self.size if second is None else second
        return _proof(consistency_ranges(first, size), self.node)


def parent_level(level: bytes) -> bytes:
    """Hashes of the complete parents of one level's hashes (an odd last hash has none)."""
    prefix = NODE_PREFIX
    sha = hashlib.sha256
    view = memoryview(level)
    pairs = len(level) // (2 * HASH_SIZE)
    return b"".join(sha(prefix + view[i : i + 64]).digest() for i in range(0, pairs * 64, 64))


def _proof(ranges: list[Range], get: NodeGetter) -> list[bytes]:
    return assemble(ranges, {n: get(*n) for n in nodes_for(ranges)})


def root_from_nodes(tree_size: int, get: NodeGetter) -> bytes:
    """MTH(D[n]) from stored complete nodes: at most log2(n) lookups."""
    return fold([get(*n) for n in range_nodes(0, tree_size)])


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (RFC 9162 section 2.1.1)."""
    return MemoryTree(leaf_hashes).root()


def inclusion_proof(leaf_index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) for an in-memory list of leaf hashes (RFC 9162 section 2.1.3.1)."""
    return MemoryTree(leaf_hashes).inclusion_proof(leaf_index)


def consistency_proof(first: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) for an in-memory list of leaf hashes (RFC 9162 section 2.1.4.1)."""
    return MemoryTree(leaf_hashes).consistency_proof(first)


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise InvalidProofError(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def root_from_inclusion_proof(
    leaf_index: int, tree_size: int, leaf: bytes, audit_path: Sequence[bytes]
) -> bytes:
    """The root an inclusion proof leads to (RFC 9162 section 2.1.3.2, steps 1-5)."""
    if not 0 <= leaf_index < tree_size:
        raise InvalidProofError(f"leaf index {leaf_index} is not in a tree of size {tree_size}")
    _check_hash(leaf, "leaf hash")
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in audit_path:
        _check_hash(p, "audit path element")
        if sn == 0:
            raise InvalidProofError("audit path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise InvalidProofError("audit path is shorter than the tree is deep")
    return r


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, audit_path: Sequence[bytes], root: bytes
) -> None:
    """Raise InvalidProofError unless the audit path proves the leaf is in the tree."""
    _check_hash(root, "root hash")
    if root_from_inclusion_proof(leaf_index, tree_size, leaf, audit_path) != root:
        raise InvalidProofError("inclusion proof does not lead to the root hash")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise InvalidProofError unless the proof shows tree `second` extends tree `first`.

    RFC 9162 section 2.1.4.2; sizes 0 and first == second follow the reference
    implementations (empty proof; equal roots when the sizes are equal).
    """
    _check_hash(first_root, "first root")
    _check_hash(second_root, "second root")
    for c in proof:
        _check_hash(c, "consistency proof element")
    if not 0 <= first <= second:
        raise InvalidProofError(f"size {second} cannot extend size {first}")
    if first == 0 or first == second:
        if proof:
            raise InvalidProofError("proof must be empty")
        if first == second and first_root != second_root:
            raise InvalidProofError("equal sizes with different roots")
        return
    if not proof:
        raise InvalidProofError("consistency proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:  # step 2: first is an exact power of two
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise InvalidProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise InvalidProofError("consistency proof is too short")
    if fr != first_root:
        raise InvalidProofError("consistency proof does not lead to the first root")
    if sr != second_root:
        raise InvalidProofError("consistency proof does not lead to the second root")
