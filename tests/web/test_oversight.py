"""Oversight pages: statistics (charts, tables, CSV, PDF) only after disclosure control, for
analysts, inspectors and admins; outcomes recorded by disclosure officers; the tracker; and
inspectors never able to change anything."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.oversight import recommendations
from safeshare.oversight.models import Recommendation, ShareOutcome
from safeshare.runtime import Runtime
from safeshare.web.routing import iter_routes
from tests.factories import oversight as rows
from tests.factories.oversight import at, pdf_text
from tests.pdf_ua import structure_problems
from tests.web.conftest import csrf_from

STATS_ROLES = (Role.pcc_analyst, Role.inspector, Role.admin)
NOT_STATS = tuple(r for r in Role if r not in STATS_ROLES)
QUERY = "from=2024-01-01&to=2024-12-31"


@pytest.fixture(scope="module")
def seeded(web_runtime: Runtime) -> dict[str, int]:
    """A year of decisions, disclosures and reports: enough that some figures show."""
    with web_runtime.session() as s:
        for i in range(60):
            rows.decision(
                s,
                requested_at=at(2024, 1 + i % 12, 1 + i % 27),
                force="Test Force" if i % 3 else "Other Force",
                outcome=("permit", "deny", "review")[i % 3],
                review="pending" if i % 3 == 2 else None,
            )
        sent = rows.disclosure(s, sent_at=at(2024, 2, 1), force="Test Force")
        overdue = rows.disclosure(s, sent_at=at(2024, 3, 1), force="Test Force")
        police = rows.disclosure(s, sent_at=at(2024, 3, 2), force="Test Force", agency="police")
        s.add(
            ShareOutcome(
                disclosure_id=sent.id,
                track="immigration",
                outcome="enforcement_paused",
                occurred_on=date(2024, 2, 10),
                recorded_by="disclosure-officer",
            )
        )
        for i in range(40):
            report = rows.report(s, reported_at=at(2024, 1 + i % 12, 3))
            rows.right(
                s, report, number=4, status="met", due_on=date(2024, 12, 31), met_at=at(2024, 12, 1)
            )
        recommendations.seed_safe_to_share(s)
        first = s.query(Recommendation).filter_by(number=1).one()
        return {
            "sent": sent.id,
            "overdue": overdue.id,
            "police": police.id,
            "recommendation": first.id,
        }


def _post(client: TestClient, path: str, data: dict[str, str]) -> int:
    token = csrf_from(client, "/home")
    return client.post(path, data={**data, "csrf_token": token}).status_code


# --- statistics -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", STATS_ROLES)
def test_statistics_page_shows_controlled_tables_and_charts(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int], role: Role
) -> None:
    page = client_for(role).get(f"/oversight/statistics?{QUERY}")
    assert page.status_code == 200
    html = page.text
    assert "Share requests by regime" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "Counts from 1 to 9 are withheld" in html
    assert "Download this table as CSV" in html
    assert "style=" not in html and "<script>" not in html


@pytest.mark.parametrize(
    "section",
    ["disclosures", "victims-code", "support", "reports", "intersectional", "forces", "voice"],
)
def test_every_statistics_page_renders(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int], section: str
) -> None:
    page = client_for(Role.inspector).get(f"/oversight/statistics/{section}?{QUERY}")
    assert page.status_code == 200, page.text
    assert 'aria-current="page"' in page.text


def test_a_small_count_never_reaches_the_page(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    """Three disclosures exist: the page may only say [c], never 1, 2 or 3."""
    html = client_for(Role.pcc_analyst).get(f"/oversight/statistics/disclosures?{QUERY}").text
    cells = re.findall(r'govuk-table__cell--numeric[^"]*">([^<]*)<', html)
    assert cells, "numeric cells expected"
    for text in cells:
        value = text.replace(",", "").rstrip("%")
        assert text in ("[c]", "[x]") or text.endswith("%") or int(value) % 5 == 0
        if not text.endswith("%") and value.isdigit():
            assert not 0 < int(value) < 10


def test_bad_filters_show_the_error_summary(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    page = client_for(Role.pcc_analyst).get(
        "/oversight/statistics?from-day=31&from-month=2&from-year=2024"
    )
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert 'href="#from-day"' in page.text
    assert "Start date must be a real date" in page.text
    backwards = client_for(Role.pcc_analyst).get(
        "/oversight/statistics?from=2024-05-01&to=2024-01-01"
    )
    assert backwards.status_code == 400
    assert 'href="#to-day"' in backwards.text


def test_intersectional_breakdown_filters(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    client = client_for(Role.pcc_analyst)
    ok = client.get(
        f"/oversight/statistics/intersectional?{QUERY}"
        "&dimensions=sex&dimensions=age_band&dimensions=pathway&measure=compliance"
    )
    assert ok.status_code == 200
    assert "Victims&#39; Code compliance by sex / age band / reporting pathway" in ok.text
    new = client.get(
        f"/oversight/statistics/intersectional?{QUERY}"
        "&dimensions=disability&dimensions=immigration_status_category&measure=case_status"
    )
    assert new.status_code == 200
    assert "by disability / immigration status category" in new.text
    assert 'value="sexual_orientation"' in new.text  # every new dimension can be chosen
    one = client.get(f"/oversight/statistics/intersectional?{QUERY}&dimensions=sex")
    assert one.status_code == 400
    assert "Choose two or three characteristics to compare" in one.text


def test_csv_export_parses(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    response = client_for(Role.inspector).get(f"/oversight/statistics/sharing/regimes.csv?{QUERY}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines[0][0] == "Regime" and lines[0][-1] == "Percentage permitted"
    assert any(line and line[0] == "Note" for line in lines)
    missing = client_for(Role.inspector).get(f"/oversight/statistics/sharing/nope.csv?{QUERY}")
    assert missing.status_code == 404


def test_assurance_report_pdf(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    client = client_for(Role.pcc_analyst)
    form = client.get("/oversight/assurance-report")
    assert form.status_code == 200
    go = client.get(f"/oversight/assurance-report?download=1&{QUERY}")
    assert go.status_code == 303
    response = client.get(go.headers["location"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(pdf_text(response.content).split())
    for heading in (
        "Assurance report",
        "Summary",
        "Ledger",
        "Verification status",
        "Share requests",
        "Disclosures and what followed",
        "Victims' Code compliance",
        "Forces compared",
        "Victim and sector voice",
        "Recommendations and responses",
        "Counts from 1 to 9 are withheld",
    ):
        assert heading in text, heading
    # Tagged for screen readers, with no orphan headings or near-empty pages.
    assert structure_problems(response.content) == []
    bad = client.get("/oversight/assurance-report?download=1&from=2024-05-01&to=2024-01-01")
    assert bad.status_code == 400 and "There is a problem" in bad.text


@pytest.mark.parametrize("role", NOT_STATS)
def test_other_roles_see_no_statistics(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int], role: Role
) -> None:
    client = client_for(role)
    for path in (
        f"/oversight/statistics?{QUERY}",
        "/oversight/statistics/forces",
        f"/oversight/statistics/sharing/regimes.csv?{QUERY}",
        f"/oversight/assurance-report.pdf?{QUERY}",
    ):
        assert client.get(path).status_code == 403, (role, path)


# --- inspectors only read -------------------------------------------------------------------


def test_inspectors_cannot_post_anything(
    app: FastAPI, client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    client = client_for(Role.inspector)
    posts = [
        route.path
        for route in iter_routes(app)
        if isinstance(route, APIRoute)
        and "POST" in route.methods
        and route.path.startswith("/oversight")
    ]
    assert posts, "oversight has POST routes"
    for path in posts:
        filled = path.replace("{disclosure_id}", str(seeded["sent"])).replace(
            "{recommendation_id}", str(seeded["recommendation"])
        )
        assert _post(client, filled, {"status": "implemented"}) == 403, filled
    assert (
        client.get(f"/oversight/recommendations/{seeded['recommendation']}/edit").status_code == 403
    )
    assert client.get("/oversight/recommendations/new").status_code == 403
    page = client.get(f"/oversight/recommendations/{seeded['recommendation']}")
    assert page.status_code == 200 and "Update the response" not in page.text


# --- outcomes after a share -----------------------------------------------------------------


def test_disclosure_officer_sees_overdue_follow_ups(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    page = client_for(Role.disclosure_officer).get("/oversight/outcomes")
    assert page.status_code == 200
    overdue = page.text.split('id="recent"')[0]
    assert f"Disclosure {seeded['overdue']}" in overdue
    assert f"Disclosure {seeded['sent']}<" not in overdue  # it has an outcome
    assert "Enforcement paused under the protocol" in page.text


def test_recording_an_outcome(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int], web_runtime: Runtime
) -> None:
    client = client_for(Role.disclosure_officer)
    path = f"/oversight/outcomes/{seeded['overdue']}"
    assert client.get(path).status_code == 200
    today = date.today() - timedelta(days=1)
    response = client.post(
        path,
        data={
            "csrf_token": csrf_from(client, path),
            "track": "case",
            "outcome-case": "victim_withdrew",
            "occurred-day": str(today.day),
            "occurred-month": str(today.month),
            "occurred-year": str(today.year),
            "source": "support_organisation",
        },
    )
    assert response.status_code == 303
    shown = client.get(path).text
    assert "Recorded: Victim withdrew support." in shown
    recorded = shown.split("Recorded so far")[1]
    assert "Victim withdrew support" in recorded
    assert "A support organisation told us" in recorded


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        ({}, "#track", "Select whether this is about Immigration Enforcement"),
        ({"track": "immigration"}, "#outcome-immigration", "Select what happened"),
        (
            {"track": "case", "outcome-case": "charged", "occurred-day": "40"},
            "#occurred-day",
            "must include a month and year",
        ),
        (
            {
                "track": "case",
                "outcome-case": "charged",
                "occurred-day": "1",
                "occurred-month": "1",
                "occurred-year": "2024",
                "source": "victim",
            },
            "#occurred-day",
            "on or after the disclosure was sent",
        ),
        (
            {
                "track": "immigration",
                "outcome-immigration": "interview",
                "occurred-day": "1",
                "occurred-month": "1",
                "occurred-year": "2024",
            },
            "#source",
            "Select where this information came from",
        ),
    ],
)
def test_outcome_form_errors(
    client_for: Callable[[Role], TestClient],
    seeded: dict[str, int],
    data: dict[str, str],
    anchor: str,
    message: str,
) -> None:
    client = client_for(Role.disclosure_officer)
    path = f"/oversight/outcomes/{seeded['sent']}"
    response = client.post(path, data={**data, "csrf_token": csrf_from(client, path)})
    assert response.status_code == 400
    assert f'href="{anchor}"' in response.text
    assert message in response.text


def test_outcomes_only_for_immigration_disclosures(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    client = client_for(Role.disclosure_officer)
    assert client.get(f"/oversight/outcomes/{seeded['police']}").status_code == 409
    assert client.get("/oversight/outcomes/999999").status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.disclosure_officer])
def test_only_disclosure_officers_see_outcomes(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int], role: Role
) -> None:
    client = client_for(role)
    assert client.get("/oversight/outcomes").status_code == 403
    assert client.get(f"/oversight/outcomes/{seeded['sent']}").status_code == 403


# --- recommendations ------------------------------------------------------------------------


def test_tracker_lists_the_eight_with_overdue_flags(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    page = client_for(Role.inspector).get("/oversight/recommendations")
    assert page.status_code == 200
    assert page.text.count('href="/oversight/recommendations/') >= 8
    assert "Overdue" in page.text
    assert "overdue a response" in page.text
    assert "Track a new recommendation" not in page.text


def test_analyst_records_a_response(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    client = client_for(Role.pcc_analyst)
    ident = seeded["recommendation"]
    edit = f"/oversight/recommendations/{ident}/edit"
    assert client.get(edit).status_code == 200
    bad = client.post(
        f"/oversight/recommendations/{ident}",
        data={
            "csrf_token": csrf_from(client, edit),
            "due-day": "31",
            "due-month": "1",
            "due-year": "2021",
            "status": "implemented",
            "response_text": "Adopted.",
        },
    )
    assert bad.status_code == 400
    assert 'href="#responded-day"' in bad.text
    assert "Adopted." in bad.text  # what was typed is kept
    good = client.post(
        f"/oversight/recommendations/{ident}",
        data={
            "csrf_token": csrf_from(client, edit),
            "due-day": "31",
            "due-month": "1",
            "due-year": "2021",
            "status": "implemented",
            "responded-day": "1",
            "responded-month": "2",
            "responded-year": "2021",
            "response_text": "Adopted as force policy.",
            "evidence": "Force policy 12/2021",
        },
    )
    assert good.status_code == 303
    shown = client.get(f"/oversight/recommendations/{ident}").text
    assert "Adopted as force policy." in shown and "Implemented" in shown


def test_admin_tracks_a_new_recommendation(
    client_for: Callable[[Role], TestClient], seeded: dict[str, int]
) -> None:
    client = client_for(Role.admin)
    new = "/oversight/recommendations/new"
    assert client.get(new).status_code == 200
    response = client.post(
        "/oversight/recommendations",
        data={
            "csrf_token": csrf_from(client, new),
            "source": "A later inspection (fictional)",
            "reported-day": "1",
            "reported-month": "5",
            "reported-year": "2023",
            "number": "3",
            "title": "Publish sharing data",
            "text": "Publish quarterly data on sharing.",
            "recipients": "Chief constables\nPolice and Crime Commissioners",
            "due-day": "1",
            "due-month": "11",
            "due-year": "2023",
            "status": "awaiting_response",
        },
    )
    assert response.status_code == 303, response.text
    assert "Publish sharing data" in client.get("/oversight/recommendations").text
    empty = client.post("/oversight/recommendations", data={"csrf_token": csrf_from(client, new)})
    assert empty.status_code == 400
    assert 'href="#source"' in empty.text


def test_navigation_by_role(client_for: Callable[[Role], TestClient]) -> None:
    analyst = client_for(Role.pcc_analyst).get("/home").text
    assert 'href="/oversight/statistics"' in analyst
    assert 'href="/oversight/outcomes"' not in analyst
    officer = client_for(Role.disclosure_officer).get("/home").text
    assert 'href="/oversight/outcomes"' in officer
    assert 'href="/oversight/statistics"' not in officer
