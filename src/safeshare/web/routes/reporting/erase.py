"""The administrators' erasure page: a reference and a reason, a confirmation step, then
crypto-shredding; old key-encryption keys are retired in a later unit of work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.background import BackgroundTask
from starlette.responses import Response

from safeshare.auth.permissions import Actor
from safeshare.db.base import utcnow
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import ReportRead
from safeshare.runtime import Runtime
from safeshare.vault import service as vault
from safeshare.vault.keys import KeyProvider
from safeshare.web.access import DbSession, StepUp
from safeshare.web.routes.reporting import _common as common
from safeshare.web.routes.reporting import _forms as forms
from safeshare.web.routes.reporting._common import FLASH_KEY, Eraser
from safeshare.web.routes.reporting._forms import Problems

log = logging.getLogger("safeshare.web.reporting")

router = APIRouter()


def _erase_page(
    request: Request,
    values: Mapping[str, Any],
    *,
    problems: Problems | None = None,
    status_code: int = 200,
) -> Response:
    return common.page(
        request,
        "erase.html",
        {"values": values},
        problems=problems,
        order=("reference", "reason"),
        status_code=status_code,
    )


def _erasable(
    db: DbSession, principal: Actor, reference: str, problems: Problems
) -> ReportRead | None:
    report_id = reporting.find_report_id(db, reference=reference)
    report = (
        reporting.get_report(db, report_id=report_id, actor=common.actor(principal))
        if report_id is not None
        else None
    )
    if report is None:
        problems.add("reference", "There is no report with that reference")
    elif report.erased_at is not None:
        problems.add("reference", "That report has already been erased")
    return report if not problems else None


@router.get("/admin/erase-report")
def erase_form(request: Request, _principal: Eraser) -> Response:
    """Start erasing a report: its reference and why."""
    return _erase_page(request, {})


@router.post("/admin/erase-report")
async def erase_check(request: Request, db: DbSession, principal: Eraser) -> Response:
    """Check the reference and reason, then ask for confirmation."""
    values = await common.posted_form(request)
    reference, reason, problems = forms.parse_erase_form(values)
    report = _erasable(db, principal, reference, problems) if not problems else None
    if report is None:
        shown = {"reference": reference, "reason": reason}
        return _erase_page(request, shown, problems=problems, status_code=400)
    return common.page(request, "erase_confirm.html", {"report": report, "reason": reason})


def retire_keys_after_erasure(
    runtime: Runtime, provider: KeyProvider, *, actor: str, grace: timedelta
) -> None:
    """The erasure's second unit of work: once the current KEK is `grace` old, destroy the
    old KEKs nothing uses any more, so backups holding the erased report's old wrapped
    data key can no longer be opened (as `safeshare reports erase` does).

    Runs as a background task: after the request's own session has committed the erasure
    and the rotation (`retire_unused_keys` refuses inside that transaction), and after the
    response has gone, so the administrator does not wait out the grace period.
    """
    created = provider.key_created_at(provider.current_key_id())
    remaining = (created + grace - utcnow()).total_seconds() if created else 0.0
    if remaining > 0:
        time.sleep(remaining)
    try:
        with runtime.session() as session:
            retired = vault.retire_unused_keys(session, provider=provider, actor=actor, grace=grace)
    except Exception as exc:  # nothing to show anyone now: log the type only, never a message
        log.error("retiring keys after an erasure failed: %s", type(exc).__name__)
        return
    log.info("retired %d key-encryption key(s) after an erasure", len(retired))


@router.post("/admin/erase-report/confirm")
async def erase_confirm(
    request: Request, db: DbSession, principal: Eraser, _fresh: Annotated[None, StepUp]
) -> Response:
    """Erase (crypto-shred) the report; old keys are retired in a later unit of work."""
    values = await common.posted_form(request)
    reference, reason, problems = forms.parse_erase_form(values)
    report = _erasable(db, principal, reference, problems) if not problems else None
    if report is None:
        shown = {"reference": reference, "reason": reason}
        return _erase_page(request, shown, problems=problems, status_code=400)
    provider = common.key_provider(request)
    result = reporting.erase_report(
        db,
        reference=report.reference,
        actor=common.actor(principal),
        reason=reason,
        provider=provider,
        config=common.config(request),
    )
    request.session[FLASH_KEY] = (
        f"Report {result.reference} has been erased. Its sealed details can no longer be read."
    )
    response = RedirectResponse("/admin/erase-report", status_code=303)
    if result.rotated_key_id is not None:
        # The request's session commits when this handler returns, before the response is
        # sent; the background task then runs in its own unit of work.
        response.background = BackgroundTask(
            retire_keys_after_erasure,
            request.app.state.runtime,
            provider,
            actor=principal.username,
            grace=common.settings(request).vault.retire_grace,
        )
    return response
