"""Every route declares who may use it, and everyone else is refused.

This walks the real app's routes, so a route added without a declaration fails here. The
roles expected to pass are read from the permission table (`auth.permissions.GRANTS`), not
from the route, so the table is what is tested.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount

from safeshare.auth.permissions import roles_with
from safeshare.auth.roles import ALL_ROLES, Role
from safeshare.web.access import Access
from safeshare.web.app import PUBLIC_MOUNTS
from safeshare.web.routing import iter_routes
from tests.web.conftest import csrf_from

PARAM = re.compile(r"\{[^}]+\}")


def declaration(route: APIRoute) -> Access | None:
    found = [d.call for d in route.dependant.dependencies if isinstance(d.call, Access)]
    return found[0] if len(found) == 1 else None


def allowed_roles(access: Access) -> frozenset[Role]:
    """The roles the table lets through: everyone signed in, or the permission's holders."""
    assert not access.is_public
    return ALL_ROLES if access.permission is None else roles_with(access.permission)


def test_declarations_match_the_table(app: FastAPI) -> None:
    for method, path, access in api_routes(app):
        if not access.is_public:
            assert access.roles == allowed_roles(access), f"{method} {path}"


def api_routes(app: FastAPI) -> list[tuple[str, str, Access]]:
    rows = []
    for route in iter_routes(app):
        if isinstance(route, APIRoute):
            access = declaration(route)
            assert access is not None, f"{route.path} has no single Access declaration"
            for method in sorted(route.methods):
                rows.append((method, PARAM.sub("1", route.path), access))
    return rows


def test_every_route_is_declared(app: FastAPI) -> None:
    for route in iter_routes(app):
        if isinstance(route, APIRoute):
            assert declaration(route) is not None, f"{route.path} lacks an Access declaration"
        elif isinstance(route, Mount):
            assert route.path in PUBLIC_MOUNTS, f"undeclared mount {route.path}"
        else:
            pytest.fail(
                f"unexpected route type {type(route).__name__} at {getattr(route, 'path', '?')}"
            )
    assert len(api_routes(app)) >= 5


def _call(client: TestClient, method: str, path: str, *, token: str | None = None) -> int:
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {} if method in {"POST", "PUT", "PATCH"} else None
        return client.request(method, path, headers=headers, json=body).status_code
    # Signed-in clients are redirected away from /login; their pages carry the token too.
    token_page = "/home" if client.get("/login").status_code == 303 else "/login"
    data = {"csrf_token": csrf_from(client, token_page)} if method != "GET" else None
    return client.request(method, path, data=data).status_code


def test_wrong_roles_are_refused(
    app: FastAPI,
    client_for: Callable[[Role], TestClient],
    api_tokens: dict[Role, str],
    anon: TestClient,
) -> None:
    checked = 0
    for method, path, access in api_routes(app):
        if access.is_public:
            continue
        allowed = allowed_roles(access)
        for role in Role:
            if role in allowed:
                continue
            status = _call(client_for(role), method, path, token=api_tokens[role])
            assert status == 403, f"{role} got {status} for {method} {path}"
            checked += 1
        status = _call(anon, method, path)
        checked += 1
        if path.startswith("/api/"):
            assert status == 401, f"anonymous got {status} for {method} {path}"
        else:
            assert status == 303, f"anonymous got {status} for {method} {path}"
    assert checked > 0


def test_allowed_roles_are_not_refused(
    app: FastAPI, client_for: Callable[[Role], TestClient], api_tokens: dict[Role, str]
) -> None:
    for method, path, access in api_routes(app):
        if access.is_public or method != "GET" or "1" in path:
            continue
        for role in allowed_roles(access):
            status = _call(client_for(role), method, path, token=api_tokens[role])
            assert status not in (401, 403), f"{role} refused for {method} {path}"


def test_api_rejects_session_cookie_without_token(client_for: Callable[[Role], TestClient]) -> None:
    """The API only trusts bearer tokens, so a browser session cannot be used for CSRF."""
    assert client_for(Role.admin).get("/api/v1/me").status_code == 401
