"""Reporting settings with defaults: Victims' Code timings, passphrase hashing, who may do what.

Every Code timing lives here, not in code, because the Code is being revised. A plain
pydantic model so the one `Settings` class can nest it; tests build their own.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from safeshare.reporting.vocabulary import CrimeType, SealedField, VictimsCodeRight


class Argon2Parameters(BaseModel):
    """Cost of hashing anonymous reporters' passphrases (defaults: RFC 9106 low-memory)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_cost: int = Field(default=3, ge=1)
    memory_cost_kib: int = Field(default=65_536, ge=8)
    parallelism: int = Field(default=4, ge=1)


class ReportingConfig(BaseModel):
    """Everything in reporting that is policy rather than code."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Victims' Code timings, in working days (weekends and bank holidays excluded).
    referral_working_days: int = Field(default=2, ge=0)  # Right 4, from consent to referral
    update_working_days: int = Field(default=5, ge=0)  # Right 6, from a key decision
    enhanced_update_working_days: int = Field(default=1, ge=0)  # Right 6, enhanced rights
    due_soon_working_days: int = Field(default=1, ge=0)  # dashboard's "due soon" window
    enhanced_rights_crime_types: frozenset[CrimeType] = frozenset(
        {CrimeType.domestic_abuse, CrimeType.sexual_offence, CrimeType.modern_slavery}
    )
    rights_at_intake: tuple[VictimsCodeRight, ...] = tuple(VictimsCodeRight)
    bank_holiday_country: str = "GB"
    bank_holiday_subdivision: str = "ENG"  # England and Wales share their bank holidays
    timezone: str = "Europe/London"  # what "today" means for due dates

    # Anonymous reporters' passphrases.
    passphrase_min_chars: int = Field(default=12, ge=8)
    argon2: Argon2Parameters = Argon2Parameters()

    # Who may do what is `safeshare.auth.permissions.GRANTS`, not configuration. Sealed
    # fields (reporting/sealed_access.py): officers read those of reports assigned to them or
    # their team; SEALED_READ_ANY_REPORT and SEALED_READ_UNASSIGNED widen that, rate-limited.
    access_grant_hours: int = Field(default=24, ge=1)  # an approved grant's lifetime
    break_glass_minutes: int = Field(default=60, ge=1)
    sealed_reads_per_hour: int = Field(default=30, ge=1)  # per user; then refused (429)
    sealed_read_alert_per_hour: int = Field(default=15, ge=1)  # unusual volume: alert
    # A 'by and for' organisation's report reaches police for the crime, never for the
    # victim's immigration data: the Firewall's protected categories stay sealed from police.
    third_party_police_fields: frozenset[SealedField] = frozenset(SealedField) - {
        SealedField.immigration_status,
        SealedField.nationality,
    }

    page_size_default: int = Field(default=25, ge=1, le=100)
    # Erasure also rotates the key-encryption key so backups holding the old wrapped data
    # key become unreadable once the old KEK is retired. Switch off only with a KMS whose
    # per-call cost makes that impractical, and rotate on a schedule instead.
    erasure_rotates_key: bool = True

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value
