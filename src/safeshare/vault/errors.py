"""Vault failures. Messages name subjects and key ids at most, never plaintext or key bytes."""

from __future__ import annotations

from safeshare.errors import ConfigurationError, InvalidInputError, SafeShareError


class VaultError(SafeShareError):
    """Base of vault failures; a 500 unless a subclass says otherwise."""

    code = "vault"
    status = 500


class KeyringError(ConfigurationError):
    """The key file is missing, unreadable, malformed or too widely readable."""

    code = "vault_keyring"


class KeyUnavailableError(VaultError):
    """A key-encryption key id is not held by the provider (never existed, or retired)."""

    code = "vault_key_unavailable"


class IntegrityError(VaultError):
    """Authenticated decryption failed: wrong key, tampered bytes or a value moved elsewhere."""

    code = "vault_integrity"


class DataKeyDestroyedError(VaultError):
    """The subject's data key was destroyed (crypto-shredded); its sealed values are gone."""

    code = "vault_destroyed"
    status = 410


class ReasonRequiredError(InvalidInputError):
    """A sealed read was attempted without a stated reason."""

    code = "vault_reason_required"


class RotationPendingError(VaultError):
    """Keys may only be retired once the re-wrapping that freed them has committed."""

    code = "vault_rotation_pending"
    status = 409
