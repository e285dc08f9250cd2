"""The published API contract holds: schemathesis, with every check, for every role.

Each generated request is sent with each role's bearer token, so a role refused an
operation must get a documented 401/403 problem and one allowed must get a documented,
schema-valid answer. Examples are bounded so the whole run stays near a minute.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS

from safeshare.auth.roles import Role
from safeshare.web.app import iter_routes
from safeshare.web.openapi import api_schema


@pytest.fixture(scope="module")
def contract(app: FastAPI) -> Any:
    loaded = schemathesis.openapi.from_dict(api_schema(app, iter_routes(app)))
    loaded.app = app
    return loaded


schema = schemathesis.pytest.from_fixture("contract")


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_role_gets_a_documented_answer(
    case: schemathesis.Case, api_tokens: dict[Role, str]
) -> None:
    for role in Role:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {api_tokens[role]}"},
            checks=CHECKS.get_all(),
        )
