"""The support API: the directory as JSON, and a CSV import."""

from __future__ import annotations

import io

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from safeshare.support import service as support
from safeshare.support.errors import CsvImportError
from safeshare.support.schemas import ImportSummary, ServiceRead
from safeshare.web.access import DbSession
from safeshare.web.errors import problem
from safeshare.web.routes.support._common import Manager, Staff, _decode_csv, _stale_after

router = APIRouter()


class ServiceList(BaseModel):
    services: list[ServiceRead]
    total: int


@router.get("/api/v1/support/services")
def api_services(request: Request, db: DbSession, _principal: Staff) -> ServiceList:
    stale_after = _stale_after(request)
    services = [support.service_read(s, stale_after=stale_after) for s in support.list_services(db)]
    return ServiceList(services=services, total=len(services))


@router.post(
    "/api/v1/support/services/import",
    response_model=ImportSummary,
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def api_import(request: Request, db: DbSession, principal: Manager) -> Response:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "text/csv":
        return problem(request, 422, code="invalid-input", detail="Send the directory as text/csv.")
    text = _decode_csv(await request.body())
    if text is None:
        return problem(request, 422, code="invalid-input", detail="The CSV must be UTF-8.")
    try:
        summary = support.import_directory_csv(
            db, actor=principal, source=io.StringIO(text, newline="")
        )
    except CsvImportError as exc:
        return problem(
            request,
            422,
            code=exc.code,
            detail=exc.message,
            extra={
                "errors": [
                    {"row": e.row, "field": e.column, "message": e.message} for e in exc.errors
                ]
            },
        )
    return Response(summary.model_dump_json(), media_type="application/json")
