"""Who may use each route is pinned: a change to the route x role matrix must be deliberate.

`route_roles.json` was generated from the role tuples before they became permissions
(issue 12); this keeps the refactor honest and makes any later change show up in review.
A new route adds its line here (the failure message prints it).
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute

from safeshare.web.routing import iter_routes
from tests.web.test_route_access import declaration

PINNED = Path(__file__).with_name("route_roles.json")


def current_matrix(app: FastAPI) -> dict[str, str | list[str]]:
    rows: dict[str, str | list[str]] = {}
    for route in iter_routes(app):
        if not isinstance(route, APIRoute):
            continue
        access = declaration(route)
        assert access is not None, f"{route.path} has no single Access declaration"
        for method in sorted(route.methods):
            rows[f"{method} {route.path}"] = (
                "PUBLIC" if access.roles is None else sorted(access.roles)
            )
    return rows


def test_route_role_matrix_is_unchanged(app: FastAPI) -> None:
    pinned = json.loads(PINNED.read_text())
    current = current_matrix(app)
    changed = {
        key: (pinned.get(key), current.get(key))
        for key in sorted(pinned.keys() | current.keys())
        if pinned.get(key) != current.get(key)
    }
    assert not changed, "route x role matrix changed (pinned, now):\n" + "\n".join(
        f"  {key}: {was} -> {now}" for key, (was, now) in changed.items()
    )
