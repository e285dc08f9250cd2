"""Published responses to inspection recommendations: public pages and PDFs, in English,
outside the reporting journey (recommendation 8). Only approved responses are found."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from safeshare.auth.service import Principal
from safeshare.config import Settings
from safeshare.oversight import publication
from safeshare.oversight.response_pdf import render_response_pdf
from safeshare.oversight.vocabulary import label
from safeshare.web.access import MAX_INTEGER, PUBLIC, DbSession
from safeshare.web.templating import render

router = APIRouter()
Public = Annotated[Principal | None, Depends(PUBLIC)]
RecommendationId = Annotated[int, Path(ge=1, le=MAX_INTEGER)]


def _force(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.force_name


def _day(value: object) -> str:
    return f"{value:%d %B %Y}".lstrip("0")


@router.get("/published/recommendations")
def published_list(request: Request, _principal: Public, db: DbSession) -> Response:
    """Every approved response, newest report first."""
    records = publication.published_recommendations(db)
    return render(
        request,
        "published/recommendations.html",
        {"records": records, "force": _force(request), "label": label, "day": _day},
    )


@router.get("/published/recommendations/{recommendation_id}")
def published_page(
    request: Request, _principal: Public, db: DbSession, recommendation_id: RecommendationId
) -> Response:
    """One approved response: the recommendation, the response, its date and evidence."""
    record = publication.get_published_or_raise(db, recommendation_id=recommendation_id)
    return render(
        request,
        "published/recommendation.html",
        {
            "record": record,
            "force": _force(request),
            "status": label("recommendation_status", record.status),
            "evidence": publication.evidence_items(record.evidence),
            "day": _day,
        },
    )


@router.get("/published/recommendations/{recommendation_id}/response.pdf")
def published_pdf(
    request: Request, _principal: Public, db: DbSession, recommendation_id: RecommendationId
) -> Response:
    """The same response as a PDF to file or forward."""
    record = publication.get_published_or_raise(db, recommendation_id=recommendation_id)
    return Response(
        render_response_pdf(record, force=_force(request)),
        media_type="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="response-recommendation-{record.number}.pdf"'
            )
        },
    )
