"""Who may do what: named capabilities, one role->permission table, and the acting `Actor`.

Routes declare `require(Permission.X)` (in `safeshare.web.access`) and services check
`actor.can(Permission.X)` (or `allows(role, Permission.X)`) against the same `GRANTS` table,
so a role's rights are read in one place and the route x role test derives from it.
Checks that depend on the record (an advocate's own organisation, an officer's own team)
stay in the services; the table only says which roles may try.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from safeshare.auth.roles import Role
from safeshare.errors import PermissionDeniedError

if TYPE_CHECKING:
    from safeshare.auth.models import User


class Permission(StrEnum):
    """A capability a role may hold. Name what is done, not who usually does it."""

    # Reports (reporting/)
    REPORT_READ = "report_read"  # open reports (advocates: their organisation's only)
    REPORT_CREATE = "report_create"  # take a report: officer or third-party pathway
    REPORT_CREATE_OFFICER = "report_create_officer"  # the officer pathway itself
    CASE_UPDATE = "case_update"  # add updates, record facts, mark Victims' Code rights
    CONSENT_RECORD = "consent_record"
    SEALED_ACCESS_REQUEST = (
        "sealed_access_request"  # police: ask for or break glass to sealed fields
    )
    SEALED_READ_ANY_REPORT = "sealed_read_any_report"  # sealed fields of every report
    SEALED_READ_UNASSIGNED = "sealed_read_unassigned"  # sealed fields of unassigned reports
    ACCESS_APPROVE = "access_approve"  # decide requests for access to sealed fields
    ACCESS_ALERTS_READ = "access_alerts_read"
    ACCESS_ALERT_ACKNOWLEDGE = "access_alert_acknowledge"
    RIGHTS_DASHBOARD = "rights_dashboard"  # Victims' Code dashboard
    REPORT_ERASE = "report_erase"
    # Sharing decisions (policy/)
    DECISION_REQUEST = "decision_request"
    DECISION_READ = "decision_read"  # decisions they asked for (DECISION_READ_ALL: every one)
    DECISION_READ_ALL = "decision_read_all"
    REVIEW_DECIDE = "review_decide"
    DISCLOSURE_RECORD = "disclosure_record"
    REGIME_CHANGE = "regime_change"
    REGIME_COMPARE = "regime_compare"
    # Data protection (holds/, retention/, subject_access/)
    HOLD_MANAGE = "hold_manage"  # set and lift legal holds and restrictions of processing
    SUBJECT_ACCESS = "subject_access"  # produce a subject access bundle, rectify sealed fields
    # Oversight (oversight/, ledger/)
    STATS_READ = "stats_read"
    RECOMMENDATIONS_READ = "recommendations_read"
    RECOMMENDATIONS_EDIT = "recommendations_edit"
    OUTCOME_RECORD = "outcome_record"
    LEDGER_READ = "ledger_read"
    LEDGER_NOTE_OPEN = "ledger_note_open"  # open the sealed reason behind a ledger entry
    # Support (support/)
    SUPPORT_FIND = "support_find"  # find services, read and acknowledge directory releases
    REFERRAL_RECORD = "referral_record"  # record or withdraw a referral in the directory
    REFER_THROUGH_FIREWALL = "refer_through_firewall"  # refer a report: asks the Firewall
    DIRECTORY_MANAGE = "directory_manage"  # edit the directory, publish releases, coverage
    DIRECTORY_RELEASE_DUTY = "directory_release_duty"  # counted in release coverage
    SUPPORT_ORG_ACT = "support_org_act"  # referrals inbox and capacity of their organisation
    PERFORMANCE_READ_ANY = "performance_read_any"  # any service's figures, suppressed
    # Accounts (auth/)
    USER_ADMIN = "user_admin"
    # The API (web/routes/api.py)
    API_CONTRACT_READ = "api_contract_read"  # the OpenAPI document and the /api-docs page


P = Permission
# Every role may call some of the API (`/api/v1/me` at least), so every role may read its contract.
_EVERYONE = frozenset({P.API_CONTRACT_READ})
_POLICE = _EVERYONE | {P.REPORT_READ, P.CASE_UPDATE, P.CONSENT_RECORD, P.SEALED_ACCESS_REQUEST}
_POLICE |= {P.SUPPORT_FIND, P.REFERRAL_RECORD, P.PERFORMANCE_READ_ANY, P.DECISION_READ}

GRANTS: Mapping[Role, frozenset[Permission]] = {
    Role.officer: _POLICE
    | {
        P.REPORT_CREATE,
        P.REPORT_CREATE_OFFICER,
        P.DECISION_REQUEST,
        P.REFER_THROUGH_FIREWALL,
        P.DIRECTORY_RELEASE_DUTY,
    },
    Role.supervisor: _POLICE
    | {
        P.REPORT_CREATE,
        P.REPORT_CREATE_OFFICER,
        P.SEALED_READ_UNASSIGNED,
        P.ACCESS_APPROVE,
        P.ACCESS_ALERTS_READ,
        P.RIGHTS_DASHBOARD,
        P.DECISION_READ_ALL,
        P.DIRECTORY_RELEASE_DUTY,
    },
    Role.disclosure_officer: _POLICE
    | {
        P.SEALED_READ_ANY_REPORT,
        P.ACCESS_ALERTS_READ,
        P.ACCESS_ALERT_ACKNOWLEDGE,
        P.DECISION_REQUEST,
        P.DECISION_READ_ALL,
        P.REVIEW_DECIDE,
        P.DISCLOSURE_RECORD,
        P.REGIME_COMPARE,
        P.OUTCOME_RECORD,
        P.LEDGER_READ,
        P.REFER_THROUGH_FIREWALL,
        P.HOLD_MANAGE,
        P.SUBJECT_ACCESS,
    },
    Role.advocate: _EVERYONE
    | frozenset({P.REPORT_READ, P.REPORT_CREATE, P.CONSENT_RECORD, P.SUPPORT_ORG_ACT}),
    Role.pcc_analyst: _EVERYONE
    | frozenset(
        {
            P.STATS_READ,
            P.RECOMMENDATIONS_READ,
            P.RECOMMENDATIONS_EDIT,
            P.REGIME_COMPARE,
            P.DIRECTORY_MANAGE,
            P.PERFORMANCE_READ_ANY,
        }
    ),
    Role.inspector: _EVERYONE
    | frozenset(
        {
            P.DECISION_READ,
            P.DECISION_READ_ALL,
            P.REGIME_COMPARE,
            P.STATS_READ,
            P.RECOMMENDATIONS_READ,
            P.LEDGER_READ,
            P.LEDGER_NOTE_OPEN,
            P.PERFORMANCE_READ_ANY,
        }
    ),
    Role.admin: _EVERYONE
    | frozenset(
        {
            P.REPORT_ERASE,
            P.REGIME_CHANGE,
            P.REGIME_COMPARE,
            P.STATS_READ,
            P.RECOMMENDATIONS_READ,
            P.RECOMMENDATIONS_EDIT,
            P.LEDGER_READ,
            P.DIRECTORY_MANAGE,
            P.PERFORMANCE_READ_ANY,
            P.USER_ADMIN,
            P.HOLD_MANAGE,
        }
    ),
}
"""THE table: every role's permissions. Nothing else in the code lists roles for a right."""


