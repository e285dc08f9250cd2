"""Vault settings with defaults, and the factory that picks a key provider from them.

A plain pydantic model (not a second settings class): the one `Settings` can nest it later.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from safeshare.errors import ConfigurationError
from safeshare.hsm import TokenConfig
from safeshare.vault.hsm import Pkcs11KeyProvider
from safeshare.vault.keys import FileKeyProvider, InMemoryKeyProvider, KeyProvider

if TYPE_CHECKING:  # Settings nests VaultConfig, so import it only for type checking
    from safeshare.config import Settings


class VaultConfig(BaseModel):
    """Which key provider to use, and the grace period before an old KEK may be retired.

    `retire_grace_seconds`: an old KEK is destroyed only once the current one is at least
    this old, so a request that wrapped a data key under the old KEK just before rotation
    has committed (and is then counted) before its KEK can go.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Literal["file", "memory", "pkcs11"] = "file"
    retire_grace_seconds: int = Field(default=30, ge=0)

    @property
    def retire_grace(self) -> timedelta:
        return timedelta(seconds=self.retire_grace_seconds)


def get_vault_config() -> VaultConfig:
    """The process-wide vault configuration (`SAFESHARE_VAULT__...`)."""
    from safeshare.config import get_settings

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
