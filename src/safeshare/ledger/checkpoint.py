"""C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): origin, tree size, base64 root hash."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from safeshare.ledger.errors import NoteError
from safeshare.ledger.merkle import HASH_SIZE
from safeshare.ledger.note import NoteSigner, NoteVerifier, open_note, sign_note


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: what a log commits to at one size ("Note text")."""

    origin: str
    tree_size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def to_text(self) -> str:
        """The note text: origin, decimal size, base64 root, optional extension lines."""
        lines = [self.origin, str(self.tree_size), base64.b64encode(self.root_hash).decode()]
        return "\n".join([*lines, *self.extensions]) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse note text strictly: non-empty origin, no leading zeros, 32-byte root."""
        if not text.endswith("\n"):
            raise NoteError("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise NoteError("checkpoint needs origin, size and root hash lines, none empty")
        origin, size, root = lines[0], lines[1], lines[2]
        if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError("checkpoint tree size is not a canonical decimal")
        try:
            root_hash = base64.b64decode(root, validate=True)
        except binascii.Error as exc:
            raise NoteError("checkpoint root hash is not base64") from exc
        if len(root_hash) != HASH_SIZE:
            raise NoteError("checkpoint root hash is not 32 bytes")
        return cls(origin, int(size), root_hash, tuple(lines[3:]))


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> str:
    """The checkpoint as a signed note; the key name should match the origin ("Signatures")."""
    return sign_note(checkpoint.to_text(), signer)


def open_checkpoint(
    note: str, verifiers: Sequence[NoteVerifier], *, origin: str | None = None
) -> Checkpoint:
    """Verify a signed checkpoint and parse it, optionally requiring an origin."""
    checkpoint = Checkpoint.parse(open_note(note, tuple(verifiers)).text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint origin is {checkpoint.origin!r}, expected {origin!r}")
    return checkpoint
