"""Web test fixtures: an app on a fresh SQLite database with one user of each role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth import mfa
from safeshare.auth import service as auth_service
from safeshare.auth.models import OrganisationKind
from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.db import migrate
from safeshare.retention.config import RetentionConfig
from safeshare.runtime import Runtime
from safeshare.web.app import create_app

PASSWORD = "correct-horse-battery"
TEAM = "response-1"  # the officer's and supervisor's team: they read its reports' sealed fields
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_settings(var_dir: Path, **overrides: object) -> Settings:
    return Settings(
        var_dir=var_dir,
        database_url=f"sqlite:///{var_dir / 'web.db'}",
        secret_key="test-secret-key-that-is-long-enough-for-tests",  # type: ignore[arg-type]
        retention=RetentionConfig(interval_hours=0),  # retention runs only when a test asks
        **({"throttled_answer_delay_seconds": 0} | overrides),  # type: ignore[arg-type]
    )


def seed_users(runtime: Runtime) -> None:
    """One user per role, named after the role; advocates in two organisations."""
    with runtime.session() as session:
        force = auth_service.get_or_create_organisation(
            session, name="Test Force", kind=OrganisationKind.force
        )
        org_a = auth_service.get_or_create_organisation(
            session, name="Support Org A", kind=OrganisationKind.support_org
        )
        org_b = auth_service.get_or_create_organisation(
            session, name="Support Org B", kind=OrganisationKind.support_org
        )
        for role in Role:
            user = auth_service.create_user(
                session,
                username=role.value.replace("_", "-"),
                display_name=f"Test {role.value}",
                role=role,
                password=PASSWORD,
                organisation_id=org_a.id if role is Role.advocate else force.id,
                team=TEAM if role in (Role.officer, Role.supervisor) else None,
            )
            if role in mfa.MFA_ROLES:  # these roles must sign in with a second factor
                mfa.enrol_now(session, user_id=user.id)
        auth_service.create_user(
            session,
            username="advocate-b",
            display_name="Test advocate B",
            role=Role.advocate,
            password=PASSWORD,
            organisation_id=org_b.id,
        )


def seeded_runtime(var_dir: Path, **overrides: object) -> Runtime:
    """A migrated database with one user per role, for `make_settings(var_dir, **overrides)`."""
    runtime = Runtime(make_settings(var_dir, **overrides))
    migrate.upgrade(runtime.engine)
    seed_users(runtime)
    return runtime


@pytest.fixture(scope="module")
def web_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    runtime = seeded_runtime(tmp_path_factory.mktemp("web"))
    yield runtime
    runtime.engine.dispose()


@pytest.fixture(scope="module")
def app(web_runtime: Runtime) -> FastAPI:
    return create_app(web_runtime.settings, web_runtime)


@pytest.fixture
def anon(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as client:
        yield client


def csrf_from(client: TestClient, path: str = "/login") -> str:
    match = CSRF_RE.search(client.get(path).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Password, then (for roles that need MFA) the current TOTP code of the enrolled secret."""
    token = csrf_from(client)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    if response.headers["location"] == "/login/code":
        code = current_code(client.app.state.runtime, username)  # type: ignore[attr-defined]
        response = client.post(
            "/login/code", data={"code": code, "csrf_token": csrf_from(client, "/login/code")}
        )
        assert response.status_code == 303, response.text


def current_code(runtime: Runtime, username: str) -> str:
    """The TOTP code for an enrolled test user now. Tests sign in the same user many times a
    minute, so the replay guard is reset here first (a fixture's shortcut, not a product path)."""
    with runtime.session() as session:
        user = auth_service.get_user_by_username(session, username=username)
        assert user is not None
        secret = mfa.totp_secret(session, user)
        assert secret is not None
        user.totp_last_step = None
        return pyotp.TOTP(secret).now()


def username_for(role: Role) -> str:
    return role.value.replace("_", "-")


@pytest.fixture
def client_for(app: FastAPI) -> Iterator[Callable[[Role], TestClient]]:
    """Signed-in clients by role (cached per test)."""
    clients: dict[Role, TestClient] = {}

    def make(role: Role) -> TestClient:
        if role not in clients:
            client = TestClient(app, follow_redirects=False)
            client.__enter__()
            sign_in(client, username_for(role))
            clients[role] = client
        return clients[role]

    yield make
    for client in clients.values():
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def api_tokens(web_runtime: Runtime) -> dict[Role, str]:
    """Step-up tokens (scope `sealed-read`, 1 hour): they work on every API route, sealed
    reads included; `test_reporting_api` shows ordinary tokens are refused sealed reads."""
    with web_runtime.session() as session:
        return {
            role: auth_service.issue_step_up_token(
                session,
                user_id=auth_service.get_user_by_username(  # type: ignore[union-attr]
                    session, username=username_for(role)
                ).id,
                lifetime=timedelta(hours=1),
                actor="test",
            )[0]
            for role in Role
        }
