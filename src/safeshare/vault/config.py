"""Vault settings with defaults (`SAFESHARE_VAULT__...`), nested in the one `Settings`.

A plain pydantic model that imports nothing from `safeshare.config`, so `config.py` can nest
it without a cycle; the factory that reads it is `safeshare.vault.providers`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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
