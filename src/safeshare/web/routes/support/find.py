"""Find support: the search for a service, and a service's page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from starlette.responses import Response

from safeshare.auth.permissions import Permission
from safeshare.support import service as support
from safeshare.support.errors import InvalidSupportInputError
from safeshare.support.schemas import FieldValueError, SupportSearch
from safeshare.support.vocabulary import ServiceType
from safeshare.web.access import DbSession
from safeshare.web.forms import FormErrors, errors_from
from safeshare.web.pagination import numbered_pagination
from safeshare.web.routes.support._common import Finder, Staff, _blank_to_none, _page, _stale_after

router = APIRouter()

PAGE_SIZE = 20


class FindForm(BaseModel):
    """The "Find support" filters as the GET form sends them."""

    need: ServiceType | None = None
    language: str = Field(default="", max_length=64)
    require_language: bool = False
    nrpf: bool = False
    require_nrpf: bool = False
    area: str | None = Field(default=None, max_length=40)
    vacancy: bool = False
    page: int = Field(default=1, ge=1, le=500)
    report: str = Field(default="", max_length=40)

    _blank = field_validator("need", "area", mode="before")(_blank_to_none)

    @model_validator(mode="after")
    def _language_to_require(self) -> FindForm:
        if self.require_language and not self.language.strip():
            raise FieldValueError(
                "language", "Enter a language to show only services that speak it"
            )
        return self

    def query(self) -> SupportSearch:
        return SupportSearch(
            need=self.need,
            language=self.language.strip() or None,
            require_language=self.require_language,
            has_nrpf=self.nrpf,
            require_nrpf_support=self.require_nrpf,
            area=self.area,
            vacancy_now=self.vacancy,
            limit=PAGE_SIZE,
            offset=(self.page - 1) * PAGE_SIZE,
        )

    def link_params(self, **overrides: object) -> str:
        """This search as a query string (only what is set), for pages and refer links."""
        values: dict[str, object] = {
            "need": self.need or "",
            "language": self.language,
            "require_language": "yes" if self.require_language else "",
            "nrpf": "yes" if self.nrpf else "",
            "require_nrpf": "yes" if self.require_nrpf else "",
            "area": self.area or "",
            "vacancy": "yes" if self.vacancy else "",
            "report": self.report,
            **overrides,
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None, 1)})


FIND_MESSAGES = {
    "need": "Choose a type of support from the list",
    "language": "Enter a language in 64 characters or fewer",
    "area": "Choose an area from the list",
    "page": "That page does not exist",
    "report": "Enter a report reference in 40 characters or fewer",
}


def _pagination(form: FindForm, total: int) -> dict[str, Any] | None:
    def href(number: int) -> str:
        query = form.link_params(page=number)
        return f"/support/find?{query}" if query else "/support/find"

    return numbered_pagination(form.page, max(1, -(-total // PAGE_SIZE)), href, window=2)


@router.get("/support/find")
def find_support(request: Request, db: DbSession, principal: Finder) -> Response:
    raw = {key: request.query_params.get(key, "") for key in FindForm.model_fields}
    areas = support.list_areas(db)
    errors: FormErrors = {}
    results = None
    try:
        form = FindForm.model_validate({k: v for k, v in raw.items() if v != ""})
    except ValidationError as exc:
        form, errors = FindForm(), errors_from(exc, FIND_MESSAGES, default_field="need")
    if not errors:
        try:
            results = support.search_services(
                db, query=form.query(), stale_after=_stale_after(request)
            )
        except InvalidSupportInputError as exc:
            errors = {exc.field or "need": exc.message}
    return _page(
        request,
        "find.html",
        {
            "raw": raw,
            "form": form,
            "areas": areas,
            "errors": errors,
            "results": results,
            "pagination": _pagination(form, results.total) if results else None,
            "first_shown": form.page * PAGE_SIZE - PAGE_SIZE + 1,
            "can_refer": principal.can(Permission.REFER_THROUGH_FIREWALL),
            "refer_params": form.link_params(page=1),
        },
        status_code=400 if errors else 200,
    )


@router.get("/support/services/{service_id}")
def service_detail(request: Request, db: DbSession, principal: Staff, service_id: int) -> Response:
    service = support.get_service_or_raise(db, service_id=service_id)
    is_own = support.is_advocate_of(principal, service.organisation_id)
    return _page(
        request,
        "service.html",
        {
            "service": support.service_read(service, stale_after=_stale_after(request)),
            "history": support.capacity_history(db, service_id=service_id),
            "can_refer": principal.can(Permission.REFER_THROUGH_FIREWALL) and service.is_active,
            "can_update": is_own,
            "can_edit": principal.can(Permission.DIRECTORY_MANAGE),
            "can_see_performance": is_own or principal.can(Permission.PERFORMANCE_READ_ANY),
        },
    )
