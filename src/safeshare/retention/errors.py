"""Retention errors: safe messages and stable codes for the CLI and web pages."""

from __future__ import annotations

from safeshare.errors import ConfigurationError, ConflictError, NotFoundError


class RetentionScheduleError(ConfigurationError):
    """The schedule file did not parse, or names an action its record type cannot take."""

    code = "retention_schedule_invalid"


class LegalHoldNotFoundError(NotFoundError):
    code = "legal_hold_not_found"


class LegalHoldLiftedError(ConflictError):
    code = "legal_hold_lifted"
