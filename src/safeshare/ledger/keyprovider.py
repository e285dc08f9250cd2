"""Where the checkpoint signing key lives, behind one Protocol chosen in config.

- `file` (development): a 0600 key file beside the database, as `keys` writes it;
- `pkcs11`: an Ed25519 key generated inside an HSM (`hsm`), which never leaves it.
Verifying never needs a provider: only the public key (see `verification`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from safeshare.config import Settings
from safeshare.errors import ConfigurationError
from safeshare.ledger import hsm, keys
from safeshare.ledger.note import NoteSigner, NoteVerifier


class CheckpointKeyProvider(Protocol):
    """Creates the log's key once, then hands out a signer and its public key."""

    def generate(self, *, overwrite: bool = False) -> NoteVerifier: ...

    def signer(self) -> NoteSigner: ...

    def describe(self) -> str: ...


class FileKeyProvider:
    """The signing key in a file readable only by its owner (development and small sites)."""

    def __init__(self, key_file: Path, *, origin: str) -> None:
        self.key_file, self.origin = key_file, origin

    def generate(self, *, overwrite: bool = False) -> NoteVerifier:
        return keys.generate_key_file(self.key_file, name=self.origin, overwrite=overwrite).verifier

    def signer(self) -> NoteSigner:
        return keys.load_signer(self.key_file, origin=self.origin)

    def exists(self) -> bool:
        return self.key_file.exists()

    def describe(self) -> str:
        return f"the key file {self.key_file}"


class Pkcs11KeyProvider:
    """The signing key inside a PKCS#11 token; the service holds only the PIN."""

    def __init__(self, config: hsm.Pkcs11Config, *, origin: str) -> None:
        self.config, self.origin = config, origin

    def generate(self, *, overwrite: bool = False) -> NoteVerifier:
        if overwrite:
            raise ConfigurationError("a key in a token is never replaced: use a new key label")
        return hsm.generate_key(self.config, name=self.origin)

    def signer(self) -> NoteSigner:
        return hsm.Pkcs11Signer(self.config, name=self.origin)

    def describe(self) -> str:
        token = self.config.token.token_label
        return f"PKCS#11 token {token!r}, key {self.config.key_label!r}"


def key_provider(settings: Settings) -> FileKeyProvider | Pkcs11KeyProvider:
    """The provider SAFESHARE_LEDGER_KEY_PROVIDER names (default `file`)."""
    if settings.ledger_key_provider == "pkcs11":
        config = hsm.Pkcs11Config(settings.pkcs11_token(), settings.ledger_pkcs11_key_label)
        return Pkcs11KeyProvider(config, origin=settings.ledger_origin)
    assert settings.ledger_key_file is not None  # filled in by Settings
    return FileKeyProvider(settings.ledger_key_file, origin=settings.ledger_origin)
