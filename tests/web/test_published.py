"""Published responses to recommendations: nothing is public until approved, anyone may read
an approved response and its PDF, and a later change withdraws it until approved again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.oversight import publication, recommendations
from safeshare.oversight.models import Recommendation
from safeshare.oversight.schemas import RecommendationUpdate
from safeshare.runtime import Runtime
from tests.factories.oversight import pdf_text
from tests.web.conftest import csrf_from

EVIDENCE = (
    "Force policy 12/2021 (fictional)\n"
    "- Published guidance: https://example.org/guidance-2021.\n"
    "javascript:alert(1)"
)


@pytest.fixture(scope="module")
def drafted(web_runtime: Runtime) -> dict[str, int]:
    """Recommendation 4 with a recorded response; recommendation 5 with none."""
    with web_runtime.session() as s:
        recommendations.seed_safe_to_share(s)
        ids = {r.number: r.id for r in s.query(Recommendation)}
        recommendations.update_recommendation(
            s,
            recommendation_id=ids[4],
            data=RecommendationUpdate(
                response_due_on=date(2021, 6, 30),
                response_text="We run four safe reporting pathways.\nThe anonymous one too.",
                response_date=date(2021, 6, 1),
                status="implemented",  # type: ignore[arg-type]
                evidence=EVIDENCE,
            ),
            actor="analyst",
            actor_role=Role.pcc_analyst,
        )
        return {"answered": ids[4], "unanswered": ids[5]}


def _approve(client: TestClient, ident: int) -> int:
    page = f"/oversight/recommendations/{ident}"
    return client.post(f"{page}/publish", data={"csrf_token": csrf_from(client, page)}).status_code


def test_approval_publishes_and_a_change_withdraws(
    client_for: Callable[[Role], TestClient], anon: TestClient, drafted: dict[str, int]
) -> None:
    ident = drafted["answered"]
    public = f"/published/recommendations/{ident}"
    assert anon.get(public).status_code == 404  # a draft is not found
    assert "No responses have been published yet" in anon.get("/published/recommendations").text
    analyst = client_for(Role.pcc_analyst)
    assert (
        "Approve and publish the response"
        in analyst.get(f"/oversight/recommendations/{ident}").text
    )
    assert _approve(analyst, ident) == 303

    page = anon.get(public)
    assert page.status_code == 200
    assert "govuk-exit-this-page" in page.text  # a public page, read by victims too
    assert "We run four safe reporting pathways." in page.text
    assert "The anonymous one too." in page.text
    assert '<a class="govuk-link" href="https://example.org/guidance-2021"' in page.text
    assert 'href="javascript' not in page.text  # only web addresses become links
    assert "1 June 2021" in page.text
    listing = anon.get("/published/recommendations").text
    assert f'href="/published/recommendations/{ident}"' in listing

    pdf = anon.get(f"{public}/response.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "We run four safe reporting pathways." in text
    assert "https://example.org/guidance-2021" in text

    edit = f"/oversight/recommendations/{ident}/edit"
    changed = analyst.post(
        f"/oversight/recommendations/{ident}",
        data={
            "csrf_token": csrf_from(analyst, edit),
            "due-day": "30",
            "due-month": "6",
            "due-year": "2021",
            "status": "implemented",
            "responded-day": "1",
            "responded-month": "6",
            "responded-year": "2021",
            "response_text": "A different response.",
            "evidence": EVIDENCE,
        },
    )
    assert changed.status_code == 303
    assert anon.get(public).status_code == 404
    assert anon.get(f"{public}/response.pdf").status_code == 404


def test_a_response_is_needed_before_approval(
    client_for: Callable[[Role], TestClient], anon: TestClient, drafted: dict[str, int]
) -> None:
    ident = drafted["unanswered"]
    admin = client_for(Role.admin)
    assert "Approve and publish" not in admin.get(f"/oversight/recommendations/{ident}").text
    assert _approve(admin, ident) == 422
    assert anon.get(f"/published/recommendations/{ident}").status_code == 404
    assert anon.get("/published/recommendations/99999").status_code == 404


def test_evidence_lines() -> None:
    items = publication.evidence_items(EVIDENCE + "\n\nhttp://example.org/a")
    assert [(i.text, i.href) for i in items] == [
        ("Force policy 12/2021 (fictional)", None),
        ("Published guidance", "https://example.org/guidance-2021"),
        ("javascript:alert(1)", None),
        ("http://example.org/a", "http://example.org/a"),
    ]