def allows(role: Role | str | None, permission: Permission) -> bool:
    """Whether `role` holds `permission` (no role, as for the public, holds none)."""
    if role is None:
        return False
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False


def demand(
    role: Role | str | None,
    permission: Permission,
    action: str,
    error: type[PermissionDeniedError] = PermissionDeniedError,
) -> None:
    """Refuse `action` (raising `error`, a feature's permission error) unless `role` holds
    `permission`: services call this as the second lock after the route's `require`."""
    if not allows(role, permission):
        raise error(f"the {role or 'public'} role may not {action}")


def roles_with(permission: Permission) -> frozenset[Role]:
    """The roles holding `permission`: for navigation, tests and release coverage."""
    return frozenset(role for role, granted in GRANTS.items() if permission in granted)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, the public (role None) or the operator at the CLI.

    Routes receive it from `require`; services take it (or its plain fields) and ask
    `actor.can(...)`. `user_id` is None for the public and the system actor.
    """

    username: str
    role: Role | None = None
    organisation_id: int | None = None
    team: str | None = None
    user_id: int | None = None
    display_name: str = ""
    session_epoch: int = 0

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)

    @property
    def account_id(self) -> int:
        """The signed-in user's id, for account actions; the public and the CLI have none."""
        if self.user_id is None:
            raise PermissionDeniedError("Only a signed-in user has an account")
        return self.user_id

    @classmethod
    def of(cls, user: User) -> Actor:
        """The actor for a signed-in user's account row."""
        return cls(
            username=user.username,
            role=Role(user.role),
            organisation_id=user.organisation_id,
            team=user.team,
            user_id=user.id,
            display_name=user.display_name,
            session_epoch=user.session_epoch,
        )

    @classmethod
    def public(cls) -> Actor:
        """Someone reporting on a public pathway: holds no permission."""
        return cls(username="public")

    @classmethod
    def system(cls, username: str = "system") -> Actor:
        """The operator at the command line: the administrator's rights, as nobody."""
        return cls(username=username, role=Role.admin)


SYSTEM_ACTOR = Actor.system()
