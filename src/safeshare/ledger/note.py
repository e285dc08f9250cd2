"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures.

Key encodings follow the Go reference implementation (golang.org/x/mod/sumdb/note), which
transparency-log tooling reads: a verifier key is `<name>+<hex key ID>+<base64(0x01 || public
key)>`, a signer key is `PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || seed)>`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from safeshare.ledger.errors import LedgerKeyError, NoteError

ALG_ED25519 = 0x01  # signature type identifier byte ("Signature types")
SIGNATURE_PREFIX = "— "  # em dash, space ("Format")
MAX_SIGNATURES = 100  # the spec requires accepting at least 16 ("Format")
_PRIVATE_PREFIX = "PRIVATE+KEY+"


def is_valid_key_name(name: str) -> bool:
    """Key names are non-empty with no Unicode spaces or plus signs ("Format")."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def key_id(name: str, alg: int, public_key: bytes) -> bytes:
    """SHA-256(key name || 0x0A || signature type || public key)[:4] ("Signatures")."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


class NoteSigner(Protocol):
    """Anything that signs note text under a key name and key ID (real key, HSM, test stub)."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True)
class NamedPublicKey:
    """A trusted Ed25519 public key under a key name, for one signature type (`ALG`)."""

    ALG: ClassVar[int] = ALG_ED25519
    name: str
    public_key: bytes  # 32 raw bytes

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise LedgerKeyError("key name must be non-empty, without spaces or '+'")
        if len(self.public_key) != 32:
            raise LedgerKeyError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.ALG, self.public_key)

    def to_vkey(self) -> str:
        """The verifier key string inspectors configure (`name+keyid+base64`)."""
        return format_key_string(self.name, self.key_id, self.ALG, self.public_key, private=False)

    @classmethod
    def from_vkey(cls, vkey: str) -> Self:
        """Parse `name+keyid+base64(type || key)`, checking the key ID as the Go tools do."""
        name, raw = parse_key_string(vkey, alg=cls.ALG, what="verifier")
        verifier = cls(name=name, public_key=raw)
        if verifier.key_id != claimed_key_id(vkey):
            raise LedgerKeyError("verifier key ID does not match its name and key")
        return verifier


@dataclass(frozen=True)
class NoteVerifier(NamedPublicKey):
    """A log's key: verifies plain Ed25519 note signatures (type 0x01)."""

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


def parse_key_string(text: str, *, alg: int, what: str) -> tuple[str, bytes]:
    """Split `[PRIVATE+KEY+]name+hexid+base64(alg || 32 bytes)` into name and key bytes.

    Shared by log keys (type 0x01) and witness cosigner keys (type 0x04, tlog-cosignature):
    the caller recomputes the key ID and compares it with `claimed_key_id`.
    """
    body = text.strip().removeprefix(_PRIVATE_PREFIX)
    name, _, rest = body.partition("+")
    hex_id, _, material = rest.partition("+")
    try:
        raw = base64.b64decode(material, validate=True)
        claimed = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError) as exc:
        raise LedgerKeyError(f"malformed {what} key") from exc
    if len(claimed) != 4 or len(raw) != 33 or raw[0] != alg:
        raise LedgerKeyError(f"malformed {what} key, or not of signature type {alg:#04x}")
    return name, raw[1:]


def claimed_key_id(text: str) -> bytes:
    return bytes.fromhex(text.strip().removeprefix(_PRIVATE_PREFIX).split("+")[1])


def format_key_string(name: str, key_id: bytes, alg: int, raw: bytes, *, private: bool) -> str:
    """The inverse of `parse_key_string`."""
    material = base64.b64encode(bytes([alg]) + raw).decode()
    return f"{_PRIVATE_PREFIX if private else ''}{name}+{key_id.hex()}+{material}"


@dataclass(frozen=True)
class NamedEd25519Key:
    """An Ed25519 private key under a key name, for one signature type (`ALG`): the shared
    part of log signers (0x01) and witness cosigners (0x04, `cosignature`)."""

    ALG: ClassVar[int] = ALG_ED25519
    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise LedgerKeyError("key name must be non-empty, without spaces or '+'")

    @classmethod
    def generate(cls, name: str) -> Self:
        return cls(name=name, private_key=Ed25519PrivateKey.generate())

    @property
    def public_key(self) -> bytes:
        return _raw_public(self.private_key.public_key())

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.ALG, self.public_key)

    def to_skey(self) -> str:
        """The secret key string (Go `note.NewSigner` format); keep it in a 0600 file."""
        seed = self.private_key.private_bytes_raw()
        return format_key_string(self.name, self.key_id, self.ALG, seed, private=True)

    @classmethod
    def from_skey(cls, skey: str) -> Self:
        if not skey.strip().startswith(_PRIVATE_PREFIX):
            raise LedgerKeyError("not a signer key (expected PRIVATE+KEY+...)")
        name, seed = parse_key_string(skey, alg=cls.ALG, what="signer")
        signer = cls(name=name, private_key=Ed25519PrivateKey.from_private_bytes(seed))
        if signer.key_id != claimed_key_id(skey):
            raise LedgerKeyError("signer key ID does not match its name and key")
        return signer


@dataclass(frozen=True)
class Ed25519NoteSigner(NamedEd25519Key):
    """An Ed25519 signing key under a key name (the log's origin)."""

    @property
    def verifier(self) -> NoteVerifier:
        return NoteVerifier(name=self.name, public_key=self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures from known keys all verified (at least one did)."""

    text: str
    verified: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...]


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note contains control characters")


def sign_note(text: str, *signers: NoteSigner) -> str:
    """Text, a blank line, then one signature line per signer ("Format")."""
    _check_text(text)
    if not signers:
        raise NoteError("a note needs at least one signature")
    lines = []
    for signer in signers:
        blob = signer.key_id + signer.sign(text.encode())
        lines.append(f"{SIGNATURE_PREFIX}{signer.name} {base64.b64encode(blob).decode()}\n")
    return text + "\n" + "".join(lines)


def parse_note(note: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signatures without verifying anything."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("malformed note: no signature block")
    text, block = note[: split + 1], note[split + 2 :]
    _check_text(text)
    if any(ord(c) < 0x20 and c != "\n" for c in block):
        raise NoteError("note contains control characters")
    signatures = []
    for line in block.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("malformed signature line")
        name, sep, b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
        try:
            blob = base64.b64decode(b64, validate=True)
        except binascii.Error as exc:
            raise NoteError("signature is not base64") from exc
        if not sep or not is_valid_key_name(name) or len(blob) < 5:
            raise NoteError("malformed signature line")
        signatures.append(NoteSignature(name=name, key_id=blob[:4], signature=blob[4:]))
    if not signatures:
        raise NoteError("note has no signatures")
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError("note has too many signatures")
    return text, signatures


def open_note(note: str, verifiers: list[NoteVerifier] | tuple[NoteVerifier, ...]) -> OpenedNote:
    """Verify a note: ignore unknown keys, reject any bad known signature, need one good one."""
    text, signatures = parse_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified, unverified = [], []
    for sig in signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            unverified.append(sig)
        elif verifier.verify(text.encode(), sig.signature):
            verified.append(sig)
        else:
            raise NoteError(f"signature by {sig.name}+{sig.key_id.hex()} does not verify")
    if not verified:
        raise NoteError("note has no signature from a trusted key")
    return OpenedNote(text=text, verified=tuple(verified), unverified=tuple(unverified))
