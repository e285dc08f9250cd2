"""Service navigation: which links each role sees (the routes still check roles themselves)."""

from __future__ import annotations

from dataclasses import dataclass

from safeshare.auth.roles import ALL_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    roles: frozenset[Role]


NAVIGATION: list[NavItem] = [
    NavItem("Home", "/home", ALL_ROLES),
]


def register(item: NavItem) -> None:
    """Features add their entry points here when their router is included."""
    if all(existing.href != item.href for existing in NAVIGATION):
        NAVIGATION.append(item)


def items_for(role: Role | None, current_path: str) -> list[dict[str, object]]:
    if role is None:
        return []
    return [
        {"text": item.text, "href": item.href, "active": current_path.startswith(item.href)}
        for item in NAVIGATION
        if role in item.roles
    ]
