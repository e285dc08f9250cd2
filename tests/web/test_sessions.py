"""Session lifetime (issue 15, finding 4): idle and absolute timeouts, `__Host-` cookies."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from safeshare.auth import service as auth_service
from safeshare.auth.models import UserSession
from safeshare.config import Settings
from safeshare.ledger import keys
from safeshare.runtime import Runtime
from safeshare.web import access
from safeshare.web.app import create_app
from tests.web.conftest import csrf_from, sign_in

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile Safari/604.1"
LAPTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


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


def test_a_user_sees_their_sessions_and_ends_one_from_another(app: FastAPI) -> None:
    """ASVS 3.3.4: signed in on a phone and a laptop, the laptop ends the phone's session."""
    phone = TestClient(app, follow_redirects=False, headers={"user-agent": PHONE})
    laptop = TestClient(app, follow_redirects=False, headers={"user-agent": LAPTOP})
    with phone, laptop:
        sign_in(phone, "supervisor")
        sign_in(laptop, "supervisor")
        page = laptop.get("/account/sessions")
        assert page.status_code == 200
        assert "Safari on iPhone" in page.text and "Firefox on Linux" in page.text
        phone_row = re.search(
            r'Safari on iPhone.*?action="/account/sessions/(\d+)/end"', page.text, re.S
        )
        assert phone_row is not None
        ended = laptop.post(
            f"/account/sessions/{phone_row.group(1)}/end",
            data={"csrf_token": csrf_from(laptop, "/account/sessions")},
        )
        assert ended.status_code == 303
        assert phone.get("/home").status_code in (302, 303)  # the phone is signed out
        assert laptop.get("/home").status_code == 200  # the laptop is not
        assert "Safari on iPhone" not in laptop.get("/account/sessions").text


def test_nobody_ends_someone_elses_session(app: FastAPI, web_runtime: Runtime) -> None:
    victim = TestClient(app, follow_redirects=False)
    other = TestClient(app, follow_redirects=False)
    with victim, other:
        sign_in(victim, "officer")
        sign_in(other, "pcc-analyst")
        with web_runtime.session() as session:
            officer = auth_service.get_user_by_username(session, username="officer")
            assert officer is not None
            victim_id = session.scalars(
                select(UserSession.id)
                .where(UserSession.user_id == officer.id)
                .order_by(UserSession.id.desc())
            ).first()
        refused = other.post(
            f"/account/sessions/{victim_id}/end",
            data={"csrf_token": csrf_from(other, "/account/sessions")},
        )
        assert refused.status_code == 404
        assert victim.get("/home").status_code == 200
