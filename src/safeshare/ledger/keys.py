"""The checkpoint signing key file: create it once, load it at startup.

The file holds one Go-format signer key (`PRIVATE+KEY+name+id+base64`), readable only by its
owner; `<file>.pub` beside it holds the verifier key that inspectors pin.
"""

from __future__ import annotations

import os
from pathlib import Path

from safeshare.ledger.errors import LedgerKeyError
from safeshare.ledger.note import Ed25519NoteSigner, NoteVerifier


def public_key_path(key_file: Path) -> Path:
    return key_file.with_name(key_file.name + ".pub")


def generate_key_file(key_file: Path, *, name: str, overwrite: bool = False) -> Ed25519NoteSigner:
    """Create a new Ed25519 key named `name` (the log origin), mode 0600, plus its `.pub`."""
    signer = Ed25519NoteSigner.generate(name)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if overwrite:
        key_file.unlink(missing_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise LedgerKeyError(
            f"{key_file} already exists; refusing to replace a ledger key"
        ) from exc
    with os.fdopen(fd, "w") as fh:
        fh.write(signer.to_skey() + "\n")
    public_key_path(key_file).write_text(signer.verifier.to_vkey() + "\n")
    return signer


def load_signer(key_file: Path, *, origin: str | None = None) -> Ed25519NoteSigner:
    """Read the signing key; its name must be the log origin so checkpoints name their signer."""
    try:
        text = key_file.read_text()
    except OSError as exc:
        raise LedgerKeyError(
            f"cannot read the ledger key {key_file}: run `safeshare ledger keygen`"
        ) from exc
    signer = Ed25519NoteSigner.from_skey(text)
    if origin is not None and signer.name != origin:
        raise LedgerKeyError(
            f"the ledger key is for origin {signer.name!r} but the ledger origin is {origin!r}"
        )
    return signer


def load_verifier(path: Path) -> NoteVerifier:
    """A verifier from a `.pub` file, or derived from a signer key file."""
    try:
        text = path.read_text().strip()
    except OSError as exc:
        raise LedgerKeyError(f"cannot read the ledger key {path}") from exc
    if text.startswith("PRIVATE+KEY+"):
        return Ed25519NoteSigner.from_skey(text).verifier
    return NoteVerifier.from_vkey(text)


def verifier_for_key_file(key_file: Path) -> NoteVerifier:
    """The log's verifier: from `<key_file>.pub` when present, else derived from the key."""
    public = public_key_path(key_file)
    return load_verifier(public if public.exists() else key_file)
