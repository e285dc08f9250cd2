"""The web shell: sign-in, throttling, error pages, security headers, CSRF, API problems."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.web.navigation import NAVIGATION
from safeshare.web.routes import policy
from tests.web.conftest import PASSWORD, csrf_from, sign_in


def test_security_headers(anon: TestClient) -> None:
    response = anon.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers  # development
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_pages_have_exit_this_page_and_no_inline_script(anon: TestClient) -> None:
    for path in ("/", "/login", "/no-such-page"):
        html = anon.get(path).text
        assert "govuk-exit-this-page" in html, path
        assert "<script>" not in html and "style=" not in html, path


def test_sign_in_and_out(anon: TestClient) -> None:
    assert anon.get("/home").status_code == 303
    sign_in(anon, "officer")
    home = anon.get("/home")
    assert home.status_code == 200 and "Test officer" in home.text
    token = csrf_from(anon, "/home")
    assert anon.post("/logout", data={"csrf_token": token}).status_code == 303
    assert anon.get("/home").status_code == 303


def test_login_errors_use_the_error_summary(anon: TestClient) -> None:
    token = csrf_from(anon)
    response = anon.post("/login", data={"username": "", "password": "", "csrf_token": token})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert 'href="#username"' in response.text and "Enter your username" in response.text
    assert 'href="#password"' in response.text and "Enter your password" in response.text
    assert response.text.count("govuk-error-message") == 2


def test_wrong_password_does_not_echo_input(anon: TestClient) -> None:
    token = csrf_from(anon)
    response = anon.post(
        "/login",
        data={"username": "officer", "password": "<script>bad-guess</script>", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "Enter a correct username and password" in response.text
    assert "bad-guess" not in response.text


def test_repeated_failures_slow_the_client_and_never_say_locked(app: FastAPI) -> None:
    guesser = TestClient(app, follow_redirects=False, client=("203.0.113.50", 1))
    for _ in range(5):
        token = csrf_from(guesser)
        guesser.post(
            "/login", data={"username": "inspector", "password": "nope", "csrf_token": token}
        )
    token = csrf_from(guesser)
    response = guesser.post(
        "/login", data={"username": "inspector", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429 and "locked" not in response.text
    assert int(response.headers["Retry-After"]) >= 1


def test_login_next_never_leaves_the_site(anon: TestClient) -> None:
    token = csrf_from(anon)
    response = anon.post(
        "/login",
        data={
            "username": "supervisor",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/home"


def test_form_post_without_csrf_is_refused(anon: TestClient) -> None:
    anon.get("/login")
    response = anon.post("/login", data={"username": "officer", "password": PASSWORD})
    assert response.status_code == 403
    assert "expired" in response.text


def test_404_page_does_not_echo_path(anon: TestClient) -> None:
    response = anon.get("/nothing-here-<marker>")
    assert response.status_code == 404
    assert "Page not found" in response.text and "marker" not in response.text


def test_api_problem_details(anon: TestClient, api_tokens: dict[Role, str]) -> None:
    response = anon.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert "Bearer" in response.headers["www-authenticate"]
    ok = anon.get("/api/v1/me", headers={"Authorization": f"Bearer {api_tokens[Role.officer]}"})
    assert ok.json()["role"] == "officer"
    missing = anon.get("/api/v1/nope", headers={"Authorization": "Bearer x"})
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_oversized_body_is_refused(anon: TestClient) -> None:
    token = csrf_from(anon)
    response = anon.post(
        "/login", data={"username": "x" * (2 * 1024 * 1024), "password": "y", "csrf_token": token}
    )
    assert response.status_code == 413


def test_unexpected_errors_show_a_reference_not_detail(
    client_for: Callable[[Role], TestClient],
) -> None:
    from safeshare.web.errors import TITLES

    assert TITLES[500].startswith("Sorry")


def test_sign_out_also_ends_a_copied_session_cookie(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, follow_redirects=False) as first:
        sign_in(first, "pcc-analyst")
        copied = dict(first.cookies)
        token = csrf_from(first, "/home")
        assert first.post("/logout", data={"csrf_token": token}).status_code == 303
    with TestClient(app, follow_redirects=False, cookies=copied) as thief:
        assert thief.get("/home").status_code == 303


def test_unknown_json_keys_are_named_only_when_they_look_like_field_names(
    anon: TestClient, api_tokens: dict[Role, str]
) -> None:
    headers = {"Authorization": f"Bearer {api_tokens[Role.officer]}"}
    secret_key = "Maria lives at 12 Example Road"
    response = anon.post("/api/v1/decisions", headers=headers, json={secret_key: 1, "oddfield": 2})
    assert response.status_code == 422
    assert "Example Road" not in response.text
    fields = {e["field"] for e in response.json()["errors"]}
    assert "(unknown field)" in fields and "oddfield" in fields


def test_the_decision_api_is_matched_first_and_navigation_keeps_the_features_order(
    app: FastAPI,
) -> None:
    """Matching order is tuned for the hottest route (issue 14); the menu must not follow it."""
    # After the static files' mount (a cheap prefix test), the Firewall's routes.
    assert app.router.routes[1].original_router is policy.router  # type: ignore[attr-defined]
    assert policy.router.routes[0].path == "/api/v1/decisions"
    hrefs = [item.href for item in NAVIGATION]
    assert hrefs.index("/reports") < hrefs.index("/policy/share")
    assert hrefs.index("/admin/users") < hrefs.index("/reports")
