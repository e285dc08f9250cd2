"""What an inspector needs to check the log without trusting the server that runs it.

Each function gathers, for one question, the exact bytes and proofs an independent RFC 9162
verifier needs (entry bytes, audit path, signed checkpoint, public key), plus the server's
own check of them. Nothing here holds sealed values: entries store references only.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from safeshare.ledger import merkle, service
from safeshare.ledger.checkpoint import Checkpoint, open_checkpoint
from safeshare.ledger.errors import InvalidProofError, NoCheckpointError, NoteError
from safeshare.ledger.note import ALG_ED25519, NoteVerifier, parse_note
from safeshare.ledger.service import CheckpointInfo


def checkpoint_document(info: CheckpointInfo) -> dict[str, Any]:
    """A stored checkpoint as JSON: the signed note plus the fields parsed out of it."""
    text, signatures = parse_note(info.note)
    checkpoint = Checkpoint.parse(text)
    return {
        "number": info.number,
        "origin": checkpoint.origin,
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash.hex(),
        "created_at": info.created_at.isoformat(),
        "key_name": signatures[0].name,
        "key_id": signatures[0].key_id.hex(),
        "note": info.note,
    }


def latest_checkpoint_or_raise(session: Session) -> CheckpointInfo:
    latest = service.latest_checkpoint(session)
    if latest is None:
        raise NoCheckpointError("No checkpoint has been signed yet")
    return latest


def public_key_document(verifier: NoteVerifier, *, origin: str) -> dict[str, str]:
    """The checkpoint verifier key: Go `note` vkey form and the raw Ed25519 key (base64)."""
    return {
        "origin": origin,
        "key_name": verifier.name,
        "key_id": verifier.key_id.hex(),
        "algorithm": "Ed25519",
        "public_key": base64.b64encode(verifier.public_key).decode(),
        "verifier_key": verifier.to_vkey(),
        "signature_type": f"0x{ALG_ED25519:02x}",
    }


@dataclass(frozen=True)
class EntryEvidence:
    """One entry, an inclusion proof to the newest signed root covering it, and the checks."""

    entry: dict[str, Any]  # decoded, with `canonical` (the hashed bytes) and `leaf_hash`
    proof: dict[str, Any]  # `{leaf_index, tree_size, leaf_hash, root_hash, audit_path}`
    checkpoint: CheckpointInfo | None  # None: not yet covered by a signed checkpoint
    problems: tuple[str, ...]

    @property
    def is_covered(self) -> bool:
        return self.checkpoint is not None

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self, verifier: NoteVerifier, *, origin: str) -> dict[str, Any]:
        """A self-contained evidence file: everything needed to check the entry offline."""
        return {
            "entry": self.entry,
            "inclusion_proof": self.proof,
            "checkpoint": checkpoint_document(self.checkpoint) if self.checkpoint else None,
            "public_key": public_key_document(verifier, origin=origin),
            "server_checks": {"ok": self.ok, "problems": list(self.problems)},
        }


def entry_evidence(
    session: Session, *, seq: int, verifier: NoteVerifier, origin: str
) -> EntryEvidence:
    """Entry `seq` with a proof to the latest checkpoint (or, if newer, the current tree)."""
    entry = service.get_entry_or_raise(session, seq=seq, with_bytes=True)
    latest = service.latest_checkpoint(session)
    checkpoint = latest if latest is not None and seq < latest.tree_size else None
    size = checkpoint.tree_size if checkpoint is not None else None
    proof = service.inclusion_proof(session, leaf_index=seq, size=size)
    problems: list[str] = []
    leaf = merkle.leaf_hash(entry["canonical"].encode())
    if leaf.hex() != entry["leaf_hash"] or leaf.hex() != proof["leaf_hash"]:
        problems.append("the entry's bytes do not hash to its recorded leaf hash")
    try:
        merkle.verify_inclusion(
            seq,
            proof["tree_size"],
            leaf,
            [bytes.fromhex(h) for h in proof["audit_path"]],
            bytes.fromhex(proof["root_hash"]),
        )
    except InvalidProofError as exc:
        problems.append(f"the inclusion proof does not verify: {exc.message}")
    if checkpoint is not None:
        try:
            signed = open_checkpoint(checkpoint.note, [verifier], origin=origin)
        except NoteError as exc:
            problems.append(f"checkpoint #{checkpoint.number} does not verify: {exc.message}")
        else:
            if signed.root_hash.hex() != proof["root_hash"]:
                problems.append(f"the proof's root is not the root signed in #{checkpoint.number}")
    return EntryEvidence(entry, proof, checkpoint, tuple(problems))
