"""The roles SafeShare knows. Every route declares which of them may use it."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    officer = "officer"
    supervisor = "supervisor"
    disclosure_officer = "disclosure_officer"
    advocate = "advocate"
    pcc_analyst = "pcc_analyst"
    inspector = "inspector"
    admin = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.officer: "Response officer",
    Role.supervisor: "Supervisor",
    Role.disclosure_officer: "Information-sharing officer",
    Role.advocate: "Advocate (support organisation)",
    Role.pcc_analyst: "PCC analyst",
    Role.inspector: "Inspector (read-only)",
    Role.admin: "Administrator",
}

ALL_ROLES: frozenset[Role] = frozenset(Role)

# Roles whose sign-ins the ledger records: they can see or release sensitive data.
PRIVILEGED_ROLES: frozenset[Role] = frozenset(
    {Role.disclosure_officer, Role.admin, Role.inspector, Role.supervisor}
)
