"""The support directory, managed by the PCC's office: services, CSV import and export."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile
from starlette.responses import Response

from safeshare.db.base import utcnow
from safeshare.support import service as support
from safeshare.support.errors import CsvImportError, InvalidSupportInputError, RowError
from safeshare.support.schemas import (
    ImportSummary,
    ServiceCreate,
    ServiceFields,
    ServiceRead,
    ServiceUpdate,
)
from safeshare.support.vocabulary import ReferralMethod, ServiceType
from safeshare.web.access import DbSession
from safeshare.web.forms import FormErrors, errors_from, form_values, ordered
from safeshare.web.routes.support._common import (
    Manager,
    _decode_csv,
    _many,
    _one,
    _page,
    _redirect,
    _stale_after,
)

router = APIRouter()

SERVICE_FIELD_ORDER = (
    "organisation_id",
    "name",
    "description",
    "service_types",
    "oisc_level",
    "communities",
    "languages",
    "has_nrpf_support",
    "areas_covered",
    "is_area_wide",
    "referral_method",
    "referral_contact",
    "opening_hours",
    "units",
    "bedspaces",
    "nrpf_units",
    "nrpf_bedspaces",
    "is_active",
)
SERVICE_MESSAGES = {
    "organisation_id": "Choose the organisation that runs the service",
    "name": "Enter the service name, in 200 characters or fewer",
    "description": "The description must be 4,000 characters or fewer",
    "service_types": "Choose at least one type of support",
    "oisc_level": "Choose the OISC level",
    "referral_method": "Choose how to refer",
    "referral_contact": "The referral contact must be 200 characters or fewer",
    "opening_hours": "Opening hours must be 500 characters or fewer",
    "units": "Enter the number of units as a whole number from 0",
    "bedspaces": "Enter the number of bedspaces as a whole number from 0",
    "nrpf_units": "Enter the number of NRPF-ringfenced units as a whole number from 0",
    "nrpf_bedspaces": "Enter the number of NRPF-ringfenced bedspaces as a whole number from 0",
}


@router.get("/support/directory")
def directory(request: Request, db: DbSession, _principal: Manager) -> Response:
    stale_after = _stale_after(request)
    services = [
        support.service_read(s, stale_after=stale_after)
        for s in support.list_services(db, include_inactive=True)
    ]
    return _page(request, "directory.html", {"services": services})


def _service_values(posted: Mapping[str, Any]) -> dict[str, Any]:
    """What the service form posted, as it is shown again (strings and lists of strings)."""
    values: dict[str, Any] = {
        name: _one(posted, name)
        for name in SERVICE_FIELD_ORDER
        if name not in ("service_types", "areas_covered")
    }
    values["service_types"] = _many(posted, "service_types")
    values["areas_covered"] = _many(posted, "areas_covered")
    return values


def _service_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values in the shapes `ServiceFields` validates."""
    data: dict[str, Any] = {
        name: values[name]
        for name in ("name", "description", "referral_contact", "opening_hours")
        if name in values
    }
    data["communities"] = [line for line in re.split(r"[\r\n]+", values["communities"]) if line]
    data["languages"] = [item for item in re.split(r"[,;]", values["languages"]) if item]
    data["service_types"] = values["service_types"]
    data["areas_covered"] = values["areas_covered"]
    data["oisc_level"] = values["oisc_level"] or None
    data["referral_method"] = values["referral_method"] or None
    for name in ("units", "bedspaces", "nrpf_units", "nrpf_bedspaces"):
        data[name] = values[name] or 0
    for name in ("has_nrpf_support", "is_area_wide", "is_active"):
        data[name] = values[name] == "yes"
    if values.get("organisation_id"):
        data["organisation_id"] = values["organisation_id"]
    return data


def _values_of(service: ServiceRead) -> dict[str, Any]:
    """A stored service as the form shows it."""
    values: dict[str, Any] = {
        name: getattr(service, name)
        for name in ("name", "description", "referral_contact", "opening_hours")
    }
    values["communities"] = "\n".join(service.communities)
    values["languages"] = ", ".join(service.languages)
    values["service_types"] = [str(t) for t in service.service_types]
    values["areas_covered"] = list(service.areas_covered)
    values["oisc_level"] = str(service.oisc_level or "")
    values["referral_method"] = str(service.referral_method)
    for name in ("units", "bedspaces", "nrpf_units", "nrpf_bedspaces"):
        values[name] = str(getattr(service, name))
    for name in ("has_nrpf_support", "is_area_wide", "is_active"):
        values[name] = "yes" if getattr(service, name) else ""
    values["organisation_id"] = str(service.organisation_id)
    return values


