"""Who may do what in the support feature, checked in the services (not only in routes).

Services take the acting user as an `Actor`: anything with these read-only attributes, as
`safeshare.auth.service.Principal` (what the web layer holds for a signed-in user) has. The
CLI acts as `SYSTEM_ACTOR`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from safeshare.auth.roles import Role
from safeshare.support.errors import SupportPermissionError


class Actor(Protocol):
    @property
    def user_id(self) -> int | None: ...  # None only for the system actor

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def organisation_id(self) -> int | None: ...


@dataclass(frozen=True)
class SystemActor:
    """The operator at the command line: acts with the administrator's rights, as nobody."""

    user_id: int | None = None
    username: str = "system"
    role: str = Role.admin
    organisation_id: int | None = None


SYSTEM_ACTOR = SystemActor()

# The PCC's office maintains the directory and publishes releases (issue 7, "Cascade").
DIRECTORY_MANAGERS: frozenset[Role] = frozenset({Role.pcc_analyst, Role.admin})
# Police roles that may refer a victim from "Find support".
REFERRERS: frozenset[Role] = frozenset({Role.officer, Role.supervisor, Role.disclosure_officer})
# Roles counted in directory release coverage.
OFFICER_ROLES: frozenset[Role] = frozenset({Role.officer, Role.supervisor})


def require_role(actor: Actor, roles: Iterable[Role], action: str) -> None:
    """Refuse `action` unless the actor holds one of `roles`."""
    if actor.role not in set(roles):
        raise SupportPermissionError(f"Your role may not {action}.")


def is_advocate_of(actor: Actor, organisation_id: int) -> bool:
    """True for an advocate of that organisation: the only people who act for it."""
    return actor.role == Role.advocate and actor.organisation_id == organisation_id


def require_advocate_of(actor: Actor, organisation_id: int, action: str) -> None:
    if not is_advocate_of(actor, organisation_id):
        raise SupportPermissionError(f"Only the organisation's own advocates may {action}.")
