"""Vault key-encryption keys inside a PKCS#11 token (an HSM; SoftHSM2 in tests).

Each KEK is an AES-256 secret key generated in the token, sensitive and non-extractable,
labelled `safeshare-vault/<key id>/<created at>`. Data keys are wrapped and unwrapped by the
token with AES-GCM under the same associated data and blob layout as the file provider
(`crypto`): version byte, nonce, ciphertext and tag. The newest KEK is current. Destroying a
KEK in the token is what crypto-shreds the reports whose data keys it wrapped.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from typing import Any

from safeshare.hsm import TokenConfig, TokenError, open_session, pkcs11_module
from safeshare.vault import crypto
from safeshare.vault.errors import IntegrityError, KeyringError, KeyUnavailableError, VaultError
from safeshare.vault.keys import WrappedKey, new_key_id

LABEL_PREFIX = "safeshare-vault/"


class Pkcs11KeyProvider:
    """A `KeyProvider` whose KEKs never leave the token; one session, used under a lock."""

    def __init__(self, token: TokenConfig) -> None:
        self._token = token
        self._lock = threading.Lock()
        self._session: Any = None

    @classmethod
    def create(cls, token: TokenConfig) -> Pkcs11KeyProvider:
        """Generate the first KEK; refuse if the token already holds vault keys."""
        provider = cls(token)
        if provider._keys():
            raise KeyringError("the token already holds vault keys: use `safeshare vault rotate`")
        provider.add_key()
        return provider

    def _open(self) -> Any:
        if self._session is None:
            self._session = open_session(self._token, rw=True)
        return self._session

    def _keys(self) -> dict[str, tuple[datetime, Any]]:
        """KEK id -> (created at, key object), read from the token every time, so keys
        added or destroyed by another process are seen at once."""
        pkcs11 = pkcs11_module()
        with self._lock:
            try:
                objects = list(
                    self._open().get_objects(
                        {
                            pkcs11.Attribute.CLASS: pkcs11.ObjectClass.SECRET_KEY,
                            pkcs11.Attribute.KEY_TYPE: pkcs11.KeyType.AES,
                        }
                    )
                )
            except pkcs11.PKCS11Error as exc:
                self._session = None  # reopen next time (token restarted, session dropped)
                raise TokenError(f"cannot list vault keys ({type(exc).__name__})") from exc
        found: dict[str, tuple[datetime, Any]] = {}
        for key in objects:
            label = str(key.label or "")
            if not label.startswith(LABEL_PREFIX):
                continue
            key_id, _, stamp = label[len(LABEL_PREFIX) :].partition("/")
            try:
                found[key_id] = (datetime.fromisoformat(stamp), key)
            except ValueError:
                continue
        return found

    def current_key_id(self) -> str:
        keys = self._keys()
        if not keys:
            raise KeyringError("the token holds no vault key: run `safeshare vault keygen`")
        return max(keys, key=lambda k: (keys[k][0], k))

    def key_ids(self) -> frozenset[str]:
        return frozenset(self._keys())

    def key_created_at(self, key_id: str) -> datetime | None:
        found = self._keys().get(key_id)
        return found[0] if found else None

    def _gcm(self, nonce: bytes, aad: bytes) -> tuple[Any, Any]:
        pkcs11 = pkcs11_module()
        from pkcs11.mechanisms import GCMParams

        return pkcs11.Mechanism.AES_GCM, GCMParams(nonce, crypto.FORMAT_VERSION + aad, 128)

    def wrap(self, data_key: bytes, *, subject: str) -> WrappedKey:
        key_id = self.current_key_id()
        kek = self._keys()[key_id][1]
        nonce = os.urandom(crypto.NONCE_BYTES)
        mechanism, params = self._gcm(nonce, crypto.data_key_aad(subject, key_id))
        with self._lock:
            sealed = kek.encrypt(data_key, mechanism=mechanism, mechanism_param=params)
        return WrappedKey(key_id, crypto.FORMAT_VERSION + nonce + bytes(sealed))

    def unwrap(self, wrapped: WrappedKey, *, subject: str) -> bytes:
        found = self._keys().get(wrapped.key_id)
        if found is None:
            raise KeyUnavailableError(f"key-encryption key {wrapped.key_id} is not available")
        blob = wrapped.blob
        if len(blob) < 1 + crypto.NONCE_BYTES + 16 or blob[:1] != crypto.FORMAT_VERSION:
            raise IntegrityError("wrapped key is malformed")
        nonce, body = blob[1 : 1 + crypto.NONCE_BYTES], blob[1 + crypto.NONCE_BYTES :]
        mechanism, params = self._gcm(nonce, crypto.data_key_aad(subject, wrapped.key_id))
        pkcs11 = pkcs11_module()
        with self._lock:
            try:
                return bytes(found[1].decrypt(body, mechanism=mechanism, mechanism_param=params))
            except pkcs11.PKCS11Error:
                raise IntegrityError("wrapped key failed authentication") from None

    def add_key(self) -> str:
        pkcs11 = pkcs11_module()
        key_id = new_key_id()
        label = f"{LABEL_PREFIX}{key_id}/{datetime.now(UTC).isoformat()}"
        with self._lock:
            self._open().generate_key(
                pkcs11.KeyType.AES,
                crypto.KEY_BYTES * 8,
                label=label,
                id=key_id.encode(),
                store=True,
                template={
                    pkcs11.Attribute.SENSITIVE: True,
                    pkcs11.Attribute.EXTRACTABLE: False,
                    pkcs11.Attribute.ENCRYPT: True,
                    pkcs11.Attribute.DECRYPT: True,
                },
            )
        return key_id

    def destroy_key(self, key_id: str) -> None:
        if key_id == self.current_key_id():
            raise VaultError("the current key-encryption key cannot be destroyed")
        found = self._keys().get(key_id)
        if found is not None:
            with self._lock:
                found[1].destroy()
