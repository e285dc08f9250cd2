"""Argon2id hashing of anonymous reporters' passphrases, with costs from configuration.

Passphrases are NFKC-normalised and trimmed first: people come back on another device or
keyboard, and the same words must still match.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from safeshare.auth.passwords import run_hashing
from safeshare.reporting.config import Argon2Parameters


@lru_cache(maxsize=4)
def _hasher(params: Argon2Parameters) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_cost_kib,
        parallelism=params.parallelism,
    )


@lru_cache(maxsize=4)
def _decoy_hash(params: Argon2Parameters) -> str:
    # Verified against when a reference does not exist, so timing reveals nothing.
    return _hasher(params).hash("decoy passphrase that matches nothing")


def normalise(passphrase: str) -> str:
    """The form that is hashed and compared."""
    return " ".join(unicodedata.normalize("NFKC", passphrase).split())


def hash_passphrase(passphrase: str, params: Argon2Parameters) -> str:
    """An argon2id hash of the normalised passphrase."""
    return run_hashing(_hasher(params).hash, normalise(passphrase))


def verify_passphrase(stored_hash: str | None, passphrase: str, params: Argon2Parameters) -> bool:
    """Whether `passphrase` matches; with no stored hash, burns the same time and says no."""
    return run_hashing(_verify, stored_hash, passphrase, params)


def _verify(stored_hash: str | None, passphrase: str, params: Argon2Parameters) -> bool:
    try:
        _hasher(params).verify(stored_hash or _decoy_hash(params), normalise(passphrase))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return stored_hash is not None


def needs_rehash(stored_hash: str, params: Argon2Parameters) -> bool:
    """Whether the hash was made with older costs and should be replaced on next success."""
    return _hasher(params).check_needs_rehash(stored_hash)
