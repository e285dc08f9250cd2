"""The key provider the configuration asks for: file, PKCS#11 token, or memory (tests).

Kept apart from `vault.config` because it reads the whole `Settings` (production flag, key
file, token), and `Settings` nests `VaultConfig`: one direction of import only.
"""

from __future__ import annotations

from functools import lru_cache

from safeshare.config import Settings, get_settings
from safeshare.errors import ConfigurationError
from safeshare.hsm import TokenConfig
from safeshare.vault.config import VaultConfig
from safeshare.vault.hsm import Pkcs11KeyProvider
from safeshare.vault.keys import FileKeyProvider, InMemoryKeyProvider, KeyProvider


def get_vault_config() -> VaultConfig:
    """The process-wide vault configuration (`SAFESHARE_VAULT__...`)."""
    return get_settings().vault


def build_key_provider(settings: Settings, config: VaultConfig | None = None) -> KeyProvider:
    """The configured provider; an in-memory one is refused in production (data would be lost)."""
    config = config or settings.vault
    if config.provider == "memory":
        if settings.is_production:
            raise ConfigurationError("the in-memory vault key provider is for tests only")
        return InMemoryKeyProvider()
    if config.provider == "pkcs11":
        return _token_provider(settings.pkcs11_token())
    assert settings.vault_key_file is not None  # filled in by Settings
    return FileKeyProvider(settings.vault_key_file)


@lru_cache(maxsize=4)
def _token_provider(token: TokenConfig) -> Pkcs11KeyProvider:
    """One provider (one logged-in session) per token for the process, not per request."""
    return Pkcs11KeyProvider(token)
