"""Account secrets sealed at rest: TOTP secrets are AES-256-GCM ciphertext in the users table.

A database dump alone (backup, replica, SQL injection) then yields no authenticator seeds
(ASVS 2.8.2 / 6.4). The key is dedicated to this purpose and lives outside the database: a
file (`SAFESHARE_TOTP_KEY_FILE`, default `var/totp.key`, created once with mode 0600). The
user's id is bound in as associated data, so a sealed value copied onto another account's
row does not open. Sessions carry the sealer in `Session.info` (set by `Runtime`).

It lives in `db/` (not `auth/`) because `Runtime`, below `auth` in the layers, builds every
session with it; it imports nothing but `errors`.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from safeshare.errors import ConfigurationError

PREFIX = "s1."
_NONCE = 12
INFO_KEY = "secret_sealer"


class SecretSealer:
    """Seal and open short secrets that belong to one user."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ConfigurationError("the TOTP sealing key must be 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_file(cls, path: Path) -> SecretSealer:
        """The key in `path`, generated there first if missing (0600, base64)."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        return cls(base64.b64decode(path.read_text().strip()))

    @staticmethod
    def _aad(user_id: int) -> bytes:
        return f"safeshare:totp:{user_id}".encode()

    def seal(self, plain: str, *, user_id: int) -> str:
        nonce = secrets.token_bytes(_NONCE)
        sealed = self._aead.encrypt(nonce, plain.encode(), self._aad(user_id))
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str, *, user_id: int) -> str:
        if not sealed.startswith(PREFIX):
            raise ConfigurationError("a TOTP secret is not sealed (run `safeshare db upgrade`)")
        raw = base64.urlsafe_b64decode(sealed[len(PREFIX) :])
        try:
            plain = self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], self._aad(user_id))
        except InvalidTag as exc:
            raise ConfigurationError("a TOTP secret does not open with the configured key") from exc
        return plain.decode()


def sealer_for(session: Session) -> SecretSealer:
    """The sealer this unit of work was opened with (see `Runtime`)."""
    sealer = session.info.get(INFO_KEY)
    if not isinstance(sealer, SecretSealer):
        raise ConfigurationError("this database session has no secret sealer (use Runtime)")
    return sealer
