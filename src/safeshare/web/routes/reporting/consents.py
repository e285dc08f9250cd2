"""A report's consents: record one for a purpose, and withdraw it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from safeshare.auth.permissions import Actor
from safeshare.reporting import service as reporting
from safeshare.reporting.errors import ReportNotFoundError
from safeshare.reporting.schemas import ReportRead
from safeshare.reporting.vocabulary import ConsentPurpose
from safeshare.web.access import DbSession
from safeshare.web.routes.reporting import _common as common
from safeshare.web.routes.reporting import _forms as forms
from safeshare.web.routes.reporting._common import Consenter
from safeshare.web.routes.reporting._forms import Problems

router = APIRouter()


def _consent_page(
    request: Request,
    principal: Actor,
    report: ReportRead,
    values: Mapping[str, Any],
    *,
    problems: Problems | None = None,
    status_code: int = 200,
) -> Response:
    return common.page(
        request,
        "consent.html",
        {
            "report": report,
            "values": values,
            "purposes": forms.options(forms.CONSENT_PURPOSE_LABELS),
            "methods": forms.method_options(principal.role),
            "agency_purpose": ConsentPurpose.share_with_agency.value,
        },
        problems=problems,
        order=("purpose", "agency_name", "method"),
        status_code=status_code,
    )


@router.get("/reports/{report_id}/consents/new")
def consent_form(request: Request, db: DbSession, principal: Consenter, report_id: int) -> Response:
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    return _consent_page(request, principal, report, {})


@router.post("/reports/{report_id}/consents/new")
async def consent_submit(
    request: Request, db: DbSession, principal: Consenter, report_id: int
) -> Response:
    """Record a consent for one purpose, with when, how and who (idempotent while in force)."""
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    values = await common.posted_form(request)
    form, problems = forms.parse_consent_form(values, role=principal.role)
    shown = {name: forms.one(values, name) for name in ("purpose", "agency_name", "method")}
    if form is None:
        return _consent_page(request, principal, report, shown, problems=problems, status_code=400)
    reporting.record_consent(
        db,
        report_id=report.id,
        grant=form.grant,
        method=form.method,
        actor=common.actor(principal),
        config=common.config(request),
    )
    return common.redirect(
        request, f"/reports/{report.id}#consents", "The consent has been recorded"
    )


def _withdraw_page(
    request: Request,
    principal: Actor,
    report: ReportRead,
    consent_id: int,
    values: Mapping[str, Any],
    *,
    problems: Problems | None = None,
    status_code: int = 200,
) -> Response:
    consent = next((c for c in report.consents if c.id == consent_id and c.is_active), None)
    if consent is None:
        raise ReportNotFoundError("That consent does not exist or has been withdrawn")
    return common.page(
        request,
        "withdraw.html",
        {
            "report": report,
            "consent": consent,
            "values": values,
            "methods": forms.method_options(principal.role),
        },
        problems=problems,
        order=("method",),
        status_code=status_code,
    )


@router.get("/reports/{report_id}/consents/{consent_id}/withdraw")
def withdraw_form(
    request: Request, db: DbSession, principal: Consenter, report_id: int, consent_id: int
) -> Response:
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    return _withdraw_page(request, principal, report, consent_id, {})


@router.post("/reports/{report_id}/consents/{consent_id}/withdraw")
async def withdraw_submit(
    request: Request, db: DbSession, principal: Consenter, report_id: int, consent_id: int
) -> Response:
    """Record a withdrawal; it takes effect on the next sharing decision."""
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    values = await common.posted_form(request)
    method, problems = forms.parse_withdraw_form(values, role=principal.role)
    if method is None:
        shown = {"method": forms.one(values, "method")}
        return _withdraw_page(
            request, principal, report, consent_id, shown, problems=problems, status_code=400
        )
    reporting.withdraw_consent(
        db,
        report_id=report.id,
        consent_id=consent_id,
        method=method,
        actor=common.actor(principal),
        config=common.config(request),
    )
    return common.redirect(
        request, f"/reports/{report.id}#consents", "The withdrawal has been recorded"
    )
