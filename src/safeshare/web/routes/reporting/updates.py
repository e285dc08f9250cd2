"""A report's updates: add one (a key decision starts the Right 6 clock)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import ReportRead
from safeshare.reporting.vocabulary import CaseStatus
from safeshare.web.access import DbSession
from safeshare.web.routes.reporting import _common as common
from safeshare.web.routes.reporting import _forms as forms
from safeshare.web.routes.reporting._common import CaseWorker
from safeshare.web.routes.reporting._forms import Problems

router = APIRouter()


def _update_page(
    request: Request,
    report: ReportRead,
    values: Mapping[str, Any],
    *,
    problems: Problems | None = None,
    status_code: int = 200,
) -> Response:
    return common.page(
        request,
        "update.html",
        {
            "report": report,
            "values": values,
            "key_decisions": forms.options(forms.KEY_DECISION_LABELS, blank="None"),
            "statuses": forms.options(
                {k: v for k, v in forms.STATUS_LABELS.items() if k is not CaseStatus.erased},
                blank="No change",
            ),
        },
        problems=problems,
        order=("text", "key_decision", "new_status"),
        status_code=status_code,
    )


@router.get("/reports/{report_id}/updates/new")
def update_form(request: Request, db: DbSession, principal: CaseWorker, report_id: int) -> Response:
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    return _update_page(request, report, {})


@router.post("/reports/{report_id}/updates/new")
async def update_submit(
    request: Request, db: DbSession, principal: CaseWorker, report_id: int
) -> Response:
    """Add an update; a key decision starts the Right 6 clock."""
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    values = await common.posted_form(request)
    payload, problems = forms.parse_update_form(values)
    shown = {name: forms.one(values, name) for name in ("text", "key_decision", "new_status")}
    if payload is None:
        return _update_page(request, report, shown, problems=problems, status_code=400)
    reporting.add_update(
        db,
        report_id=report.id,
        payload=payload,
        actor=common.actor(principal),
        provider=common.key_provider(request),
        config=common.config(request),
    )
    return common.redirect(request, f"/reports/{report.id}#updates", "Your update has been added")
