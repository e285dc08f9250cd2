"""Service navigation: which links each role sees (the routes still check permissions)."""

from __future__ import annotations

from dataclasses import dataclass

from safeshare.auth.permissions import Permission, allows
from safeshare.auth.roles import Role


@dataclass(frozen=True)
class NavItem:
    """A link for holders of `permission` (None: everyone signed in). `only` narrows the
    audience further where a link would clutter some roles' menus (the route still serves
    every holder of the permission)."""

    text: str
    href: str
    permission: Permission | None
    only: frozenset[Role] | None = None

    def shown_to(self, role: Role) -> bool:
        if self.only is not None and role not in self.only:
            return False
        return self.permission is None or allows(role, self.permission)


NAVIGATION: list[NavItem] = [
    NavItem("Home", "/home", None),
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
        if item.shown_to(role)
    ]
