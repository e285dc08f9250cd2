"""Legal holds and restrictions of processing: administrators and disclosure officers see,
set and lift them. The retention run itself is `safeshare retention run` and the job in
`serve`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, StringConstraints
from starlette.responses import Response

from safeshare.auth.permissions import Actor, Permission
from safeshare.errors import SafeShareError
from safeshare.holds import service as holds
from safeshare.holds.vocabulary import HOLD_NAMES, HoldKind
from safeshare.web.deps import DbSession, posted_form, require
from safeshare.web.forms import FormErrors, validate_form
from safeshare.web.navigation import NavItem
from safeshare.web.pages import Pages

router = APIRouter()

NAV_ITEMS: list[NavItem] = [
    NavItem("Holds and restrictions", "/retention/holds", Permission.HOLD_MANAGE)
]
Holders = Annotated[Actor, Depends(require(Permission.HOLD_MANAGE))]
PAGES = Pages("retention", "retention_flash", {"hold_names": HOLD_NAMES})
PAGE = "/retention/holds"

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class HoldForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    report_ref: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)
    ]
    kind: HoldKind
    reason: Reason


class LiftForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    lift_reason: Reason


HOLD_MESSAGES = {
    "report_ref": "Enter the report reference, for example SS-7K4MQ-2XD9B",
    "kind": "Select whether to hold the records or restrict their processing",
    "reason": "Enter why the records must be kept, in 2,000 characters or fewer",
}
LIFT_MESSAGES = {"lift_reason": "Enter why the hold is lifted, in 2,000 characters or fewer"}


def _holds_page(
    request: Request,
    db: DbSession,
    *,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    lifting: int | None = None,
    status_code: int = 200,
) -> Response:
    return PAGES.page(
        request,
        "holds.html",
        {
            "holds": holds.list_holds(db, include_lifted=True),
            "values": values or {},
            "errors": errors or {},
            "lifting": lifting,
        },
        status_code=status_code,
    )


@router.get(PAGE)
def holds_page(request: Request, db: DbSession, _principal: Holders) -> Response:
    """Legal holds, active first, and the form to set one."""
    return _holds_page(request, db)


@router.post(PAGE)
async def set_hold(request: Request, db: DbSession, principal: Holders) -> Response:
    """Put a report's records under a legal hold (recorded, ledgered by reference)."""
    values = await posted_form(request)
    form, errors = validate_form(HoldForm, values, HOLD_MESSAGES)
    if form is not None:
        try:
            holds.set_hold(
                db,
                report_ref=form.report_ref,
                reason=form.reason,
                actor=principal.username,
                actor_role=principal.role,
                kind=form.kind,
            )
        except SafeShareError as exc:
            if exc.field not in HOLD_MESSAGES:
                raise
            errors = {exc.field: exc.message}
        else:
            return PAGES.redirect(request, PAGE, "The hold has been set.")
    return _holds_page(request, db, values=values, errors=errors, status_code=400)


@router.post("/retention/holds/{hold_id}/lift")
async def lift_hold(request: Request, hold_id: int, db: DbSession, principal: Holders) -> Response:
    """Lift a legal hold, with the reason; the next retention run may act again."""
    values = await posted_form(request)
    form, errors = validate_form(LiftForm, values, LIFT_MESSAGES)
    if form is not None:
        holds.lift_hold(
            db,
            hold_id=hold_id,
            reason=form.lift_reason,
            actor=principal.username,
            actor_role=principal.role,
        )
        return PAGES.redirect(request, PAGE, "The hold has been lifted.")
    shown = {f"lift_reason_{hold_id}": values.get("lift_reason")}
    errors = {f"lift_reason_{hold_id}": text for text in errors.values()}
    return _holds_page(request, db, values=shown, errors=errors, status_code=400)
