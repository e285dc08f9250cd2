"""Input bounds and auditing (issue 15, finding 6): huge ids, huge CSV cells, forwarded
headers, refused requests and failed sign-ins recorded, nationality kept to statistics."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from safeshare.auth.roles import Role
from safeshare.runtime import Runtime
from safeshare.web.app import create_app, server_options
from safeshare.web.routing import iter_routes
from tests.web.conftest import csrf_from
from tests.web.reporting_fixtures import ledger_entries, make_report, officer_actor
from tests.web.test_route_access import declaration

PARAM = re.compile(r"\{[^}]+\}")
HUGE = [str(2**63), str(2**31), str(-(2**63) - 1), "9" * 30]


def test_huge_integer_ids_give_a_problem_never_a_500_on_every_route(
    app: FastAPI, client_for: Callable[[Role], TestClient], api_tokens: dict[Role, str]
) -> None:
    checked = 0
    for route in iter_routes(app):
        if not isinstance(route, APIRoute) or "{" not in route.path:
            continue
        access = declaration(route)
        assert access is not None
        role = sorted(access.roles)[0] if access.roles else Role.officer
        for method in sorted(route.methods):
            for value in HUGE:
                path = PARAM.sub(value, route.path)
                if path.startswith("/api/"):
                    headers = {"Authorization": f"Bearer {api_tokens[role]}"}
                    response = TestClient(app).request(method, path, headers=headers, json={})
                else:
                    client = client_for(role)
                    data = {"csrf_token": csrf_from(client, "/home")} if method != "GET" else None
                    response = client.request(method, path, data=data)
                assert 400 <= response.status_code < 500, (method, path, response.status_code)
                checked += 1
    assert checked > 40
    officer = client_for(Role.officer)
    assert officer.get("/reports", params={"report_id": str(2**63)}).status_code == 422


def test_a_csv_cell_over_the_bound_is_a_form_error(
    client_for: Callable[[Role], TestClient],
) -> None:
    client = client_for(Role.pcc_analyst)
    header = "organisation,name,service_types,areas_covered"
    for size in (20_000, 140_000):  # over our bound; over the csv module's own field limit
        text = f'{header}\nOrg,"{"x" * size}",refuge,north\n'
        response = client.post(
            "/support/directory/import",
            data={"csrf_token": csrf_from(client, "/support/directory/import")},
            files={"file": ("directory.csv", text.encode(), "text/csv")},
        )
        assert 400 <= response.status_code < 500, (size, response.status_code)


def _post_form(client: TestClient, headers: dict[str, str]) -> int:
    token = csrf_from(client, "/report/what-happened")
    return client.post(
        "/report/what-happened",
        data={"crime_type": "other", "csrf_token": token},
        headers=headers,
    ).status_code


def test_forwarded_for_is_ignored_unless_from_a_configured_proxy(web_runtime: Runtime) -> None:
    settings = web_runtime.settings.model_copy(update={"public_rate_limit_per_minute": 2})
    assert server_options(settings)["proxy_headers"] is False
    limited = create_app(settings, web_runtime)
    # Without trusted proxies a client cannot dodge the limit by inventing addresses.
    statuses = [
        _post_form(
            TestClient(limited, follow_redirects=False, client=("203.0.113.9", 1)),
            {"X-Forwarded-For": f"198.51.100.{n}"},
        )
        for n in range(3)
    ]
    assert statuses == [303, 303, 429]

    trusted = settings.model_copy(update={"trusted_proxies": "10.0.0.1"})
    options = server_options(trusted)
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == "10.0.0.1"
    behind = ProxyHeadersMiddleware(
        create_app(trusted, web_runtime), trusted_hosts=str(options["forwarded_allow_ips"])
    )
    proxy = [
        TestClient(behind, follow_redirects=False, client=("10.0.0.1", 1))  # type: ignore[arg-type]
        for _ in range(3)
    ]
    # Through the trusted proxy, each visitor is counted on their own address.
    assert [_post_form(c, {"X-Forwarded-For": f"198.51.100.{n}"}) for n, c in enumerate(proxy)] == [
        303,
        303,
        303,
    ]
    spoofer = [
        TestClient(behind, follow_redirects=False, client=("203.0.113.77", 1))  # type: ignore[arg-type]
        for _ in range(3)
    ]
    assert [_post_form(c, {"X-Forwarded-For": f"192.0.2.{n}"}) for n, c in enumerate(spoofer)] == [
        303,
        303,
        429,
    ]


def test_refusals_and_failed_sign_ins_are_recorded(
    app: FastAPI, client_for: Callable[[Role], TestClient], web_runtime: Runtime
) -> None:
    officer = client_for(Role.officer)
    assert officer.get("/admin/users").status_code == 403
    denied = [e for e in ledger_entries(web_runtime, "access.denied") if e["actor"] == "officer"]
    assert denied and denied[0]["data"]["route"] == "/admin/users"
    visitor = TestClient(app, follow_redirects=False, client=("192.0.2.200", 1))
    visitor.post(
        "/login",
        data={"username": "inspector", "password": "not it", "csrf_token": csrf_from(visitor)},
    )
    failed = ledger_entries(web_runtime, "auth.sign_in_failed")
    assert failed and failed[0]["data"]["user_id"] is not None
    assert "not it" not in str(failed[0])


def test_nationality_group_is_not_shown_on_case_pages(
    anon: TestClient,
    client_for: Callable[[Role], TestClient],
    api_tokens: dict[Role, str],
    web_runtime: Runtime,
) -> None:
    receipt = make_report(
        web_runtime,
        actor=officer_actor(),
        monitoring={"nationality_group": "rest_of_world", "sex": "female"},
    )
    for role in (Role.officer, Role.supervisor, Role.disclosure_officer):
        page = client_for(role).get(f"/reports/{receipt.report_id}")
        assert page.status_code == 200
        assert "Nationality group" not in page.text and "Rest of the world" not in page.text
    body = anon.get(
        f"/api/v1/reports/{receipt.report_id}",
        headers={"Authorization": f"Bearer {api_tokens[Role.officer]}"},
    ).json()
    assert body["nationality_group"] is None and body["sex"] == "female"
