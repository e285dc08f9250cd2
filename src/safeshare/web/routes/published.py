"""Published responses to inspection recommendations: public pages and PDFs, in English,
outside the reporting journey (recommendation 8). Only approved responses are found."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from safeshare.oversight import publication
from safeshare.oversight.response_pdf import render_response_pdf
from safeshare.oversight.vocabulary import label
from safeshare.web.access import MAX_INTEGER
from safeshare.web.deps import AppSettings, DbSession, PublicActor
from safeshare.web.pages import Pages

router = APIRouter()
RecommendationId = Annotated[int, Path(ge=1, le=MAX_INTEGER)]
PAGES = Pages("published", "published_flash", {"label": label})


@router.get("/published/recommendations")
def published_list(
    request: Request, _actor: PublicActor, db: DbSession, settings: AppSettings
) -> Response:
    """Every approved response, newest report first."""
    records = publication.published_recommendations(db)
    return PAGES.page(
        request, "recommendations.html", {"records": records, "force": settings.force_name}
    )


@router.get("/published/recommendations/{recommendation_id}")
def published_page(
    request: Request,
    _actor: PublicActor,
    db: DbSession,
    settings: AppSettings,
    recommendation_id: RecommendationId,
) -> Response:
    """One approved response: the recommendation, the response, its date and evidence."""
    record = publication.get_published_or_raise(db, recommendation_id=recommendation_id)
    return PAGES.page(
        request,
        "recommendation.html",
        {
            "record": record,
            "force": settings.force_name,
            "status": label("recommendation_status", record.status),
            "evidence": publication.evidence_items(record.evidence),
        },
    )


@router.get("/published/recommendations/{recommendation_id}/response.pdf")
def published_pdf(
    _actor: PublicActor, db: DbSession, settings: AppSettings, recommendation_id: RecommendationId
) -> Response:
    """The same response as a PDF to file or forward."""
    record = publication.get_published_or_raise(db, recommendation_id=recommendation_id)
    return Response(
        render_response_pdf(record, force=settings.force_name, zone=settings.zone),
        media_type="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="response-recommendation-{record.number}.pdf"'
            )
        },
    )
