"""Refuge capacity: the advocate's refuges and their vacancies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from safeshare.auth.permissions import Actor
from safeshare.support import service as support
from safeshare.support.errors import InvalidSupportInputError
from safeshare.support.schemas import Vacancies
from safeshare.web.access import DbSession
from safeshare.web.forms import FormErrors, errors_from, form_values
from safeshare.web.routes.support._common import Advocate, _one, _page, _redirect, _stale_after

router = APIRouter()

VACANCY_MESSAGES = {
    "vacant_units": "Enter vacant units as a whole number from 0",
    "vacant_bedspaces": "Enter vacant bedspaces as a whole number from 0",
    "vacant_nrpf_units": "Enter vacant NRPF-ringfenced units as a whole number from 0",
    "vacant_nrpf_bedspaces": "Enter vacant NRPF-ringfenced bedspaces as a whole number from 0",
}


@router.get("/support/capacity")
def capacity_list(request: Request, db: DbSession, principal: Advocate) -> Response:
    stale_after = _stale_after(request)
    refuges = [
        support.service_read(s, stale_after=stale_after)
        for s in support.refuges_for_advocate(db, actor=principal)
    ]
    return _page(request, "capacity_list.html", {"refuges": refuges})


def _capacity_page(
    request: Request,
    db: DbSession,
    principal: Actor,
    service_id: int,
    *,
    values: Mapping[str, Any] | None = None,
    errors: FormErrors | None = None,
) -> Response:
    service = support.get_refuge_for_advocate(db, actor=principal, service_id=service_id)
    read = support.service_read(service, stale_after=_stale_after(request))
    return _page(
        request,
        "capacity.html",
        {
            "service": read,
            "values": values or {name: getattr(read, name) for name in Vacancies.model_fields},
            "errors": errors or {},
            "history": support.capacity_history(db, service_id=service_id, limit=10),
        },
        status_code=400 if errors else 200,
    )


@router.get("/support/services/{service_id}/capacity")
def capacity_form(
    request: Request, db: DbSession, principal: Advocate, service_id: int
) -> Response:
    return _capacity_page(request, db, principal, service_id)


@router.post("/support/services/{service_id}/capacity")
async def capacity_submit(
    request: Request, db: DbSession, principal: Advocate, service_id: int
) -> Response:
    support.get_refuge_for_advocate(db, actor=principal, service_id=service_id)
    posted = form_values(await request.form())
    values = {name: _one(posted, name) for name in Vacancies.model_fields}
    try:
        vacancies = Vacancies.model_validate({k: v or 0 for k, v in values.items()})
        support.update_capacity(db, actor=principal, service_id=service_id, vacancies=vacancies)
    except ValidationError as exc:
        errors = errors_from(exc, VACANCY_MESSAGES, default_field="vacant_units")
        return _capacity_page(request, db, principal, service_id, values=values, errors=errors)
    except InvalidSupportInputError as exc:
        errors = {exc.field or "vacant_units": exc.message}
        return _capacity_page(request, db, principal, service_id, values=values, errors=errors)
    return _redirect(request, "/support/capacity", "Vacancies updated.")
