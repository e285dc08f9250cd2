"""Who may do what in the support feature, checked in the services (not only in routes).

Services take the acting user as a `safeshare.auth.permissions.Actor` and check its
permissions against the one table there; the CLI acts as `SYSTEM_ACTOR`. What is left here
is the support-specific rule the table cannot hold: an advocate acts only for their own
organisation.
"""

from __future__ import annotations

from safeshare.auth.permissions import SYSTEM_ACTOR, Actor, Permission
from safeshare.support.errors import SupportPermissionError

__all__ = [
    "SYSTEM_ACTOR",
    "Actor",
    "is_advocate_of",
    "require_advocate_of",
    "require_permission",
]


def require_permission(actor: Actor, permission: Permission, action: str) -> None:
    """Refuse `action` unless the actor's role holds `permission`."""
    if not actor.can(permission):
        raise SupportPermissionError(f"Your role may not {action}.")


def is_advocate_of(actor: Actor, organisation_id: int) -> bool:
    """True for an advocate of that organisation: the only people who act for it."""
    return actor.can(Permission.SUPPORT_ORG_ACT) and actor.organisation_id == organisation_id


def require_advocate_of(actor: Actor, organisation_id: int, action: str) -> None:
    """Refuse `action` unless the actor is one of the organisation's own advocates."""
    if not is_advocate_of(actor, organisation_id):
        raise SupportPermissionError(f"Only the organisation's own advocates may {action}.")
