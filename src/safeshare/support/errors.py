"""Support's domain errors: safe messages and stable codes (mapped to pages in `web/errors.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from safeshare.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError


class ServiceNotFoundError(NotFoundError):
    code = "support_service_not_found"


class ReferralNotFoundError(NotFoundError):
    """Also raised for another organisation's referral, so its existence is not revealed."""

    code = "support_referral_not_found"


class ReleaseNotFoundError(NotFoundError):
    code = "support_release_not_found"


class SupportPermissionError(PermissionDeniedError):
    code = "support_forbidden"


class ConsentRequiredError(PermissionDeniedError):
    """The victim has not consented (or no longer consents) to referral to support services."""

    code = "support_consent_required"


class ReferralStateError(ConflictError):
    """The referral is not in a state that allows the requested step."""

    code = "support_referral_state"


class DuplicateReferralError(ConflictError):
    code = "support_referral_duplicate"


class ServiceInUseError(ConflictError):
    code = "support_service_in_use"


class StaleReleaseError(ConflictError):
    """Only the current directory release can be acknowledged."""

    code = "support_release_stale"


class InvalidSupportInputError(InvalidInputError):
    code = "support_invalid_input"


@dataclass(frozen=True)
class RowError:
    """One problem in an imported CSV: `row` 1 is the header, 2 the first line under it."""

    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class CsvImportError(InvalidInputError):
    """The import was refused as a whole; `errors` lists every bad row and field."""

    code = "support_csv_invalid"

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(f"The file has {len(errors)} problem(s); nothing was imported.")
        self.errors = tuple(errors)
