"""The one Settings class, read from `SAFESHARE_*` environment variables."""

from __future__ import annotations

import logging
import math
import os
import secrets
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from safeshare.auth.sso_config import OidcConfig
from safeshare.errors import ConfigurationError
from safeshare.hsm import TokenConfig
from safeshare.ledger.config import WitnessSetting
from safeshare.policy.config import PolicyConfig
from safeshare.redaction.small_counts import DisclosurePolicy
from safeshare.reporting.config import ReportingConfig
from safeshare.retention.config import RetentionConfig
from safeshare.vault.config import VaultConfig

log = logging.getLogger(__name__)

# Compiled gettext catalogues of the public pages; English, the source language, has none.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"
_PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev", "development"}
# A production secret must carry at least this much estimated entropy (bits), so a long but
# repetitive value ("aaaa…", "changemechangeme…") is refused even though it is 32+ characters.
MIN_SECRET_ENTROPY_BITS = 96


def _smallest_period(value: str) -> int:
    """Length of the shortest block that, repeated, makes up `value` (KMP failure function)."""
    failure = [0] * len(value)
    for i in range(1, len(value)):
        k = failure[i - 1]
        while k and value[i] != value[k]:
            k = failure[k - 1]
        failure[i] = k + 1 if value[i] == value[k] else 0
    period = len(value) - failure[-1] if value else 0
    return period


def estimated_entropy_bits(value: str) -> float:
    """Shannon estimate of a string's entropy over its shortest repeating block.

    Bits per character seen times the block's length, so "changeme" repeated eight times
    scores as "changeme" does, however long it is.
    """
    if not value:
        return 0.0
    counts = Counter(value)
    per_char = -sum((n / len(value)) * math.log2(n / len(value)) for n in counts.values())
    return per_char * _smallest_period(value)


def shipped_languages() -> tuple[str, ...]:
    """English plus every language with a compiled catalogue in the package."""
    compiled = sorted(path.parts[-3] for path in LOCALE_DIR.glob("*/LC_MESSAGES/messages.mo"))
    return (SOURCE_LANGUAGE, *compiled)


