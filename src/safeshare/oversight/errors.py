"""Oversight errors: safe messages and stable codes for pages, the CLI and the API."""

from __future__ import annotations

from safeshare.errors import ConflictError, InvalidInputError, NotFoundError


class DisclosureNotFoundError(NotFoundError):
    """No recorded disclosure with that id (outcomes attach only to real disclosures)."""

    code = "disclosure_not_found"


class NotImmigrationDisclosureError(ConflictError):
    """Outcomes after a share are tracked for disclosures to Immigration Enforcement only."""

    code = "not_immigration_disclosure"


class InvalidOutcomeError(InvalidInputError):
    code = "invalid_outcome"


class RecommendationNotFoundError(NotFoundError):
    code = "recommendation_not_found"


class InvalidRecommendationError(InvalidInputError):
    code = "invalid_recommendation"


class InvalidPeriodError(InvalidInputError):
    code = "invalid_period"
