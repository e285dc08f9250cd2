"""Base of every SafeShare domain error: a safe message and a stable code, never sealed data."""

from __future__ import annotations


class SafeShareError(Exception):
    """A failure a user may be told about. `message` must never contain sealed data."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConfigurationError(SafeShareError):
    code = "configuration"
    status = 500


class NotFoundError(SafeShareError):
    code = "not_found"
    status = 404


class PermissionDeniedError(SafeShareError):
    code = "forbidden"
    status = 403


class ConflictError(SafeShareError):
    code = "conflict"
    status = 409


class InvalidInputError(SafeShareError):
    code = "invalid_input"
    status = 422
