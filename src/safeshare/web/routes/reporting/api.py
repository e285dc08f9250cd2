"""Reporting API: take a report (pathway by role), search and read unsealed details, and
`sealed-reads`, the only way sealed values leave through the API (reason required, each
field read recorded in the ledger). Bad input gets 422 problem details naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from safeshare.auth.roles import Role
from safeshare.errors import ConflictError, PermissionDeniedError
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import (
    OfficerReportCreate,
    ReportPage,
    ReportQuery,
    ReportRead,
    ThirdPartyReportCreate,
)
from safeshare.reporting.vocabulary import Pathway, SealedField
from safeshare.web.access import MAX_INTEGER, DbSession, sealed_read_scope
from safeshare.web.openapi import problems, request_body_one_of
from safeshare.web.routes.reporting import _common as common
from safeshare.web.routes.reporting._common import SEALED_READ_TAG, Intake, Reader

router = APIRouter()

API = "/api/v1/reports"


class ReportCreated(BaseModel):
    """What creating a report returns: never a sealed value."""

    id: int
    reference: str
    pathway: Pathway
    reported_at: datetime


class SealedReadRequest(BaseModel):
    """Which sealed fields (and update texts) to read, and why: the reason is recorded."""

    # The contract says what the validator below enforces: at least one field or update.
    model_config = ConfigDict(
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra={
            "anyOf": [
                {"required": ["fields"], "properties": {"fields": {"minItems": 1}}},
                {"required": ["update_ids"], "properties": {"update_ids": {"minItems": 1}}},
            ]
        },
    )

    fields: list[SealedField] = Field(default_factory=list, max_length=len(SealedField))
    update_ids: list[Annotated[int, Field(ge=1, le=MAX_INTEGER)]] = Field(
        default_factory=list, max_length=100
    )
    reason: str = Field(min_length=5, max_length=500)

    @model_validator(mode="after")
    def _something(self) -> SealedReadRequest:
        if not self.fields and not self.update_ids:
            raise ValueError("Name at least one field or update to read")
        return self


class SealedReadResponse(BaseModel):
    """The requested sealed values (None: not given). Every field returned was recorded."""

    report_id: int
    reference: str
    fields: dict[SealedField, str | None]
    updates: dict[int, str | None]


def _valid_as(model: type[BaseModel], body: dict[str, Any]) -> bool:
    try:
        model.model_validate(body)
    except ValidationError:
        return False
    return True


def _invalid_body(exc: ValidationError) -> RequestValidationError:
    errors = [
        {"loc": ("body", *err["loc"]), "msg": err["msg"], "type": err["type"]}
        for err in exc.errors(include_url=False, include_input=False)
    ]
    return RequestValidationError(errors)


@router.post(
    API,
    status_code=201,
    openapi_extra=request_body_one_of(OfficerReportCreate, ThirdPartyReportCreate),
)
def api_create_report(
    request: Request,
    db: DbSession,
    principal: Intake,
    body: Annotated[dict[str, Any], Body()],
) -> ReportCreated:
    """Take a report: officers and supervisors on the officer pathway, advocates third-party.

    The body is `OfficerReportCreate` or `ThirdPartyReportCreate` (by role; `pathway` may be
    left out). Only the reference and id come back.
    """
    model: type[OfficerReportCreate] | type[ThirdPartyReportCreate] = (
        ThirdPartyReportCreate if principal.role is Role.advocate else OfficerReportCreate
    )
    try:
        payload = model.model_validate(body)
    except ValidationError as exc:
        other = OfficerReportCreate if model is ThirdPartyReportCreate else ThirdPartyReportCreate
        # A valid report for the other pathway is allowed by the contract's schema; what is
        # wrong is the caller's role, so say that (403) rather than name a field.
        if _valid_as(other, body):
            raise PermissionDeniedError(
                "Advocates send third-party reports; officers and supervisors, officer reports"
            ) from None
        raise _invalid_body(exc) from None
    receipt = reporting.create_report(
        db,
        payload=payload,
        actor=common.actor(principal),
        provider=common.key_provider(request),
        config=common.config(request),
    )
    return ReportCreated(
        id=receipt.report_id,
        reference=receipt.reference,
        pathway=receipt.pathway,
        reported_at=receipt.reported_at,
    )


@router.get(API)
def api_search_reports(
    request: Request,
    db: DbSession,
    principal: Reader,
    query: Annotated[ReportQuery, Query()],
) -> ReportPage:
    """Search reports on unsealed fields; advocates get their organisation's only."""
    return reporting.search_reports(
        db, query=query, actor=common.actor(principal), config=common.config(request)
    )


@router.get(f"{API}/{{report_id}}")
def api_get_report(db: DbSession, principal: Reader, report_id: int) -> ReportRead:
    """A report's unsealed details, consents, rights and update facts."""
    return common.visible_report(db, principal, report_id)


@router.post(
    f"{API}/{{report_id}}/sealed-reads",
    tags=[SEALED_READ_TAG],
    responses=problems(409, 410, 429),
)
def api_sealed_read(
    request: Request,
    db: DbSession,
    principal: Reader,
    report_id: int,
    body: SealedReadRequest,
    _step_up: Annotated[None, Depends(sealed_read_scope)],
) -> SealedReadResponse:
    """Read sealed fields with a reason; every field read is recorded in the ledger.
    Needs a short-lived `sealed-read` token from POST /api/v1/step-up (ASVS 3.7.1)."""
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    texts = {u.id for u in report.updates if u.has_text}
    if any(update_id not in texts for update_id in body.update_ids):
        # 409, not 404: the report was found; the request names updates it does not have.
        raise ConflictError("That update is not on this report", field="update_ids")
    actor, provider, config = (
        common.actor(principal),
        common.key_provider(request),
        common.config(request),
    )
    fields = (
        reporting.reveal_sealed_fields(
            db,
            report_id=report.id,
            fields=body.fields,
            actor=actor,
            reason=body.reason,
            provider=provider,
            config=config,
        )
        if body.fields
        else {}
    )
    updates = {
        update_id: reporting.reveal_update_text(
            db,
            update_id=update_id,
            actor=actor,
            reason=body.reason,
            provider=provider,
            config=config,
        )
        for update_id in dict.fromkeys(body.update_ids)
    }
    return SealedReadResponse(
        report_id=report.id, reference=report.reference, fields=fields, updates=updates
    )