def _service_form(
    request: Request,
    db: DbSession,
    *,
    values: Mapping[str, Any],
    service: ServiceRead | None = None,
    errors: FormErrors | None = None,
) -> Response:
    return _page(
        request,
        "service_form.html",
        {
            "service": service,
            "values": values,
            "errors": ordered(errors or {}, SERVICE_FIELD_ORDER),
            "organisations": support.list_support_organisations(db),
            "areas": support.list_areas(db),
            "service_types": list(ServiceType),
            "methods": list(ReferralMethod),
        },
        status_code=400 if errors else 200,
    )


@router.get("/support/directory/new")
def service_new(request: Request, db: DbSession, _principal: Manager) -> Response:
    values = {name: "" for name in SERVICE_FIELD_ORDER} | {
        "service_types": [],
        "areas_covered": [],
        "is_active": "yes",
    }
    return _service_form(request, db, values=values)


@router.post("/support/directory/new")
async def service_create(request: Request, db: DbSession, principal: Manager) -> Response:
    values = _service_values(form_values(await request.form()))
    try:
        data = ServiceCreate.model_validate(_service_data(values))
        created = support.create_service(db, actor=principal, data=data)
    except ValidationError as exc:
        errors = errors_from(exc, SERVICE_MESSAGES, default_field="name")
        return _service_form(request, db, values=values, errors=errors)
    except InvalidSupportInputError as exc:
        return _service_form(request, db, values=values, errors={exc.field or "name": exc.message})
    return _redirect(request, f"/support/services/{created.id}", "Service added.")


@router.get("/support/services/{service_id}/edit")
def service_edit(request: Request, db: DbSession, _principal: Manager, service_id: int) -> Response:
    service = support.service_read(support.get_service_or_raise(db, service_id=service_id))
    return _service_form(request, db, values=_values_of(service), service=service)


@router.post("/support/services/{service_id}/edit")
async def service_update(
    request: Request, db: DbSession, principal: Manager, service_id: int
) -> Response:
    service = support.service_read(support.get_service_or_raise(db, service_id=service_id))
    values = _service_values(form_values(await request.form()))
    values["organisation_id"] = str(service.organisation_id)  # not changed here
    try:
        fields = ServiceFields.model_validate(_service_data(values))
        support.update_service(
            db,
            actor=principal,
            service_id=service_id,
            changes=ServiceUpdate.model_validate(fields.model_dump()),
        )
    except ValidationError as exc:
        errors = errors_from(exc, SERVICE_MESSAGES, default_field="name")
        return _service_form(request, db, values=values, service=service, errors=errors)
    except InvalidSupportInputError as exc:
        errors = {exc.field or "name": exc.message}
        return _service_form(request, db, values=values, service=service, errors=errors)
    return _redirect(request, f"/support/services/{service_id}", "Service updated.")


@router.get("/support/directory/import")
def import_form(request: Request, _principal: Manager) -> Response:
    return _page(request, "import.html", {"errors": {}, "row_errors": []})


@router.post("/support/directory/import")
async def import_submit(request: Request, db: DbSession, principal: Manager) -> Response:
    upload = (await request.form()).get("file")
    row_errors: list[RowError] = []
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors = {"file": "Choose a CSV file to import"}
    else:
        text = _decode_csv(await upload.read())
        if text is None:
            errors = {"file": "The file must be a CSV file saved as UTF-8"}
        else:
            try:
                summary = support.import_directory_csv(
                    db, actor=principal, source=io.StringIO(text, newline="")
                )
            except CsvImportError as exc:
                row_errors = list(exc.errors)
                errors = {"file": f"{exc.message} Correct the rows listed and import it again"}
            else:
                return _redirect(request, "/support/directory", _import_message(summary))
    return _page(
        request,
        "import.html",
        {"errors": errors, "row_errors": row_errors, "error_summary_title": "Nothing was imported"},
        status_code=400,
    )


def _import_message(summary: ImportSummary) -> str:
    return (
        f"Import complete: {summary.created} service(s) added, {summary.updated} updated, "
        f"{summary.organisations_created} new organisation(s)."
    )


@router.get("/support/directory/export.csv")
def export_csv(db: DbSession, _principal: Manager) -> Response:
    buffer = io.StringIO()
    support.export_directory_csv(db, target=buffer)
    filename = f"support-directory-{utcnow():%Y-%m-%d}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
