"""Staff reporting pages and API: take a report, list and search, the report page with
audited "Show" for sealed details, updates, consents, Victims' Code rights and the
supervisor's due-dates dashboard, erasure, subject facts and access to sealed fields.

Every page works without JavaScript: searches are GET forms, actions POST forms that
redirect (303) to the report page. An advocate sees only the reports their organisation
made; for anyone else's, every route answers 404, as for a report that does not exist.

One route module per noun, each with its own router; `router` includes them all, in the
order the app matches them, and the app includes it (with `NAV_ITEMS`). What they share
(who may use them, the acting user, page helpers) is `_common`, and the forms, their
messages and the labels are `_forms`; no route module here imports another.
"""

from __future__ import annotations

from fastapi import APIRouter

from safeshare.auth.permissions import Permission
from safeshare.web.navigation import NavItem
from safeshare.web.routes.reporting import (
    access,
    api,
    consents,
    erase,
    facts,
    reports,
    rights,
    updates,
)

router = APIRouter()
for module in (reports, updates, consents, rights, erase, facts, api, access):
    router.include_router(module.router)

NAV_ITEMS: list[NavItem] = [
    NavItem("Reports", "/reports", Permission.REPORT_READ),
    NavItem("Victims' Code due dates", "/victims-code", Permission.RIGHTS_DASHBOARD),
    NavItem("Erase a report", "/admin/erase-report", Permission.REPORT_ERASE),
    NavItem("Access requests and alerts", "/access", Permission.ACCESS_ALERTS_READ),
]
