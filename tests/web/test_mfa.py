"""TOTP multi-factor sign-in and step-up (issue 15, finding 4)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth import service as auth_service
from safeshare.auth.roles import Role
from safeshare.runtime import Runtime
from safeshare.web import access
from tests.web.conftest import PASSWORD, csrf_from, current_code, sign_in

NEW = "amber quarry lichen paddle"


def _password(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(client)},
    )
    assert response.status_code == 303
    return str(response.headers["location"])


def _code(client: TestClient, code: str) -> int:
    return client.post(
        "/login/code", data={"code": code, "csrf_token": csrf_from(client, "/login/code")}
    ).status_code


def test_a_new_admin_must_enrol_before_getting_in(app: FastAPI, web_runtime: Runtime) -> None:
    with web_runtime.session() as session:
        auth_service.create_user(
            session, username="admin-two", display_name="Admin Two", role=Role.admin, password=NEW
        )
    client = TestClient(app, follow_redirects=False)
    assert _password(client, "admin-two", NEW) == "/login/enrol"
    assert client.get("/home").status_code == 303  # the password alone is not a session
    page = client.get("/login/enrol")
    assert "<svg" in page.text
    match = re.search(r"Key: <code>([A-Z2-7]+)</code>", page.text)
    assert match
    token = csrf_from(client, "/login/enrol")
    wrong = client.post("/login/enrol", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 400
    done = client.post(
        "/login/enrol",
        data={
            "code": pyotp.TOTP(match.group(1)).now(),
            "csrf_token": csrf_from(client, "/login/enrol"),
        },
    )
    assert done.status_code == 200 and "recovery codes" in done.text
    recovery = re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{8})</code>", done.text)
    assert len(recovery) == 10
    assert client.get("/admin/users").status_code == 200
    # A recovery code works once.
    again = TestClient(app, follow_redirects=False)
    assert _password(again, "admin-two", NEW) == "/login/code"
    assert _code(again, recovery[0]) == 303
    third = TestClient(app, follow_redirects=False)
    _password(third, "admin-two", NEW)
    assert _code(third, recovery[0]) == 400


def test_a_code_cannot_be_replayed(app: FastAPI, web_runtime: Runtime) -> None:
    first = TestClient(app, follow_redirects=False)
    assert _password(first, "inspector") == "/login/code"
    code = current_code(web_runtime, "inspector")
    assert _code(first, code) == 303
    second = TestClient(app, follow_redirects=False, client=("192.0.2.9", 1))
    _password(second, "inspector")
    assert _code(second, code) == 400  # seen over a shoulder: refused
    assert second.get("/home").status_code == 303


def test_officers_need_no_second_factor(app: FastAPI) -> None:
    client = TestClient(app, follow_redirects=False)
    assert _password(client, "officer") == "/home"


def test_sensitive_actions_need_a_recent_password(
    app: FastAPI, web_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = TestClient(app, follow_redirects=False)
    sign_in(admin, "admin")
    later = time.time() + 20 * 60  # past the step-up window, inside the idle timeout
    monkeypatch.setattr(access.time, "time", lambda: later)
    assert admin.get("/home").status_code == 200  # still signed in
    token = csrf_from(admin, "/policy/regime")
    regime = admin.post("/policy/regime", data={"csrf_token": token, "regime": "x"})
    assert regime.status_code == 303 and regime.headers["location"].startswith("/reauth")
    erase = admin.post("/admin/erase-report/confirm", data={"csrf_token": token})
    assert erase.headers["location"].startswith("/reauth")
    wrong = admin.post(
        "/reauth",
        data={"csrf_token": token, "password": "not mine", "next": "/policy/regime"},
    )
    assert wrong.status_code == 400
    ok = admin.post(
        "/reauth",
        data={
            "csrf_token": token,
            "password": PASSWORD,
            "code": current_code(web_runtime, "admin"),
            "next": "/policy/regime",
        },
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/policy/regime"
    after = admin.post("/policy/regime", data={"csrf_token": token, "regime": "x"})
    assert after.status_code == 400  # through step-up; refused only as an unknown regime


def test_sealed_reads_on_pages_need_a_recent_password(
    client_for: Callable[[Role], TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = client_for(Role.officer)
    token = csrf_from(officer, "/home")
    later = time.time() + 20 * 60
    monkeypatch.setattr(access.time, "time", lambda: later)
    response = officer.post(
        "/reports/1/sealed", data={"csrf_token": token, "fields": "name", "reason": "checking"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/reauth?next=/reports/1"


def test_an_admin_resets_a_lost_authenticator(
    app: FastAPI, client_for: Callable[[Role], TestClient], web_runtime: Runtime
) -> None:
    with web_runtime.session() as session:
        user = auth_service.create_user(
            session,
            username="dpo-lost",
            display_name="DPO",
            role=Role.disclosure_officer,
            password=NEW,
        )
        user_id = user.id
        from safeshare.auth import mfa

        mfa.enrol_now(session, user_id=user_id)
    admin = client_for(Role.admin)
    done = admin.post(
        f"/admin/users/{user_id}/reset-mfa", data={"csrf_token": csrf_from(admin, "/home")}
    )
    assert done.status_code == 303
    client = TestClient(app, follow_redirects=False)
    assert _password(client, "dpo-lost", NEW) == "/login/enrol"  # sets it up again
