"""Retention errors: safe messages and stable codes for the CLI and web pages."""

from __future__ import annotations

from safeshare.errors import ConfigurationError


class RetentionScheduleError(ConfigurationError):
    """The schedule file did not parse, or names an action its record type cannot take."""

    code = "retention_schedule_invalid"
