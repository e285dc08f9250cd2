"""Policy errors: safe messages and stable codes for the CLI, web pages and API."""

from __future__ import annotations

from safeshare.errors import ConfigurationError, ConflictError, InvalidInputError, NotFoundError


class RegimeLoadError(ConfigurationError):
    """A regime's schema or policies did not parse or validate; the regime refuses to load."""

    code = "regime_invalid"


class PolicyEvaluationError(ConfigurationError):
    """Cedar could not evaluate a request; raised rather than guessing a decision."""

    code = "policy_evaluation"


class UnknownRegimeError(NotFoundError):
    code = "unknown_regime"


class DecisionNotFoundError(NotFoundError):
    code = "decision_not_found"


class ReviewNotFoundError(NotFoundError):
    code = "review_not_found"


class ReviewAlreadyDecidedError(ConflictError):
    code = "review_decided"


class InvalidRulingError(InvalidInputError):
    code = "invalid_ruling"


class DisclosureNotFoundError(NotFoundError):
    code = "disclosure_not_found"


class DisclosureNotAllowedError(ConflictError):
    """A disclosure record naming categories its decision did not allow (or none at all).
    409: a well-formed record that the decision's state (refused, pending, narrower) rules out."""

    code = "disclosure_not_allowed"
