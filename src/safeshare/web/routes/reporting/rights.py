"""Victims' Code rights: one item's page, marking it met or not applicable, and the
supervisor's dashboard of items overdue and due soon."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.responses import Response

from safeshare.reporting import victims_code
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import ReportNotFoundError
from safeshare.reporting.schemas import ReportRead, RightRead
from safeshare.reporting.vocabulary import VictimsCodeRight
from safeshare.web.access import DbSession
from safeshare.web.routes.reporting import _common as common
from safeshare.web.routes.reporting import _forms as forms
from safeshare.web.routes.reporting._common import (
    CaseWorker,
    RightsViewer,
    is_overdue,
)
from safeshare.web.routes.reporting._forms import Problems

router = APIRouter()


def _right(report: ReportRead, item_id: int) -> RightRead:
    item = next((r for r in report.rights if r.id == item_id), None)
    if item is None:
        raise ReportNotFoundError("That Victims' Code item does not exist")
    return item


def _right_page(
    request: Request,
    report: ReportRead,
    item: RightRead,
    values: Mapping[str, Any],
    *,
    problems: Problems | None = None,
    status_code: int = 200,
) -> Response:
    return common.page(
        request,
        "right.html",
        {
            "report": report,
            "item": item,
            "values": {"met_on": forms.date_parts(values, "met_on"), **values},
            "is_acknowledgement": item.right is VictimsCodeRight.information_when_reporting,
            "deliveries": forms.options(forms.DELIVERY_LABELS),
            "is_overdue": is_overdue(item, common.today(common.config(request))),
        },
        problems=problems,
        order=("met_on", "delivery_method", "not_applicable_reason"),
        status_code=status_code,
    )


@router.get("/reports/{report_id}/rights/{item_id}")
def right_detail(
    request: Request, db: DbSession, principal: CaseWorker, report_id: int, item_id: int
) -> Response:
    """One Victims' Code item: its due date, and forms to mark it met or not applicable."""
    report = common.visible_report(db, principal, report_id)
    return _right_page(request, report, _right(report, item_id), {})


def _met_at(met_on: date | None, config: ReportingConfig) -> datetime | None:
    # A day in the past is recorded at midday UK time; today (or blank) as now.
    if met_on is None or met_on == common.today(config):
        return None
    return datetime.combine(met_on, clock(12), ZoneInfo(config.timezone))


@router.post("/reports/{report_id}/rights/{item_id}/met")
async def right_met(
    request: Request, db: DbSession, principal: CaseWorker, report_id: int, item_id: int
) -> Response:
    """Record that a right was met (Right 3: how the acknowledgement was given safely)."""
    report = common.visible_report(db, principal, report_id)
    item = _right(report, item_id)
    config = common.config(request)
    values = await common.posted_form(request)
    met_on, delivery, problems = forms.parse_met_form(values, today=common.today(config))
    if item.right is VictimsCodeRight.information_when_reporting and delivery is None:
        problems.add("delivery_method", "Select how the acknowledgement was given safely")
    if problems:
        shown = {name: forms.one(values, name) for name in values}
        return _right_page(request, report, item, shown, problems=problems, status_code=400)
    victims_code.mark_right_met(
        db,
        item_id=item.id,
        actor=common.actor(principal),
        config=config,
        met_at=_met_at(met_on, config),
        delivery_method=delivery,
    )
    return common.redirect(
        request, f"/reports/{report.id}#rights", f"Right {int(item.right)} is met"
    )


@router.post("/reports/{report_id}/rights/{item_id}/not-applicable")
async def right_not_applicable(
    request: Request, db: DbSession, principal: CaseWorker, report_id: int, item_id: int
) -> Response:
    """Record that a right does not apply to this report, with the reason."""
    report = common.visible_report(db, principal, report_id)
    item = _right(report, item_id)
    values = await common.posted_form(request)
    reason = forms.one(values, "not_applicable_reason")
    message = forms.reason_problem(reason)
    if message:
        problems = Problems()
        problems.add("not_applicable_reason", message)
        return _right_page(
            request,
            report,
            item,
            {"not_applicable_reason": reason},
            problems=problems,
            status_code=400,
        )
    victims_code.mark_right_not_applicable(
        db,
        item_id=item.id,
        actor=common.actor(principal),
        reason=reason,
        config=common.config(request),
    )
    return common.redirect(
        request, f"/reports/{report.id}#rights", f"Right {int(item.right)} is not applicable"
    )


# --- supervisor dashboard ----------------------------------------------------------------


@router.get("/victims-code")
def rights_dashboard(request: Request, db: DbSession, _principal: RightsViewer) -> Response:
    """Victims' Code items overdue and due soon, across all open reports."""
    config = common.config(request)
    dashboard = victims_code.supervisor_dashboard(db, config=config)
    return common.page(
        request,
        "dashboard.html",
        {"dashboard": dashboard, "due_soon_days": config.due_soon_working_days},
    )
