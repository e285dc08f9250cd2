"""Account lifecycle over HTTP (issue 15, finding 2): create, reset, deactivate, role and
organisation changes, named expiring tokens and their revocation; every change recorded."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth import service as auth_service
from safeshare.auth.models import ApiToken
from safeshare.auth.roles import Role
from safeshare.db.base import utcnow
from safeshare.runtime import Runtime
from tests.web.conftest import csrf_from, sign_in
from tests.web.reporting_fixtures import ledger_entries

CODE = re.compile(r"<code>([A-Za-z0-9_-]{20,})</code>")
NEW_PASSWORD = "violet kettle orbit lantern"


def _post(client: TestClient, path: str, data: dict[str, str] | None = None) -> object:
    return client.post(path, data={"csrf_token": csrf_from(client, "/home"), **(data or {})})


def _set_password(app: FastAPI, code: str, password: str) -> int:
    visitor = TestClient(app, follow_redirects=False)
    response = visitor.post(
        "/reset-password",
        data={
            "csrf_token": csrf_from(visitor, "/reset-password"),
            "code": code,
            "password": password,
            "confirm": password,
        },
    )
    return response.status_code


def _user_id(runtime: Runtime, username: str) -> int:
    with runtime.session() as session:
        user = auth_service.get_user_by_username(session, username=username)
        assert user is not None
        return user.id


def test_admin_creates_an_account_that_sets_its_own_password(
    app: FastAPI, client_for: Callable[[Role], TestClient], web_runtime: Runtime
) -> None:
    admin = client_for(Role.admin)
    page = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf_from(admin, "/admin/users"),
            "username": "pc-newcomer",
            "display_name": "PC Newcomer",
            "role": "officer",
            "team": "response-1",
        },
    )
    assert page.status_code == 200, page.text[:500]
    match = CODE.search(page.text)
    assert match
    assert _set_password(app, match.group(1), "password1234") == 400  # NIST list
    assert _set_password(app, match.group(1), "short") == 400
    assert _set_password(app, match.group(1), NEW_PASSWORD) == 303
    assert _set_password(app, match.group(1), NEW_PASSWORD + " again") == 400  # used once
    newcomer = TestClient(app, follow_redirects=False)
    sign_in(newcomer, "pc-newcomer", NEW_PASSWORD)
    kinds = [e["kind"] for e in ledger_entries(web_runtime)]
    assert {"auth.user_created", "auth.password_reset_started"} <= set(kinds)
    assert "auth.password_reset_completed" in kinds


def test_deactivation_ends_sessions_and_tokens_at_once(
    app: FastAPI, client_for: Callable[[Role], TestClient], web_runtime: Runtime
) -> None:
    with web_runtime.session() as session:
        auth_service.create_user(
            session,
            username="pc-leaver",
            display_name="PC Leaver",
            role=Role.officer,
            password=NEW_PASSWORD,
        )
    user_id = _user_id(web_runtime, "pc-leaver")
    with web_runtime.session() as session:
        token = auth_service.issue_token(session, user_id=user_id, label="laptop script")
    leaver = TestClient(app, follow_redirects=False)
    sign_in(leaver, "pc-leaver", NEW_PASSWORD)
    api = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    assert leaver.get("/home").status_code == 200
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    admin = client_for(Role.admin)
    assert _post(admin, f"/admin/users/{user_id}/deactivate").status_code == 303  # type: ignore[attr-defined]
    assert leaver.get("/home").status_code == 303  # back to sign-in
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    again = TestClient(app, follow_redirects=False)
    response = again.post(
        "/login",
        data={"username": "pc-leaver", "password": NEW_PASSWORD, "csrf_token": csrf_from(again)},
    )
    assert response.status_code == 400
    assert _post(admin, f"/admin/users/{user_id}/reactivate").status_code == 303  # type: ignore[attr-defined]
    sign_in(TestClient(app, follow_redirects=False), "pc-leaver", NEW_PASSWORD)
    assert api.get("/api/v1/me", headers=headers).status_code == 401  # tokens stay revoked
    kinds = [e["kind"] for e in ledger_entries(web_runtime)]
    assert "auth.user_deactivated" in kinds and "auth.user_reactivated" in kinds


def test_role_and_organisation_changes_and_token_revocation(
    app: FastAPI, client_for: Callable[[Role], TestClient], web_runtime: Runtime
) -> None:
    with web_runtime.session() as session:
        user = auth_service.create_user(
            session,
            username="pc-mover",
            display_name="PC Mover",
            role=Role.officer,
            password=NEW_PASSWORD,
        )
        token = auth_service.issue_token(session, user_id=user.id, label="report exporter")
        org_b = auth_service.get_organisation_by_name(session, name="Support Org B")
        assert org_b is not None
        user_id, org_id = user.id, org_b.id
    admin = client_for(Role.admin)
    page = admin.get(f"/admin/users/{user_id}").text
    assert "report exporter" in page and token not in page
    _post(admin, f"/admin/users/{user_id}/role", {"role": "supervisor"})
    _post(admin, f"/admin/users/{user_id}/organisation", {"organisation_id": str(org_id)})
    with web_runtime.session() as session:
        changed = auth_service.get_user_or_raise(session, user_id=user_id)
        assert changed.role == "supervisor" and changed.organisation_id == org_id
        token_id = session.query(ApiToken.id).filter(ApiToken.user_id == user_id).scalar()
    api = TestClient(app)
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    _post(admin, f"/admin/users/{user_id}/tokens/{token_id}/revoke")
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    kinds = [e["kind"] for e in ledger_entries(web_runtime)]
    for kind in ("auth.role_changed", "auth.organisation_changed", "auth.token_revoked"):
        assert kind in kinds


def test_tokens_expire_after_ninety_days_by_default(app: FastAPI, web_runtime: Runtime) -> None:
    user_id = _user_id(web_runtime, "officer")
    with web_runtime.session() as session:
        token = auth_service.issue_token(session, user_id=user_id, label="expiring")
        row = session.query(ApiToken).order_by(ApiToken.id.desc()).first()
        assert row is not None and row.expires_at is not None
        assert 89 <= (row.expires_at - utcnow()).days <= 90
        row.expires_at = utcnow()
    api = TestClient(app)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_users_change_their_own_password(
    app: FastAPI, client_for: Callable[[Role], TestClient], web_runtime: Runtime
) -> None:
    with web_runtime.session() as session:
        auth_service.create_user(
            session,
            username="pc-changer",
            display_name="PC Changer",
            role=Role.officer,
            password=NEW_PASSWORD,
        )
    client = TestClient(app, follow_redirects=False)
    sign_in(client, "pc-changer", NEW_PASSWORD)
    token = csrf_from(client, "/account/password")
    weak = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": NEW_PASSWORD,
            "password": "Summer2024!!!",
            "confirm": "Summer2024!!!",
        },
    )
    assert weak.status_code == 400
    done = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": NEW_PASSWORD,
            "password": "copper meadow signal harbour",
            "confirm": "copper meadow signal harbour",
        },
    )
    assert done.status_code == 303
    assert client.get("/home").status_code == 200  # this session carries on
    sign_in(TestClient(app, follow_redirects=False), "pc-changer", "copper meadow signal harbour")
