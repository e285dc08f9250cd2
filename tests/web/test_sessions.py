"""Session lifetime (issue 15, finding 4): idle and absolute timeouts, `__Host-` cookies."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.config import Settings
from safeshare.ledger import keys
from safeshare.runtime import Runtime
from safeshare.web import access
from safeshare.web.app import create_app
from tests.web.conftest import sign_in


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(access.time, "time", fake)
    return fake


def test_an_idle_session_ends_after_thirty_minutes(app: FastAPI, clock: Clock) -> None:
    client = TestClient(app, follow_redirects=False)
    sign_in(client, "officer")
    clock.now += 29 * 60
    assert client.get("/home").status_code == 200  # activity keeps it alive
    clock.now += 29 * 60
    assert client.get("/home").status_code == 200
    clock.now += 31 * 60
    response = client.get("/home")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_active_session_still_ends_at_the_absolute_timeout(app: FastAPI, clock: Clock) -> None:
    client = TestClient(app, follow_redirects=False)
    sign_in(client, "officer")
    absolute = app.state.settings.session_max_age_seconds
    for _ in range(absolute // (20 * 60)):
        clock.now += 20 * 60
        assert client.get("/home").status_code == 200
    clock.now += 20 * 60
    assert client.get("/home").status_code == 303


def test_production_uses_a_host_prefixed_secure_cookie(
    tmp_path: Path, web_runtime: Runtime
) -> None:
    settings = Settings(
        env="production",
        var_dir=tmp_path,
        database_url=web_runtime.settings.database_url,
        secret_key=secrets.token_urlsafe(48),  # type: ignore[arg-type]
    )
    assert settings.ledger_key_file is not None
    keys.generate_key_file(settings.ledger_key_file, name=settings.ledger_origin)
    app = create_app(settings, web_runtime)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    response = client.get("/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-safeshare_session=")
    assert "secure" in cookie.lower() and "path=/" in cookie.lower()
    assert "domain=" not in cookie.lower()
