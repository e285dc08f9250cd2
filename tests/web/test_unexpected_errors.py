"""An unexpected failure shows a reference, never the exception's message, in page, API and log."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from safeshare.auth.permissions import Actor
from safeshare.db import migrate
from safeshare.runtime import Runtime
from safeshare.web.access import PUBLIC
from safeshare.web.app import create_app
from tests.web.conftest import make_settings

CANARY = "CANARY-immigration-status-overstayer-4711"


@pytest.fixture
def failing_client(tmp_path: Path) -> TestClient:
    runtime = Runtime(make_settings(tmp_path))
    migrate.upgrade(runtime.engine)
    app = create_app(runtime.settings, runtime)

    def explode(_p: Annotated[Actor | None, Depends(PUBLIC)]) -> None:
        raise RuntimeError(CANARY)

    app.add_api_route("/explode", explode)
    app.add_api_route("/api/v1/explode", explode)
    return TestClient(app, raise_server_exceptions=False)


def test_500_page_hides_detail(
    failing_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        page = failing_client.get("/explode")
        api = failing_client.get("/api/v1/explode")
    assert page.status_code == 500 and api.status_code == 500
    assert "Sorry, there is a problem with the service" in page.text
    request_id = page.headers["x-request-id"]
    assert "frame-ancestors" in page.headers["content-security-policy"]
    assert request_id in page.text
    assert api.json()["status"] == 500 and api.headers["content-type"] == "application/problem+json"
    for text in (page.text, api.text, caplog.text):
        assert CANARY not in text
    assert "RuntimeError" in caplog.text
