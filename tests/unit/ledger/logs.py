"""Build small ledgers in memory, and tamper with them, for the auditor and bundle tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from safeshare.ledger import merkle
from safeshare.ledger.audit import CheckpointRecord
from safeshare.ledger.checkpoint import Checkpoint, sign_checkpoint
from safeshare.ledger.note import Ed25519NoteSigner
from safeshare.ledger.service import encode_entry

ORIGIN = "test.example/ledger"
START = datetime(2025, 1, 1, tzinfo=UTC)


def chain(payloads: list[dict[str, object]]) -> list[bytes]:
    """Entries with correct seq and prev links for the given data payloads."""
    entries: list[bytes] = []
    prev = bytes(32)
    for seq, data in enumerate(payloads):
        entry = encode_entry(
            seq=seq,
            at=START + timedelta(seconds=seq),
            actor="officer1",
            kind="policy.decision",
            data=data,
            prev=prev,
        )
        entries.append(entry)
        prev = merkle.leaf_hash(entry)
    return entries


def make_log(size: int) -> list[bytes]:
    return chain([{"decision": i, "case": f"C-{i}"} for i in range(size)])


def checkpoints(
    entries: list[bytes], sizes: list[int], signer: Ed25519NoteSigner
) -> list[CheckpointRecord]:
    tree = merkle.MemoryTree([merkle.leaf_hash(e) for e in entries])
    return [
        CheckpointRecord(n, sign_checkpoint(Checkpoint(ORIGIN, size, tree.root(size)), signer))
        for n, size in enumerate(sizes, start=1)
    ]
