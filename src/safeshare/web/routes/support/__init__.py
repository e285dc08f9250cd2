"""Support pages and API: find support, refer, advocate inbox, capacity, releases.

Every page works without JavaScript: searches are GET forms, actions are POST forms that
redirect (303) to a page showing the result. Figures for vacancies are flagged stale after
the configured age, and performance figures are suppressed for everyone but the service's
own advocates, under the configured small-count threshold.

One route module per noun, each with its own router; `router` includes them all, in the
order the app matches them, and the app includes it (with `NAV_ITEMS`). What they share
(who may use them, labels, page helpers) is `_common`; no route module here imports another.
"""

from __future__ import annotations

from fastapi import APIRouter

from safeshare.auth.permissions import Permission
from safeshare.auth.roles import Role
from safeshare.web.navigation import NavItem
from safeshare.web.routes.support import (
    api,
    capacity,
    directory,
    find,
    performance,
    referrals,
    releases,
)

router = APIRouter()
for module in (find, referrals, capacity, directory, releases, performance, api):
    router.include_router(module.router)

# Who uses what (issue 7). Referring asks the Firewall (REFER_THROUGH_FIREWALL: officers and
# disclosure officers); supervisors find support and read directory releases (SUPPORT_FIND).
NAV_ITEMS: list[NavItem] = [
    NavItem("Find support", "/support/find", Permission.SUPPORT_FIND),
    NavItem("Directory updates", "/support/releases", Permission.SUPPORT_FIND),
    NavItem("Referrals", "/support/referrals", Permission.SUPPORT_ORG_ACT),
    NavItem("Refuge vacancies", "/support/capacity", Permission.SUPPORT_ORG_ACT),
    NavItem("Support directory", "/support/directory", Permission.DIRECTORY_MANAGE),
    NavItem(
        "Service performance",
        "/support/performance",
        None,
        # Police roles reach a service's figures from its page; the table is for the rest.
        only=frozenset({Role.advocate, Role.pcc_analyst, Role.admin, Role.inspector}),
    ),
]
