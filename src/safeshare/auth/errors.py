"""Errors raised by account services."""

from __future__ import annotations

from safeshare.errors import ConflictError, InvalidInputError, SafeShareError


class AuthenticationError(SafeShareError):
    """Wrong username or password (deliberately not saying which)."""

    code = "authentication_failed"
    status = 401


class UsernameTakenError(ConflictError):
    code = "username_taken"


class WeakPasswordError(InvalidInputError):
    code = "weak_password"
