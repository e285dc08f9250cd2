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
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from safeshare.ledger.errors import LedgerKeyError, NoteError
from safeshare.ledger.note import (
    SIGNATURE_PREFIX,
    claimed_key_id,
    format_key_string,
    is_valid_key_name,
    key_id,
    parse_key_string,
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
class CosignatureVerifier:
    """A witness's name and Ed25519 public key, as configured by a verifier."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise LedgerKeyError("witness name must be non-empty, without spaces or '+'")
        if len(self.public_key) != 32:
            raise LedgerKeyError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, ALG_COSIGNATURE_V1, self.public_key)

    def to_vkey(self) -> str:
        return format_key_string(
            self.name, self.key_id, ALG_COSIGNATURE_V1, self.public_key, private=False
        )

    @classmethod
    def from_vkey(cls, vkey: str) -> CosignatureVerifier:
        """Parse `name+keyid+base64(0x04 || key)` and check its key ID."""
        name, raw = parse_key_string(vkey, alg=ALG_COSIGNATURE_V1, what="witness verifier")
        verifier = cls(name=name, public_key=raw)
        if verifier.key_id != claimed_key_id(vkey):
            raise LedgerKeyError("witness key ID does not match its name and key")
        return verifier

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
class CosignatureSigner:
    """A witness's signing key (in production held by the witness's operator, not the log's)."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise LedgerKeyError("witness name must be non-empty, without spaces or '+'")

    @classmethod
    def generate(cls, name: str) -> CosignatureSigner:
        return cls(name=name, private_key=Ed25519PrivateKey.generate())

    @property
    def verifier(self) -> CosignatureVerifier:
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return CosignatureVerifier(name=self.name, public_key=raw)

    def cosign(self, checkpoint_text: str, timestamp: int) -> str:
        """One signature line (with its newline) cosigning the checkpoint at `timestamp`."""
        signature = self.private_key.sign(signed_message(checkpoint_text, timestamp))
        blob = self.verifier.key_id + struct.pack(">Q", timestamp) + signature
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(blob).decode()}\n"

    def to_skey(self) -> str:
        seed = self.private_key.private_bytes_raw()
        return format_key_string(
            self.name, self.verifier.key_id, ALG_COSIGNATURE_V1, seed, private=True
        )

    @classmethod
    def from_skey(cls, skey: str) -> CosignatureSigner:
        name, seed = parse_key_string(skey, alg=ALG_COSIGNATURE_V1, what="witness signer")
        signer = cls(name=name, private_key=Ed25519PrivateKey.from_private_bytes(seed))
        if signer.verifier.key_id != claimed_key_id(skey):
            raise LedgerKeyError("witness key ID does not match its name and key")
        return signer


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
