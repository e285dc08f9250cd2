"""Key-encryption keys (KEKs) behind a `KeyProvider` Protocol, so a KMS or HSM can replace the file.

A provider wraps and unwraps per-subject data keys; it never sees field values. Several
KEKs may be held at once: the current one wraps new data keys, older ones only unwrap
until rotation has re-wrapped everything under the current key and they are retired.
Retiring the KEK that wrapped an erased subject's data key is what makes database
backups taken before the erasure unreadable (see `safeshare.vault.service`).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from safeshare.vault import crypto
from safeshare.vault.errors import KeyringError, KeyUnavailableError, VaultError

KEYRING_FORMAT = "safeshare-vault-keyring/1"


@dataclass(frozen=True)
class WrappedKey:
    """A data key encrypted under the KEK named by `key_id`."""

    key_id: str
    blob: bytes


@runtime_checkable
class KeyProvider(Protocol):
    """What the vault needs from a key store. Implementations must bind wraps to `subject`."""

    def current_key_id(self) -> str:
        """The KEK that wraps new data keys."""
        ...

    def key_ids(self) -> frozenset[str]:
        """Every KEK still held (current and not yet retired)."""
        ...

    def key_created_at(self, key_id: str) -> datetime | None:
        """When a KEK was created, if known; retirement waits out a grace period after rotation."""
        ...

    def wrap(self, data_key: bytes, *, subject: str) -> WrappedKey:
        """Encrypt `data_key` for `subject` under the current KEK."""
        ...

    def unwrap(self, wrapped: WrappedKey, *, subject: str) -> bytes:
        """Recover a data key; raises `KeyUnavailableError` or `IntegrityError`."""
        ...

    def add_key(self) -> str:
        """Create a new KEK, make it current and return its id (older KEKs stay for unwrapping)."""
        ...

    def destroy_key(self, key_id: str) -> None:
        """Irrevocably forget a non-current KEK."""
        ...


def new_key_id(now: datetime | None = None) -> str:
    """A readable, unique KEK id: creation date plus random hex."""
    return f"kek-{(now or datetime.now(UTC)):%Y%m%d}-{secrets.token_hex(4)}"


@dataclass
class Keyring:
    """KEK material held by the local providers: id -> key bytes, and which id is current."""

    current: str
    keys: dict[str, bytes]
    created_at: dict[str, str] = field(default_factory=dict)

    @classmethod
    def generate(cls) -> Keyring:
        """A keyring with one fresh KEK."""
        key_id = new_key_id()
        return cls(key_id, {key_id: crypto.new_key()}, {key_id: datetime.now(UTC).isoformat()})

    def with_new_key(self) -> Keyring:
        """A copy with a fresh KEK added and made current."""
        key_id = new_key_id()
        return Keyring(
            key_id,
            {**self.keys, key_id: crypto.new_key()},
            {**self.created_at, key_id: datetime.now(UTC).isoformat()},
        )

    def without(self, key_id: str) -> Keyring:
        """A copy without `key_id`; the current KEK cannot be removed."""
        if key_id == self.current:
            raise VaultError("the current key-encryption key cannot be destroyed")
        return Keyring(
            self.current,
            {k: v for k, v in self.keys.items() if k != key_id},
            {k: v for k, v in self.created_at.items() if k != key_id},
        )

    def to_json(self) -> str:
        """The key file's contents (keys base64-encoded)."""
        return json.dumps(
            {
                "format": KEYRING_FORMAT,
                "current": self.current,
                "keys": [
                    {
                        "id": key_id,
                        "created_at": self.created_at.get(key_id, ""),
                        "key": base64.b64encode(key).decode("ascii"),
                    }
                    for key_id, key in self.keys.items()
                ],
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        """Parse a key file, refusing anything malformed with a message naming no key bytes."""
        try:
            doc = json.loads(text)
            if doc["format"] != KEYRING_FORMAT:
                raise KeyringError("key file has an unknown format")
            keys = {
                entry["id"]: base64.b64decode(entry["key"], validate=True) for entry in doc["keys"]
            }
            created = {entry["id"]: str(entry.get("created_at", "")) for entry in doc["keys"]}
            current = doc["current"]
        except KeyringError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyringError(f"key file is malformed ({type(exc).__name__})") from None
        if current not in keys or any(len(k) != crypto.KEY_BYTES for k in keys.values()):
            raise KeyringError("key file is malformed (current key missing or wrong key length)")
        return cls(current, keys, created)


class LocalKeyProvider:
    """Wraps with AES-256-GCM under KEKs from a `Keyring`; subclasses decide where it lives."""

    def _keyring(self) -> Keyring:
        raise NotImplementedError

    def _replace(self, keyring: Keyring) -> None:
        raise NotImplementedError

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        yield

    def current_key_id(self) -> str:
        return self._keyring().current

    def key_ids(self) -> frozenset[str]:
        return frozenset(self._keyring().keys)

    def key_created_at(self, key_id: str) -> datetime | None:
        stamp = self._keyring().created_at.get(key_id)
        try:
            return datetime.fromisoformat(stamp) if stamp else None
        except ValueError:
            return None

    def wrap(self, data_key: bytes, *, subject: str) -> WrappedKey:
        keyring = self._keyring()
        key_id = keyring.current
        aad = crypto.data_key_aad(subject, key_id)
        return WrappedKey(key_id, crypto.encrypt(keyring.keys[key_id], data_key, aad=aad))

    def unwrap(self, wrapped: WrappedKey, *, subject: str) -> bytes:
        kek = self._keyring().keys.get(wrapped.key_id)
        if kek is None:
            raise KeyUnavailableError(f"key-encryption key {wrapped.key_id} is not available")
        return crypto.decrypt(kek, wrapped.blob, aad=crypto.data_key_aad(subject, wrapped.key_id))

    def add_key(self) -> str:
        with self._exclusive():
            keyring = self._keyring().with_new_key()
            self._replace(keyring)
            return keyring.current

    def destroy_key(self, key_id: str) -> None:
        with self._exclusive():
            keyring = self._keyring()
            if key_id in keyring.keys:
                self._replace(keyring.without(key_id))


class InMemoryKeyProvider(LocalKeyProvider):
    """KEKs that live only in this process: for tests and throwaway demos, never production."""

    def __init__(self, keyring: Keyring | None = None) -> None:
        self._ring = keyring or Keyring.generate()

    def _keyring(self) -> Keyring:
        return self._ring

    def _replace(self, keyring: Keyring) -> None:
        self._ring = keyring


class FileKeyProvider(LocalKeyProvider):
    """KEKs in a 0600 JSON key file, re-read whenever another process has changed it.

    Changes take an exclusive lock on a sibling `.lock` file and replace the key file
    atomically, so web workers and a concurrent `safeshare vault rotate` never see half a
    file. Keep the key file out of database backups: holding both defeats crypto-shredding.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cached: tuple[tuple[int, int, int], Keyring] | None = None

    @classmethod
    def create(cls, path: Path) -> FileKeyProvider:
        """Write a new key file with one KEK; never overwrites (that would lose every report)."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        provider = cls(path)
        with provider._exclusive():
            if path.exists():
                raise KeyringError(
                    f"{path} already exists; use `safeshare vault rotate` to add a key"
                )
            provider._replace(Keyring.generate())
        return provider

    def _keyring(self) -> Keyring:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            raise KeyringError(
                f"vault key file {self.path} is missing; create it with `safeshare vault keygen`"
            ) from None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyringError(
                f"vault key file {self.path} must be readable by its owner only (chmod 600)"
            )
        signature = (info.st_mtime_ns, info.st_ino, info.st_size)
        if self._cached is None or self._cached[0] != signature:
            self._cached = (signature, Keyring.from_json(self.path.read_text(encoding="utf-8")))
        return self._cached[1]

    def _replace(self, keyring: Keyring) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(keyring.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        self._cached = None

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._cached = None  # another process may have changed the file while we waited
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
