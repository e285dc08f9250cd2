"""The one Settings class, read from `SAFESHARE_*` environment variables."""

from __future__ import annotations

import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from safeshare.errors import ConfigurationError
from safeshare.reporting.config import ReportingConfig
from safeshare.vault.config import VaultConfig

log = logging.getLogger(__name__)

_PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development"}


class Settings(BaseSettings):
    """Configuration for one SafeShare deployment (one force and its PCC)."""

    model_config = SettingsConfigDict(
        env_prefix="SAFESHARE_", env_nested_delimiter="__", extra="ignore"
    )

    env: Literal["development", "production"] = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    secret_key: SecretStr | None = None
    vault_key_file: Path | None = None
    ledger_key_file: Path | None = None
    ledger_origin: str = "safeshare.example/ledger"
    session_max_age_seconds: int = Field(default=8 * 3600, gt=0)
    login_max_failures: int = Field(default=5, gt=0)
    lockout_minutes: int = Field(default=15, gt=0)
    public_rate_limit_per_minute: int = Field(default=20, gt=0)
    force_name: str = "Demoshire Police"
    vacancy_stale_after_hours: int = Field(default=24, gt=0)
    small_count_threshold: int = Field(default=10, ge=1)
    statistics_rounding_base: int = Field(default=5, ge=1)
    outcome_follow_up_days: int = Field(default=28, gt=0)
    log_level: str = "INFO"
    # Requests using the database at once, per process (each holds one pooled connection).
    # At most 32: every one of them may need one of the 40 threads sync code runs on.
    db_pool_size: int = Field(default=16, ge=1, le=32)
    # Password and passphrase checks (argon2, CPU- and memory-heavy) running at once, per
    # process; half the cores by default, so a sign-in flood leaves CPU for everything else.
    password_hash_concurrency: int = Field(
        default_factory=lambda: max(1, (os.cpu_count() or 1) // 2), ge=1
    )
    # Victims' Code timings, bank-holiday calendar and reporting limits: policy, not code.
    reporting: ReportingConfig = Field(default_factory=ReportingConfig)
    vault: VaultConfig = Field(default_factory=VaultConfig)

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.var_dir / 'safeshare.db').as_posix()}"
        if self.vault_key_file is None:
            self.vault_key_file = self.var_dir / "vault.key"
        if self.ledger_key_file is None:
            self.ledger_key_file = self.var_dir / "ledger.key"
        if self.is_production:
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if key.strip().lower() in _PLACEHOLDER_SECRETS or len(key) < 32:
                raise ConfigurationError(
                    "SAFESHARE_SECRET_KEY must be set to a random value of at least 32 "
                    "characters when SAFESHARE_ENV=production"
                )
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def session_secret(self) -> str:
        """The cookie-signing secret; in development generated once into `var/` with a warning."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        path.write_text(value + "\n")
        path.chmod(0o600)
        log.warning(
            "No SAFESHARE_SECRET_KEY set: generated a development key in %s. "
            "Set SAFESHARE_SECRET_KEY in production.",
            path,
        )
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own `Settings` instead."""
    return Settings()
