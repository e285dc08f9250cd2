"""C2SP tlog-cosignature (c2sp.org/tlog-cosignature): Ed25519 `cosignature/v1`.

A cosignature is a note signature line from a witness over

    cosignature/v1
    time <POSIX seconds>
    <the checkpoint's note text>

whose signature bytes are `u64 timestamp (big-endian) || Ed25519 signature` ("Format").
The key ID uses signature type 0x04, so a witness key is never mistaken for a log key, and
vkeys carry that type byte. Pure: the offline verifier uses it.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from safeshare.ledger.errors import NoteError
from safeshare.ledger.note import (
    SIGNATURE_PREFIX,
    NamedEd25519Key,
    NamedPublicKey,
    parse_note,
)

ALG_COSIGNATURE_V1 = 0x04  # "Format": Ed25519 cosignature key ID type
HEADER = "cosignature/v1\n"
_MAX_TIMESTAMP = 2**63 - 1


def signed_message(checkpoint_text: str, timestamp: int) -> bytes:
    """The bytes a witness signs ("Ed25519 signed message")."""
    if not 0 < timestamp <= _MAX_TIMESTAMP:
        raise NoteError("a cosignature timestamp must be positive and below 2**63")
    return f"{HEADER}time {timestamp}\n{checkpoint_text}".encode()


@dataclass(frozen=True)
class CosignatureVerifier(NamedPublicKey):
    """A witness's name and Ed25519 public key, as configured by a verifier (type 0x04)."""

    ALG: ClassVar[int] = ALG_COSIGNATURE_V1

    def verify(self, checkpoint_text: str, blob: bytes) -> int | None:
        """The cosignature's timestamp if `blob` (after the key ID) verifies, else None."""
        if len(blob) != 8 + 64:
            return None
        (timestamp,) = struct.unpack(">Q", blob[:8])
        try:
            message = signed_message(checkpoint_text, timestamp)
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(blob[8:], message)
        except (InvalidSignature, NoteError):
            return None
        return int(timestamp)


@dataclass(frozen=True)
class CosignatureSigner(NamedEd25519Key):
    """A witness's signing key (in production held by the witness's operator, not the log's)."""

    ALG: ClassVar[int] = ALG_COSIGNATURE_V1

    @property
    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(name=self.name, public_key=self.public_key)

    def cosign(self, checkpoint_text: str, timestamp: int) -> str:
        """One signature line (with its newline) cosigning the checkpoint at `timestamp`."""
        signature = self.private_key.sign(signed_message(checkpoint_text, timestamp))
        blob = self.key_id + struct.pack(">Q", timestamp) + signature
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class Cosignature:
    """A verified cosignature: which witness, and when it observed the checkpoint."""

    witness: str
    timestamp: int


def verify_cosignatures(
    note: str, witnesses: Sequence[CosignatureVerifier]
) -> tuple[Cosignature, ...]:
    """The valid cosignatures on a signed note from the given witnesses (one per witness).

    Lines from unknown keys are ignored ("Format"); a line whose name and key ID match a
    configured witness but whose signature fails makes the note malformed, as in signed-note.
    """
    text, signatures = parse_note(note)
    known = {(w.name, w.key_id): w for w in witnesses}
    found: dict[str, Cosignature] = {}
    for sig in signatures:
        witness = known.get((sig.name, sig.key_id))
        if witness is None:
            continue
        timestamp = witness.verify(text, sig.signature)
        if timestamp is None:
            raise NoteError(f"cosignature by witness {sig.name} does not verify")
        found.setdefault(witness.name, Cosignature(witness.name, timestamp))
    return tuple(found.values())


def add_signature_lines(note: str, lines: Sequence[str]) -> str:
    """The note with extra signature lines appended (duplicates dropped)."""
    existing = set(note.split("\n"))
    extra = [line if line.endswith("\n") else line + "\n" for line in lines]
    return note + "".join(line for line in extra if line[:-1] not in existing)
