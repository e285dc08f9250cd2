"""Service performance: referral figures, suppressed under the disclosure policy."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from starlette.responses import Response

from safeshare.db.base import utcnow
from safeshare.redaction.tables import disclosure_note
from safeshare.support import service as support
from safeshare.web.access import DbSession
from safeshare.web.routes.support._common import Staff, _disclosure, _page

router = APIRouter()

PERIODS = {"30": "Last 30 days", "90": "Last 90 days", "365": "Last 12 months"}
DEFAULT_PERIOD = "90"


def _period(request: Request) -> tuple[str, datetime, datetime]:
    period = request.query_params.get("period", DEFAULT_PERIOD)
    period = period if period in PERIODS else DEFAULT_PERIOD
    end = utcnow()
    return period, end - timedelta(days=int(period)), end


@router.get("/support/performance")
def performance(request: Request, db: DbSession, principal: Staff) -> Response:
    period, start, end = _period(request)
    figures = support.directory_performance(
        db, actor=principal, period_start=start, period_end=end, policy=_disclosure(request)
    )
    return _page(
        request,
        "performance.html",
        {
            "figures": figures,
            "period": period,
            "periods": PERIODS,
            "note": disclosure_note(_disclosure(request)),
        },
    )


@router.get("/support/services/{service_id}/performance")
def service_performance(
    request: Request, db: DbSession, principal: Staff, service_id: int
) -> Response:
    period, start, end = _period(request)
    figures = support.service_performance(
        db,
        actor=principal,
        service_id=service_id,
        period_start=start,
        period_end=end,
        policy=_disclosure(request),
    )
    return _page(
        request,
        "service_performance.html",
        {
            "figures": figures,
            "period": period,
            "periods": PERIODS,
            "note": disclosure_note(_disclosure(request)),
        },
    )
