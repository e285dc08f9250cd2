"""Compare the active regime with another: every kind of request they would decide differently."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from safeshare.auth.permissions import Actor, Permission
from safeshare.auth.roles import Role
from safeshare.policy import comparison
from safeshare.policy import service as policy_service
from safeshare.web.access import DbSession, require
from safeshare.web.navigation import NavItem
from safeshare.web.pages import Pages

router = APIRouter()
PAGES = Pages("policy", "policy_compare_flash")

NAV_ITEMS: list[NavItem] = [
    NavItem(
        "Compare regimes",
        "/policy/regimes/compare",
        Permission.REGIME_COMPARE,
        only=frozenset({Role.pcc_analyst}),  # others reach it from the regime pages
    ),
]
Comparers = Annotated[Actor, Depends(require(Permission.REGIME_COMPARE))]
RegimeName = Annotated[str | None, Query(alias="with", max_length=64)]


@router.get("/policy/regimes/compare")
def compare_page(
    request: Request, db: DbSession, _principal: Comparers, other: RegimeName = None
) -> Response:
    """Pick a regime; see exactly which requests it would decide differently from the active one."""
    overview = policy_service.regime_overview(db)
    names = [r.name for r in overview.regimes]
    alternatives = [r for r in overview.regimes if r.name != overview.active]
    chosen = other if other in names and other != overview.active else None
    error = None
    if other is not None and chosen is None:
        error = "Select a regime other than the active one"
    result = comparison.compare_with_active(db, other=chosen) if chosen else None
    return PAGES.page(
        request,
        "compare.html",
        {
            "overview": overview,
            "options": [
                {"value": r.name, "text": f"{r.title} ({r.name})", "hint": {"text": r.summary}}
                for r in alternatives
            ],
            "chosen": chosen,
            "result": result,
            "error": error,
            "error_list": [{"text": error, "href": "#with"}] if error else [],
        },
        status_code=400 if error else 200,
    )
