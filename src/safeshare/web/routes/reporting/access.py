"""Access to sealed fields for people not assigned to a report: ask a supervisor, break glass,
assign reports, and the supervisors' and disclosure officer's page of requests and alerts.

The decisions are in `reporting.sealed_access`; these routes parse, check role, call, redirect.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from safeshare import dates
from safeshare.auth.permissions import Actor, Permission
from safeshare.reporting import sealed_access
from safeshare.reporting.schemas import GrantRead
from safeshare.reporting.vocabulary import AccessReason, BreakGlassReason
from safeshare.web.access import DbSession, require
from safeshare.web.routes.reporting import _common as common
from safeshare.web.routes.reporting import _forms as forms
from safeshare.web.routes.reporting._common import Approver, PoliceReader

router = APIRouter()
E = TypeVar("E", bound=StrEnum)

AlertReader = Annotated[Actor, Depends(require(Permission.ACCESS_ALERTS_READ))]
AlertAcknowledger = Annotated[Actor, Depends(require(Permission.ACCESS_ALERT_ACKNOWLEDGE))]


def _choice(values: dict[str, Any], name: str, kind: type[E]) -> E | None:
    try:
        return kind(forms.one(values, name))
    except ValueError:
        return None


@router.post("/reports/{report_id}/access-requests")
async def request_access(
    request: Request, db: DbSession, principal: PoliceReader, report_id: int
) -> Response:
    """Ask a supervisor for access to this report's sealed details (reason from a list)."""
    reason = _choice(await common.posted_form(request), "reason_code", AccessReason)
    if reason is None:
        return common.redirect(request, f"/reports/{report_id}#sealed", "Choose a reason")
    sealed_access.request_access(
        db,
        report_id=report_id,
        actor=common.actor(principal),
        reason=reason,
        config=common.config(request),
    )
    return common.redirect(
        request, f"/reports/{report_id}#sealed", "Your request was sent to a supervisor"
    )


@router.post("/reports/{report_id}/break-glass")
async def break_glass(
    request: Request, db: DbSession, principal: PoliceReader, report_id: int
) -> Response:
    """Emergency access now; the disclosure officer and supervisors are alerted at once."""
    reason = _choice(await common.posted_form(request), "reason_code", BreakGlassReason)
    if reason is None:
        return common.redirect(request, f"/reports/{report_id}#sealed", "Choose a reason")
    grant = sealed_access.break_glass(
        db,
        report_id=report_id,
        actor=common.actor(principal),
        reason=reason,
        config=common.config(request),
    )
    until = dates.datetime_text(grant.expires_at, common.settings(request).zone)
    return common.redirect(
        request,
        f"/reports/{report_id}#sealed",
        f"Emergency access until {until}. The disclosure officer has been told.",
    )


@router.post("/reports/{report_id}/assignment")
async def assign(request: Request, db: DbSession, principal: Approver, report_id: int) -> Response:
    """Assign the report to an officer (username) and/or a team."""
    values = await common.posted_form(request)
    sealed_access.assign_report(
        db,
        report_id=report_id,
        assigned_to=forms.one(values, "assigned_to"),
        team=forms.one(values, "assigned_team"),
        actor=common.actor(principal),
        config=common.config(request),
    )
    return common.redirect(request, f"/reports/{report_id}", "Assignment saved")


@router.get("/access")
def access_page(request: Request, db: DbSession, principal: AlertReader) -> Response:
    """Supervisors: requests to decide. Both roles: unacknowledged alerts."""
    actor = common.actor(principal)
    requests: list[GrantRead] = (
        sealed_access.pending_requests(db, actor=actor, config=common.config(request))
        if principal.can(Permission.ACCESS_APPROVE)
        else []
    )
    return common.page(
        request,
        "access.html",
        {
            "requests": requests,
            "alerts": sealed_access.open_alerts(db, actor=actor),
            "is_supervisor": principal.can(Permission.ACCESS_APPROVE),
            "reason_labels": forms.REASON_CODE_LABELS,
            "alert_labels": forms.ALERT_KIND_LABELS,
        },
    )


@router.post("/access/requests/{grant_id}")
async def decide(request: Request, db: DbSession, principal: Approver, grant_id: int) -> Response:
    """Approve or refuse a request (never one's own)."""
    decision = forms.one(await common.posted_form(request), "decision")
    if decision not in {"approve", "refuse"}:
        return common.redirect(request, "/access", "Choose approve or refuse")
    sealed_access.decide_access(
        db,
        grant_id=grant_id,
        approve=decision == "approve",
        actor=common.actor(principal),
        config=common.config(request),
    )
    return common.redirect(request, "/access", "Decision recorded")


@router.post("/access/alerts/{alert_id}/acknowledge")
def acknowledge(
    request: Request, db: DbSession, principal: AlertAcknowledger, alert_id: int
) -> Response:
    """The disclosure officer marks an alert as looked into."""
    sealed_access.acknowledge_alert(db, alert_id=alert_id, actor=common.actor(principal))
    return common.redirect(request, "/access", "Alert acknowledged")


# --- API -----------------------------------------------------------------------------------


class AccessRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason_code: AccessReason


class BreakGlassBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason_code: BreakGlassReason


@router.post("/api/v1/reports/{report_id}/access-requests", status_code=201)
def api_request_access(
    request: Request,
    db: DbSession,
    principal: PoliceReader,
    report_id: int,
    body: AccessRequestBody,
) -> GrantRead:
    """Ask a supervisor for access to a report's sealed fields."""
    return sealed_access.request_access(
        db,
        report_id=report_id,
        actor=common.actor(principal),
        reason=body.reason_code,
        config=common.config(request),
    )


@router.post("/api/v1/reports/{report_id}/break-glass", status_code=201)
def api_break_glass(
    request: Request,
    db: DbSession,
    principal: PoliceReader,
    report_id: int,
    body: BreakGlassBody,
) -> GrantRead:
    """Emergency access to a report's sealed fields (alerts the disclosure officer)."""
    return sealed_access.break_glass(
        db,
        report_id=report_id,
        actor=common.actor(principal),
        reason=body.reason_code,
        config=common.config(request),
    )