def is_strong_secret(value: str) -> bool:
    """At least 32 characters, not a placeholder, and not predictable by repetition."""
    return (
        value.strip().lower() not in _PLACEHOLDER_SECRETS
        and len(value) >= 32
        and estimated_entropy_bits(value) >= MIN_SECRET_ENTROPY_BITS
    )


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
    # The key that seals TOTP secrets at rest (db/sealing.py); created on first use.
    totp_key_file: Path | None = None
    ledger_key_file: Path | None = None
    ledger_origin: str = "safeshare.example/ledger"
    # Where the checkpoint signing key lives: a key file, or an HSM through PKCS#11.
    ledger_key_provider: Literal["file", "pkcs11"] = "file"
    ledger_pkcs11_key_label: str = "safeshare-ledger"
    # The PKCS#11 token (HSM) for the ledger key and, with SAFESHARE_VAULT__PROVIDER=pkcs11,
    # the vault's key-encryption keys.
    pkcs11_module: Path = Path("/usr/lib/softhsm/libsofthsm2.so")
    pkcs11_token_label: str = "safeshare"  # noqa: S105 (a label, not a secret)
    pkcs11_pin: SecretStr | None = None
    # The log's public (verifier) key: verification needs only this, never the signing key.
    ledger_vkey: str | None = None
    # Independent witnesses (c2sp.org/tlog-witness) and how many must cosign a checkpoint.
    ledger_witnesses: list[WitnessSetting] = Field(default_factory=list)
    ledger_witness_quorum: int = Field(default=0, ge=0)
    ledger_witness_timeout_seconds: float = Field(default=5.0, gt=0)
    session_max_age_seconds: int = Field(default=8 * 3600, gt=0)  # absolute timeout
    session_idle_timeout_seconds: int = Field(default=30 * 60, gt=0)
    # Erasure, regime change and sealed reads need a password (and code) this recent.
    step_up_seconds: int = Field(default=15 * 60, gt=0)
    # Progressive delays after failed sign-ins and anonymous returns (auth/throttle.py).
    login_max_wait_seconds: float = Field(default=900, gt=0)
    login_max_pause_seconds: float = Field(default=3, ge=0)
    public_rate_limit_per_minute: int = Field(default=20, gt=0)
    # A refusal for too many attempts (429) is sent after min(Retry-After, this) seconds,
    # its database slot already given back: a client hammering a throttled form then makes
    # about one request a second instead of hundreds, and costs the others nothing meanwhile.
    throttled_answer_delay_seconds: float = Field(default=1.0, ge=0, le=10)
    # Reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or CIDRs). Empty:
    # the header is ignored, so a client cannot pick the address rate limits count.
    trusted_proxies: str = ""
    force_name: str = "Demoshire Police"
    # Languages the public pages offer, in the switcher's order ("en,cy,es"); each but English
    # needs a catalogue under safeshare/locale. A force in Wales offers Welsh; any other may
    # drop languages its support organisations cannot answer in.
    languages: Annotated[tuple[str, ...], NoDecode] = ("en", "cy", "es", "ar", "pl", "ro", "pt")
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
    # Which crime types the migrant victims protocol's enforcement pause covers.
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    # The retention schedule and how often `serve` applies it.
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    # OpenID Connect single sign-on (auth/sso.py); off unless an issuer and client id are set.
    oidc: OidcConfig = Field(default_factory=OidcConfig)

    @field_validator("languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        """SAFESHARE_LANGUAGES is written as a comma-separated list."""
        if isinstance(value, str):
            return tuple(code.strip().lower() for code in value.split(",") if code.strip())
        return value

    @field_validator("languages")
    @classmethod
    def _check_languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        """Refuse at startup a language with no catalogue, rather than show it in English."""
        unknown = [code for code in value if code not in shipped_languages()]
        if unknown:
            raise ConfigurationError(
                f"SAFESHARE_LANGUAGES names languages with no catalogue: {', '.join(unknown)} "
                f"(shipped: {', '.join(shipped_languages())})"
            )
        if SOURCE_LANGUAGE not in value:
            raise ConfigurationError(
                "SAFESHARE_LANGUAGES must include en: English is what every other language "
                "falls back to"
            )
        return tuple(dict.fromkeys(value))

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.var_dir / 'safeshare.db').as_posix()}"
        if self.vault_key_file is None:
            self.vault_key_file = self.var_dir / "vault.key"
        if self.totp_key_file is None:
            self.totp_key_file = self.var_dir / "totp.key"
        if self.ledger_key_file is None:
            self.ledger_key_file = self.var_dir / "ledger.key"
        if self.ledger_witness_quorum > len(self.ledger_witnesses):
            raise ConfigurationError(
                "SAFESHARE_LEDGER_WITNESS_QUORUM is larger than the number of witnesses"
            )
        if not self.disclosure_policy().resists_differencing:
            raise ConfigurationError(
                "SAFESHARE_STATISTICS_ROUNDING_BASE must be at least 2 while small counts are "
                "suppressed (SAFESHARE_SMALL_COUNT_THRESHOLD above 1)"
            )
        if self.is_production:
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if not is_strong_secret(key):
                raise ConfigurationError(
                    "SAFESHARE_SECRET_KEY must be set to a random, non-repetitive value of at "
                    "least 32 characters when SAFESHARE_ENV=production"
                )
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def zone(self) -> ZoneInfo:
        """The force's time zone (`SAFESHARE_REPORTING__TIMEZONE`): due dates, and every date
        and time a page or message shows."""
        return ZoneInfo(self.reporting.timezone)

    def disclosure_policy(self) -> DisclosurePolicy:
        """The one disclosure control for every published count (statistics, the PDF,
        support performance): suppress 1 to threshold - 1, round the rest."""
        return DisclosurePolicy(
            threshold=self.small_count_threshold, rounding_base=self.statistics_rounding_base
        )

    def pkcs11_token(self) -> TokenConfig:
        """The configured token; the PIN is required."""
        if self.pkcs11_pin is None:
            raise ConfigurationError("SAFESHARE_PKCS11_PIN is needed to use the PKCS#11 token")
        return TokenConfig(
            self.pkcs11_module, self.pkcs11_token_label, self.pkcs11_pin.get_secret_value()
        )

    @property
    def session_cookie_name(self) -> str:
        """`__Host-` in production: the browser then insists on Secure, Path=/ and no Domain,
        so a sibling subdomain cannot plant or overwrite it (ASVS 3.4.4)."""
        return "__Host-safeshare_session" if self.is_production else "safeshare_session"

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
