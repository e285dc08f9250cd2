"""Reporting failures: safe messages (shown to the public on some pathways) and stable codes."""

from __future__ import annotations

from safeshare.errors import ConflictError, NotFoundError, PermissionDeniedError, SafeShareError


class ReportNotFoundError(NotFoundError):
    code = "report_not_found"


class ReportErasedError(SafeShareError):
    """The report's sealed details were erased; only its unsealed shell remains."""

    code = "report_erased"
    status = 410


class ReportingPermissionError(PermissionDeniedError):
    code = "reporting_forbidden"


class AnonymousAccessError(SafeShareError):
    """Wrong reference, wrong passphrase or throttled: deliberately indistinguishable."""

    code = "anonymous_access"
    status = 401


class ConsentStateError(ConflictError):
    """Withdrawing a consent that is not in force, or similar."""

    code = "consent_state"


class RightItemNotFoundError(NotFoundError):
    code = "right_not_found"


class RightStateError(ConflictError):
    code = "right_state"


class SealedAccessRequiredError(PermissionDeniedError):
    """Not assigned to the report and no grant in force: ask a supervisor, or break glass."""

    code = "sealed_access_required"


class SealedReadRateLimitedError(SafeShareError):
    """Too many sealed reads by one user in the last hour."""

    code = "sealed_read_rate_limited"
    status = 429


class GrantNotFoundError(NotFoundError):
    code = "grant_not_found"


class GrantStateError(ConflictError):
    code = "grant_state"
