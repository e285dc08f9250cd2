"""The published API contract holds: schemathesis, with every check, role by role.

A real server on loopback serves the app; the schemathesis CLI runs every check (so an
undocumented status code, content type or header fails) with a role's bearer token. To stay
well inside CI's budget on two cores (about a minute) it is deterministic (schemathesis's
deterministic generation: no seed, no example database; no shrinking), runs the example,
coverage and fuzzing phases with few examples (SAFESHARE_CONTRACT_EXAMPLES and
SAFESHARE_CONTRACT_PHASES widen it, for instance with "stateful" before a release) and goes
one role at a time, since the test database is SQLite with a single writer. Rules JSON
Schema cannot state are given to its generator by `schemathesis_hooks`, never by switching
a check off.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safeshare.auth.roles import Role
from safeshare.reporting.vocabulary import SubjectFact
from safeshare.runtime import Runtime
from safeshare.web.openapi import API_VERSION, PROBLEM_MEDIA_TYPE
from safeshare.web.routes.reporting.facts import FactCreate
from tests.browser.conftest import _free_port
from tests.web.reporting_fixtures import ensure_vault_key

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = os.environ.get("SAFESHARE_CONTRACT_EXAMPLES", "2")
PHASES = os.environ.get("SAFESHARE_CONTRACT_PHASES", "examples,coverage,fuzzing")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture(scope="module")
def served(app: FastAPI, web_runtime: Runtime) -> Iterator[str]:
    ensure_vault_key(web_runtime.settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "contract test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _run(base: str, token: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{base}/api/v1/openapi.json",
        "--checks=all",
        f"--phases={PHASES}",
        f"--max-examples={EXAMPLES}",
        "--generation-deterministic",
        "--no-shrink",
        "--workers=1",
        "--request-timeout=20",
        "--header",
        f"Authorization: Bearer {token}",
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.web.schemathesis_hooks"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )


# Between them these roles hold every permission an API operation needs, so every
# operation is exercised past its permission check at least once (the others see 403s).
CONTRACT_ROLES = (Role.disclosure_officer, Role.officer, Role.advocate, Role.admin)


@pytest.mark.parametrize("role", CONTRACT_ROLES, ids=str)
def test_schemathesis_with_every_check_passes(
    served: str, api_tokens: dict[Role, str], role: Role
) -> None:
    run = _run(served, api_tokens[role])
    failures = run.stdout.find("FAILURES")
    assert run.returncode == 0, (
        run.stdout[failures:][:6000] if failures >= 0 else run.stdout[-6000:]
    )


def _schema(anon: TestClient, token: str) -> dict[str, Any]:
    response = anon.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_the_document_describes_the_api_only_and_is_versioned(
    anon: TestClient, api_tokens: dict[Role, str]
) -> None:
    document = _schema(anon, api_tokens[Role.officer])
    assert document["info"]["version"] == API_VERSION
    assert document["paths"] and all(path.startswith("/api/") for path in document["paths"])
    assert "/api/v1/openapi.json" not in document["paths"]
    assert anon.get("/api/v1/openapi.json").status_code == 401


def test_every_error_response_is_a_documented_problem(
    anon: TestClient, api_tokens: dict[Role, str]
) -> None:
    document = _schema(anon, api_tokens[Role.admin])
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            errors = {status for status in responses if status.startswith(("4", "5"))}
            if operation["security"]:
                assert "401" in errors, (method, path)
            if "{" in path:
                assert "404" in errors, (method, path)
            for status in errors:
                content = responses[status]["content"]
                assert list(content) == [PROBLEM_MEDIA_TYPE], (method, path, status)


def test_every_fact_has_its_values_in_the_contract() -> None:
    entries = FactCreate.model_json_schema()["oneOf"]
    assert sorted(e["properties"]["fact"]["const"] for e in entries) == sorted(SubjectFact)


def test_staff_read_the_reference_page_and_download_the_document(
    anon: TestClient, client_for: Any
) -> None:
    assert anon.get("/api-docs").status_code == 303  # to sign-in
    client = client_for(Role.advocate)
    page = client.get("/api-docs")
    assert page.status_code == 200
    assert "POST <code" in page.text and "/api/v1/reports</code>" in page.text
    assert "application/problem+json" in page.text
    download = client.get("/api-docs/openapi.json")
    assert download.status_code == 200 and download.json()["info"]["version"] == API_VERSION
