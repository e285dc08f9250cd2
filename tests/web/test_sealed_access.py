"""Sealed reads over HTTP (issue 15, finding 1): the bulk-read loop is refused; access comes
through a supervisor's approval or break-glass, which alerts the disclosure officer."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from safeshare.auth.permissions import Actor
from safeshare.auth.roles import Role
from safeshare.runtime import Runtime
from tests.web.conftest import csrf_from
from tests.web.reporting_fixtures import ledger_entries, make_report

API = "/api/v1/reports"
STATUS = "Leave-expired-canary-7731"
ELSEWHERE = Actor(username="pc.elsewhere", role=Role.officer, team="south")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_looping_sealed_reads_over_other_officers_reports_is_refused(
    anon: TestClient, api_tokens: dict[Role, str], web_runtime: Runtime
) -> None:
    ids = [
        make_report(web_runtime, actor=ELSEWHERE, details={"immigration_status": STATUS}).report_id
        for _ in range(13)
    ]
    before = len(ledger_entries(web_runtime, "vault.read"))
    for report_id in ids:
        response = anon.post(
            f"{API}/{report_id}/sealed-reads",
            headers=_bearer(api_tokens[Role.officer]),
            json={"fields": ["immigration_status"], "reason": "admin"},
        )
        assert response.status_code == 403, response.text
        assert response.json()["type"].endswith("sealed_access_required")
        assert STATUS not in response.text
    assert len(ledger_entries(web_runtime, "vault.read")) == before


def test_break_glass_over_the_api_reads_and_alerts(
    anon: TestClient,
    api_tokens: dict[Role, str],
    web_runtime: Runtime,
    client_for: Callable[[Role], TestClient],
) -> None:
    report_id = make_report(
        web_runtime, actor=ELSEWHERE, details={"immigration_status": STATUS}
    ).report_id
    officer = _bearer(api_tokens[Role.officer])
    refused = anon.post(
        f"{API}/{report_id}/break-glass", headers=officer, json={"reason_code": "admin"}
    )
    assert refused.status_code == 422  # only reasons from the list
    glass = anon.post(
        f"{API}/{report_id}/break-glass",
        headers=officer,
        json={"reason_code": "immediate_risk_to_life"},
    )
    assert glass.status_code == 201 and glass.json()["status"] == "active"
    read = anon.post(
        f"{API}/{report_id}/sealed-reads",
        headers=officer,
        json={"fields": ["immigration_status"], "reason": "Risk to life call"},
    )
    assert read.status_code == 200 and read.json()["fields"]["immigration_status"] == STATUS
    page = client_for(Role.disclosure_officer).get("/access")
    assert page.status_code == 200
    assert "Emergency access" in page.text and f"/reports/{report_id}" in page.text
    assert f"/reports/{report_id}" in client_for(Role.supervisor).get("/access").text
    kinds = [e["kind"] for e in ledger_entries(web_runtime)]
    assert "access.break_glass" in kinds and "access.alert" in kinds


def test_request_and_supervisor_approval_through_the_pages(
    web_runtime: Runtime, client_for: Callable[[Role], TestClient]
) -> None:
    report_id = make_report(
        web_runtime, actor=ELSEWHERE, details={"immigration_status": STATUS}
    ).report_id
    officer = client_for(Role.officer)
    page = officer.get(f"/reports/{report_id}")
    assert "Ask for access" in page.text
    assert f'action="/reports/{report_id}/sealed"' not in page.text
    token = csrf_from(officer, f"/reports/{report_id}")
    shown = officer.post(
        f"/reports/{report_id}/sealed",
        data={"csrf_token": token, "fields": "immigration_status", "reason": "Just curious"},
    )
    assert shown.status_code == 403 and STATUS not in shown.text
    asked = officer.post(
        f"/reports/{report_id}/access-requests",
        data={"csrf_token": token, "reason_code": "safeguarding_risk"},
    )
    assert asked.status_code == 303
    supervisor = client_for(Role.supervisor)
    queue = supervisor.get("/access").text
    match = re.search(r'action="/access/requests/(\d+)"', queue)
    assert match, queue
    decided = supervisor.post(
        f"/access/requests/{match.group(1)}",
        data={"csrf_token": csrf_from(supervisor, "/access"), "decision": "approve"},
    )
    assert decided.status_code == 303
    shown = officer.post(
        f"/reports/{report_id}/sealed",
        data={"csrf_token": token, "fields": "immigration_status", "reason": "Safeguarding"},
    )
    assert shown.status_code == 200 and STATUS in shown.text


def test_only_supervisors_assign_reports(
    web_runtime: Runtime, client_for: Callable[[Role], TestClient]
) -> None:
    report_id = make_report(web_runtime, actor=ELSEWHERE).report_id
    officer = client_for(Role.officer)
    path = f"/reports/{report_id}/assignment"
    denied = officer.post(
        path, data={"csrf_token": csrf_from(officer, "/home"), "assigned_to": "officer"}
    )
    assert denied.status_code == 403
    supervisor = client_for(Role.supervisor)
    done = supervisor.post(
        path,
        data={"csrf_token": csrf_from(supervisor, "/home"), "assigned_team": "response-1"},
    )
    assert done.status_code == 303
    assert "Ask for access" not in officer.get(f"/reports/{report_id}").text
