"""The permission table keeps exactly the rights the old role tuples gave (issue 12).

Each line is a role set as it stood in the code before the table (module and name given),
so a change to who may do what has to change this test too.
"""

from __future__ import annotations

import pytest

from safeshare.auth.permissions import GRANTS, Actor, Permission, allows, demand, roles_with
from safeshare.auth.roles import Role
from safeshare.errors import PermissionDeniedError

OFF, SUP, DO, ADV = Role.officer, Role.supervisor, Role.disclosure_officer, Role.advocate
PCC, INS, ADM = Role.pcc_analyst, Role.inspector, Role.admin

BEFORE: dict[Permission, set[Role]] = {
    Permission.REPORT_READ: {OFF, SUP, DO, ADV},  # reporting READERS, config.sealed_read_roles
    Permission.REPORT_CREATE: {OFF, SUP, ADV},  # reporting INTAKE
    Permission.REPORT_CREATE_OFFICER: {OFF, SUP},  # config.officer_intake_roles
    Permission.CASE_UPDATE: {OFF, SUP, DO},  # reporting CASE, config.case_roles
    Permission.CONSENT_RECORD: {OFF, SUP, DO, ADV},  # reporting CONSENTERS
    Permission.SEALED_ACCESS_REQUEST: {OFF, SUP, DO},  # POLICE_READERS, _police_roles
    Permission.SEALED_READ_ANY_REPORT: {DO},  # config.sealed_read_any_report_roles
    Permission.SEALED_READ_UNASSIGNED: {SUP},  # config.sealed_read_unassigned_roles
    Permission.ACCESS_APPROVE: {SUP},  # config.access_approver_roles, SUPERVISORS
    Permission.ACCESS_ALERTS_READ: {SUP, DO},  # ALERT_ROLES, ALERT_READERS
    Permission.ACCESS_ALERT_ACKNOWLEDGE: {DO},
    Permission.RIGHTS_DASHBOARD: {SUP},  # SUPERVISORS
    Permission.REPORT_ERASE: {ADM},  # ADMINS, config.erase_roles
    Permission.DECISION_REQUEST: {OFF, DO},  # DECIDING, DECIDING_ROLES
    Permission.DECISION_READ: {OFF, DO, SUP, INS},  # DecisionReaders
    Permission.DECISION_READ_ALL: {DO, SUP, INS},  # OVERSEEING, OVERSEEING_ROLES
    Permission.REVIEW_DECIDE: {DO},  # REVIEWING_ROLES
    Permission.DISCLOSURE_RECORD: {DO},  # DISCLOSING_ROLES
    Permission.REGIME_CHANGE: {ADM},  # REGIME_ROLES
    Permission.REGIME_COMPARE: {PCC, INS, ADM, DO},  # COMPARING
    Permission.STATS_READ: {PCC, INS, ADM},  # STATISTICS_ROLES
    Permission.RECOMMENDATIONS_READ: {PCC, INS, ADM},  # VIEW_ROLES
    Permission.RECOMMENDATIONS_EDIT: {PCC, ADM},  # EDIT_ROLES
    Permission.OUTCOME_RECORD: {DO},  # OUTCOME_ROLES
    Permission.LEDGER_READ: {INS, DO, ADM},  # LEDGER_ROLES
    Permission.LEDGER_NOTE_OPEN: {INS},  # the sealed reason behind an entry (issue 15)
    Permission.SUPPORT_FIND: {OFF, SUP, DO},  # support FINDERS
    Permission.REFERRAL_RECORD: {OFF, SUP, DO},  # support.access REFERRERS
    Permission.REFER_THROUGH_FIREWALL: {OFF, DO},  # web REFERRERS, FIREWALL_REFERRERS
    Permission.DIRECTORY_MANAGE: {PCC, ADM},  # MANAGERS, DIRECTORY_MANAGERS
    Permission.DIRECTORY_RELEASE_DUTY: {OFF, SUP},  # OFFICER_ROLES
    Permission.SUPPORT_ORG_ACT: {ADV},  # ADVOCATES
    Permission.PERFORMANCE_READ_ANY: {PCC, ADM, INS, OFF, SUP, DO},  # performance OVERSIGHT_ROLES
    Permission.USER_ADMIN: {ADM},
    Permission.HOLD_MANAGE: {ADM, DO},  # retention HOLD_ROLES, web HOLDERS (issue 18)
    Permission.SUBJECT_ACCESS: {DO},  # subject_access SUBJECT_ACCESS_ROLES (issue 18)
    Permission.API_CONTRACT_READ: {OFF, SUP, DO, ADV, PCC, INS, ADM},  # was SIGNED_IN (issue 12)
}


def test_every_permission_is_pinned() -> None:
    assert set(BEFORE) == set(Permission)


@pytest.mark.parametrize("permission", list(Permission))
def test_table_grants_what_the_role_tuples_did(permission: Permission) -> None:
    assert roles_with(permission) == BEFORE[permission]


def test_every_role_has_a_row() -> None:
    assert set(GRANTS) == set(Role)


def test_the_public_and_unknown_roles_hold_nothing() -> None:
    assert not any(allows(None, p) for p in Permission)
    assert not any(allows("burglar", p) for p in Permission)
    assert not Actor.public().can(Permission.REPORT_READ)


def test_demand_raises_the_feature_error() -> None:
    class FeatureError(PermissionDeniedError):
        pass

    demand(Role.admin, Permission.REPORT_ERASE, "erase")
    with pytest.raises(FeatureError, match="officer role may not erase"):
        demand(Role.officer, Permission.REPORT_ERASE, "erase", FeatureError)


def test_system_actor_acts_as_admin_without_an_account() -> None:
    system = Actor.system()
    assert system.can(Permission.DIRECTORY_MANAGE)
    with pytest.raises(PermissionDeniedError):
        _ = system.account_id
