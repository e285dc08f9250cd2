"""AES-256-GCM with associated data: the one cipher the vault uses, for fields and for key wrapping.

Pure functions over bytes. Associated data binds each ciphertext to where it belongs (a
subject and a field, or a subject's data key), so a value copied to another report or
field fails authentication instead of decrypting in the wrong place.
"""

from __future__ import annotations

import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from safeshare.vault.errors import IntegrityError

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96-bit random nonces; one data key seals few values, far from GCM's limits
FORMAT_VERSION = b"\x01"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")


def new_key() -> bytes:
    """A fresh random 256-bit key (data key or key-encryption key)."""
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def _checked_name(kind: str, value: str) -> bytes:
    # NUL separates the parts of associated data; a strict alphabet keeps that unambiguous.
    if not _NAME.fullmatch(value):
        raise ValueError(f"invalid vault {kind} name")
    return value.encode("ascii")


def field_aad(subject: str, field: str) -> bytes:
    """Associated data for a sealed field: the subject and the field name."""
    return b"\x00".join(
        [
            b"safeshare/vault/field/v1",
            _checked_name("subject", subject),
            _checked_name("field", field),
        ]
    )


def data_key_aad(subject: str, key_id: str) -> bytes:
    """Associated data for a wrapped data key: its subject and the key-encryption key's id."""
    return b"\x00".join(
        [b"safeshare/vault/dek/v1", _checked_name("subject", subject), _checked_name("key", key_id)]
    )


def encrypt(key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    """Version byte, random nonce, then ciphertext and tag; the version is authenticated too."""
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, FORMAT_VERSION + aad)


def decrypt(key: bytes, sealed: bytes, *, aad: bytes) -> bytes:
    """Inverse of `encrypt`; raises `IntegrityError` on any wrong key, tampering or misplacement."""
    if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != FORMAT_VERSION:
        raise IntegrityError("sealed value is malformed")
    nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, FORMAT_VERSION + aad)
    except InvalidTag:
        raise IntegrityError("sealed value failed authentication") from None
