"""Turning pydantic validation errors into GOV.UK error summaries and field messages."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from safeshare.web.access import CSRF_FIELD

FormErrors = dict[str, str]
M = TypeVar("M", bound=BaseModel)


def form_values(form: FormData) -> dict[str, Any]:
    """Plain field values of a posted form, without the CSRF token; repeated keys become lists."""
    values: dict[str, Any] = {}
    for key in form:
        if key == CSRF_FIELD:
            continue
        items = [v for v in form.getlist(key) if isinstance(v, str)]
        values[key] = items if len(items) > 1 else (items[0] if items else "")
    return values


def errors_from(exc: ValidationError, messages: dict[str, str] | None = None) -> FormErrors:
    """First message per field; `messages` overrides pydantic's wording per field."""
    errors: FormErrors = {}
    for err in exc.errors(include_input=False, include_url=False):
        field = str(err["loc"][0]) if err["loc"] else "form"
        if field not in errors:
            text = (messages or {}).get(field) or str(err["msg"]).removeprefix("Value error, ")
            errors[field] = text
    return errors


def validate_form(
    model: type[M], values: dict[str, Any], messages: dict[str, str] | None = None
) -> tuple[M | None, FormErrors]:
    try:
        return model.model_validate(values), {}
    except ValidationError as exc:
        return None, errors_from(exc, messages)


def error_list(errors: FormErrors) -> list[dict[str, str]]:
    """The errorList for govukErrorSummary, linking each message to its field."""
    return [{"text": text, "href": f"#{field}"} for field, text in errors.items()]
