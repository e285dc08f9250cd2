"""The one form-error helper: posted values in, GOV.UK error summary and field messages out.

`errors_from` turns a pydantic `ValidationError` into one message per field; `Problems`
collects errors a route finds itself (with the element each summary link jumps to);
`error_list` builds govukErrorSummary's list from either, in page order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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


def sentence(text: str) -> str:
    """A message as GOV.UK writes them: a capital first letter and no full stop."""
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def errors_from(
    exc: ValidationError, messages: Mapping[str, str] | None = None, *, default_field: str = "form"
) -> FormErrors:
    """First message per field; `messages` overrides pydantic's wording per field.

    A whole-model check may raise a `ValueError` with a `field` attribute (as
    `support.schemas.FieldValueError` does): its message goes to that field. Errors with no
    field (model-level) go to `default_field`, the field the summary link should jump to.
    """
    errors: FormErrors = {}
    for err in exc.errors(include_input=False, include_url=False):
        cause = err.get("ctx", {}).get("error")
        target = getattr(cause, "field", None)
        if isinstance(cause, ValueError) and isinstance(target, str):
            name, text = target, str(cause)
        else:
            name = str(err["loc"][0]) if err["loc"] else default_field
            text = (messages or {}).get(name) or str(err["msg"]).removeprefix("Value error, ")
        errors.setdefault(name, sentence(text))
    return errors


def validate_form(
    model: type[M], values: dict[str, Any], messages: dict[str, str] | None = None
) -> tuple[M | None, FormErrors]:
    try:
        return model.model_validate(values), {}
    except ValidationError as exc:
        return None, errors_from(exc, messages)


def ordered(errors: Mapping[str, str], order: Iterable[str] = ()) -> FormErrors:
    """`errors` in page order (fields not in `order` last, as they came)."""
    rank = {name: n for n, name in enumerate(order)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0], len(rank))))


def error_list(
    errors: Mapping[str, str],
    order: Iterable[str] = (),
    anchors: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """The errorList for govukErrorSummary, in page order, linking each message to its field
    (or to the element in `anchors`, e.g. the first of a group of checkboxes)."""
    return [
        {"text": text, "href": f"#{(anchors or {}).get(name, name)}"}
        for name, text in ordered(errors, order).items()
    ]


@dataclass
class Problems:
    """Field errors a route finds itself, with the element each summary link jumps to."""

    errors: dict[str, str] = field(default_factory=dict)
    anchors: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str, *, anchor: str | None = None) -> None:
        if name not in self.errors:
            self.errors[name] = message
            if anchor:
                self.anchors[name] = anchor

    def __bool__(self) -> bool:
        return bool(self.errors)

    def error_list(self, order: Iterable[str] = ()) -> list[dict[str, str]]:
        return error_list(self.errors, order, self.anchors)
