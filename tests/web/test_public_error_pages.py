"""Every public page, made to fail, answers in the reporter's language with other safe ways to
report, and never shows a path, a command, a setting name or the exception's text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, NoReturn

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from safeshare.auth.permissions import Actor
from safeshare.db import migrate
from safeshare.runtime import Runtime
from safeshare.vault.errors import KeyringError
from safeshare.web import public_form
from safeshare.web.access import PUBLIC
from safeshare.web.app import create_app
from safeshare.web.routes import home, public_report
from tests.web.conftest import make_settings

# What an internal failure might carry: a path, a shell command, a setting name, sealed data.
LEAKS = (
    "CANARY-overstayer-4711",
    "/srv/safeshare/var/vault.key",
    "safeshare vault keygen",
    "SAFESHARE_VAULT",
    "RuntimeError",
    "KeyringError",
    "Traceback",
)
FAILURE = " ".join(LEAKS)

PUBLIC_PAGES = [
    "/",
    "/report",
    "/report/check",
    "/report/passphrase",
    "/report/confirmation",
    "/report/return",
    "/report/return/done",
    *(f"/report/{slug}" for slug in public_form.STEPS),
]

EXPECTED = {
    "en": ("Sorry, there is a problem with the service", "Other safe ways to report", "999"),
    "es": ("Lo sentimos, hay un problema con el servicio", "Otras formas seguras de denunciar"),
}


def _explode(*_args: object, **_kwargs: object) -> NoReturn:
    raise RuntimeError(FAILURE)


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    runtime = Runtime(make_settings(tmp_path))
    migrate.upgrade(runtime.engine)
    app = create_app(runtime.settings, runtime)

    def keyring_missing(_p: Annotated[Actor | None, Depends(PUBLIC)]) -> None:
        raise KeyringError(FAILURE)

    app.add_api_route("/report/test-keyring", keyring_missing, methods=["GET", "POST"])
    app.router.routes.insert(0, app.router.routes.pop())  # before /report/{slug}
    app.add_api_route("/api/v1/test-keyring", keyring_missing)
    # Every public report page starts by choosing its translator; the landing page renders.
    monkeypatch.setattr(public_report, "translator", _explode)
    monkeypatch.setattr(home, "public_page", _explode)
    return TestClient(app, raise_server_exceptions=False)


def _assert_safe(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, leak
    assert not re.search(r"/(?:srv|home|usr|tmp|work)/", text)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_failing_public_page_is_safe_and_in_its_language(
    client: TestClient, path: str, lang: str
) -> None:
    response = client.get(path, params={"lang": lang})
    assert response.status_code == 500, path
    _assert_safe(response.text)
    assert f'<html lang="{lang}"' in response.text
    for phrase in EXPECTED[lang]:
        assert phrase in response.text
    assert "govuk-exit-this-page" in response.text
    assert response.headers["x-request-id"] in response.text


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_server_side_domain_error_never_shows_its_message(client: TestClient, lang: str) -> None:
    page = client.get("/report/test-keyring", params={"lang": lang})
    assert page.status_code == 500
    _assert_safe(page.text)
    assert EXPECTED[lang][0] in page.text
    api = client.get("/api/v1/test-keyring")
    assert api.status_code == 500
    assert api.headers["content-type"] == "application/problem+json"
    _assert_safe(api.text)
    assert set(api.json()) == {"type", "title", "status", "request_id"}


def test_the_language_is_remembered_for_the_error_page(client: TestClient) -> None:
    client.get("/report/return", params={"lang": "es"})
    response = client.get("/report/check")
    assert response.status_code == 500
    assert '<html lang="es"' in response.text
