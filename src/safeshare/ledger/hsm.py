"""The checkpoint signing key in a PKCS#11 token (an HSM, or SoftHSM2 for testing).

The Ed25519 private key is generated inside the token as sensitive and non-extractable, so
it never sits in a file the service (or anyone with host access) can copy: the service can
ask the token to sign, and only while it holds the PIN (see `safeshare.hsm`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from safeshare.hsm import TokenConfig, TokenError, open_session, pkcs11_module, session_for
from safeshare.ledger.errors import LedgerKeyError
from safeshare.ledger.note import NoteVerifier, is_valid_key_name

ED25519_OID = "1.3.101.112"  # RFC 8410 id-Ed25519, the curve's EC_PARAMS in PKCS#11 3.0


@dataclass(frozen=True)
class Pkcs11Config:
    """The token, and the label of the ledger's key pair in it."""

    token: TokenConfig
    key_label: str


class Pkcs11Signer:
    """A `NoteSigner` whose private key stays in the token (C_Sign with CKM_EDDSA)."""

    def __init__(self, config: Pkcs11Config, *, name: str) -> None:
        if not is_valid_key_name(name):
            raise LedgerKeyError("key name must be non-empty, without spaces or '+'")
        self._config, self._name = config, name
        self._lock = threading.Lock()  # one PKCS#11 session, used by one thread at a time
        self._session: Any = None
        self._key: Any = None
        with self._lock:
            public = self._open()
        self._verifier = NoteVerifier(name=name, public_key=public)

    def _open(self) -> bytes:
        """Log in, find the key pair by label, and return the raw 32-byte public key."""
        pkcs11 = pkcs11_module()
        try:
            self._session = open_session(self._config.token)
            self._key = self._session.get_key(
                object_class=pkcs11.ObjectClass.PRIVATE_KEY,
                key_type=pkcs11.KeyType.EC_EDWARDS,
                label=self._config.key_label,
            )
            public = self._session.get_key(
                object_class=pkcs11.ObjectClass.PUBLIC_KEY,
                key_type=pkcs11.KeyType.EC_EDWARDS,
                label=self._config.key_label,
            )
            return _raw_point(public[pkcs11.Attribute.EC_POINT])
        except (pkcs11.PKCS11Error, TokenError) as exc:
            raise LedgerKeyError(
                f"cannot use the ledger key {self._config.key_label!r} in PKCS#11 token "
                f"{self._config.token.token_label!r} ({type(exc).__name__})"
            ) from exc

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> bytes:
        return self._verifier.key_id

    @property
    def verifier(self) -> NoteVerifier:
        return self._verifier

    def sign(self, message: bytes) -> bytes:
        pkcs11 = pkcs11_module()
        with self._lock:
            try:
                return bytes(self._key.sign(message, mechanism=pkcs11.Mechanism.EDDSA))
            except pkcs11.PKCS11Error:
                # A dropped session (token restarted): log in again once, then give up.
                self._open()
                return bytes(self._key.sign(message, mechanism=pkcs11.Mechanism.EDDSA))

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None


def _raw_point(point: bytes) -> bytes:
    """CKA_EC_POINT is the 32-byte key, usually DER-wrapped as an OCTET STRING (04 20 ...)."""
    if len(point) == 34 and point[:2] == b"\x04\x20":
        return bytes(point[2:])
    if len(point) == 32:
        return bytes(point)
    raise LedgerKeyError("the token's key is not an Ed25519 public key")


def generate_key(config: Pkcs11Config, *, name: str) -> NoteVerifier:
    """Create the Ed25519 key pair inside the token (sensitive, never extractable); refuse
    to create a second key under the same label."""
    pkcs11 = pkcs11_module()
    from pkcs11.util.ec import encode_named_curve_parameters

    with session_for(config.token, rw=True) as session:
        existing = list(
            session.get_objects(
                {
                    pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY,
                    pkcs11.Attribute.LABEL: config.key_label,
                }
            )
        )
        if existing:
            raise LedgerKeyError(
                f"the token already holds a key labelled {config.key_label!r}; "
                "refusing to replace a ledger key"
            )
        parameters = session.create_domain_parameters(
            pkcs11.KeyType.EC_EDWARDS,
            {pkcs11.Attribute.EC_PARAMS: encode_named_curve_parameters(ED25519_OID)},
            local=True,
        )
        public, _private = parameters.generate_keypair(
            store=True,
            label=config.key_label,
            mechanism=pkcs11.Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
            private_template={
                pkcs11.Attribute.SENSITIVE: True,
                pkcs11.Attribute.EXTRACTABLE: False,
            },
        )
        raw = _raw_point(public[pkcs11.Attribute.EC_POINT])
    return NoteVerifier(name=name, public_key=raw)
