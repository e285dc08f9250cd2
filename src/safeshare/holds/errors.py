"""Hold errors: safe messages and stable codes for the CLI and web pages."""

from __future__ import annotations

from safeshare.errors import ConflictError, NotFoundError


class LegalHoldNotFoundError(NotFoundError):
    code = "legal_hold_not_found"


class LegalHoldLiftedError(ConflictError):
    code = "legal_hold_lifted"
