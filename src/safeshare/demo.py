"""Fictional demo data: a force, a PCC office, support organisations and one user per role.

Every name here is invented. Passwords are random and returned so the CLI can print them once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare.auth import mfa
from safeshare.auth import service as auth_service
from safeshare.auth.models import OrganisationKind, User
from safeshare.auth.passwords import generate_password
from safeshare.auth.roles import Role
from safeshare.oversight import recommendations
from safeshare.support import service as support_service
from safeshare.support.demo import load_demo_directory

DEMO_FORCE = "Demoshire Police"
DEMO_PCC = "Office of the Demoshire Police and Crime Commissioner"
DEMO_INSPECTORATE = "Demo Inspectorate of Constabulary"
DEMO_SUPPORT_ORGS = (
    "Lumen Latin American Women's Aid (fictional)",
    "Saheli South Asian Women's Project (fictional)",
    "Rainbow Harbour LGBT+ Migrants (fictional)",
)

_DEMO_USERS: tuple[tuple[str, str, Role, str, str | None], ...] = (
    ("officer", "PC Alex Demo", Role.officer, DEMO_FORCE, "Response team A"),
    ("supervisor", "Sgt Sam Demo", Role.supervisor, DEMO_FORCE, "Response team A"),
    ("disclosure", "Jo Demo (information sharing)", Role.disclosure_officer, DEMO_FORCE, None),
    ("advocate", "Maria Demo (advocate)", Role.advocate, DEMO_SUPPORT_ORGS[0], None),
    ("analyst", "Priya Demo (PCC analyst)", Role.pcc_analyst, DEMO_PCC, None),
    ("inspector", "Chris Demo (inspector)", Role.inspector, DEMO_INSPECTORATE, None),
    ("admin", "Admin Demo", Role.admin, DEMO_FORCE, None),
)


def is_empty(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(User)) == 0


def load_demo_data(
    session: Session, *, now: datetime | None = None
) -> list[tuple[str, str, str, str]]:
    """Create the demo organisations and users; returns (username, role, password, TOTP key).

    Roles that must sign in with a second factor are enrolled at once; their TOTP key is
    printed with the password so the demo stays usable (add it to any authenticator app).
    `now` dates the directory's first release and vacancies (a history starts before today).
    """
    kinds = {DEMO_FORCE: OrganisationKind.force, DEMO_PCC: OrganisationKind.pcc}
    kinds[DEMO_INSPECTORATE] = OrganisationKind.inspectorate
    kinds.update({name: OrganisationKind.support_org for name in DEMO_SUPPORT_ORGS})
    orgs = {
        name: auth_service.get_or_create_organisation(session, name=name, kind=kind)
        for name, kind in kinds.items()
    }
    created: list[tuple[str, str, str, str]] = []
    for username, display_name, role, org_name, team in _DEMO_USERS:
        if auth_service.get_user_by_username(session, username=username) is not None:
            continue
        password = generate_password()
        user = auth_service.create_user(
            session,
            username=username,
            display_name=display_name,
            role=role,
            password=password,
            organisation_id=orgs[org_name].id,
            team=team,
            actor="demo",
        )
        secret = mfa.enrol_now(session, user_id=user.id) if role in mfa.MFA_ROLES else ""
        created.append((username, role.value, password, secret))
    if not support_service.list_services(session):
        load_demo_directory(session, now=now)
    recommendations.seed_safe_to_share(session)
    return created
