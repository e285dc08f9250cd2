"""Refer a report to a service through the Firewall, and the advocate's referrals inbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.responses import Response

from safeshare.auth.permissions import Actor
from safeshare.errors import InvalidInputError
from safeshare.oversight import feedback
from safeshare.oversight.vocabulary import FEEDBACK_ANSWER_LABELS
from safeshare.support import service as support
from safeshare.support.errors import (
    ConsentRequiredError,
    DuplicateReferralError,
    InvalidSupportInputError,
    ReferralStateError,
)
from safeshare.support.vocabulary import OPEN_STATUSES, DeclineReason, ReferralOutcome, ServiceType
from safeshare.web.access import DbSession
from safeshare.web.deps import SEALED_READ_TAG, key_provider, reporting_config
from safeshare.web.forms import FormErrors, errors_from, form_values
from safeshare.web.routes.support._common import (
    Advocate,
    Referrer,
    _many,
    _one,
    _page,
    _redirect,
    _settings,
    _stale_after,
)

router = APIRouter()

DETAILS_REASON = "details_reason"


# --- refer ---------------------------------------------------------------------------------------


class ReferForm(BaseModel):
    service_id: int
    reference: str = Field(min_length=1, max_length=40)
    needs: list[ServiceType] = Field(default_factory=list)
    language: str = Field(default="", max_length=64)
    has_nrpf: bool = False


REFER_MESSAGES = {
    "service_id": "Choose a service from Find support",
    "reference": "Enter the report reference, for example SS-7K4MQ-2XD9B",
    "needs": "Choose the types of support from the list",
    "language": "Enter a language in 64 characters or fewer",
}


def _refer_page(
    request: Request,
    db: DbSession,
    values: Mapping[str, Any],
    *,
    errors: FormErrors | None = None,
    title: str | None = None,
    status_code: int = 200,
) -> Response:
    service_id = int(values["service_id"])
    service = support.get_service_or_raise(db, service_id=service_id)
    return _page(
        request,
        "refer.html",
        {
            "service": support.service_read(service, stale_after=_stale_after(request)),
            "values": values,
            "errors": errors or {},
            "error_summary_title": title,
        },
        status_code=status_code,
    )


@router.get("/support/refer")
def refer_form(request: Request, db: DbSession, _principal: Referrer) -> Response:
    params = request.query_params
    service = params.get("service", "")
    if not service.isdigit():
        return RedirectResponse("/support/find", status_code=303)
    need = params.get("need", "")
    values = {
        "service_id": service,
        "reference": params.get("report", "")[:40],
        "needs": [need] if need in set(ServiceType) else [],
        "language": params.get("language", "")[:64],
        "has_nrpf": "yes" if params.get("nrpf") == "yes" else "",
    }
    return _refer_page(request, db, values)


@router.post("/support/refer")
async def refer_submit(request: Request, db: DbSession, principal: Referrer) -> Response:
    values = form_values(await request.form())
    values = {
        "service_id": _one(values, "service_id"),
        "reference": _one(values, "reference")[:40],
        "needs": _many(values, "needs"),
        "language": _one(values, "language")[:64],
        "has_nrpf": _one(values, "has_nrpf"),
    }
    if not str(values["service_id"]).isdigit():
        return RedirectResponse("/support/find", status_code=303)
    try:
        form = ReferForm.model_validate({**values, "has_nrpf": values["has_nrpf"] == "yes"})
    except ValidationError as exc:
        errors = errors_from(exc, REFER_MESSAGES, default_field="reference")
        return _refer_page(request, db, values, errors=errors, status_code=400)
    try:
        attempt = support.refer_report(
            db,
            actor=principal,
            reference=form.reference,
            service_id=form.service_id,
            needs=form.needs,
            language=form.language.strip() or None,
            has_nrpf=form.has_nrpf,
            force=_settings(request).force_name,
        )
    except ConsentRequiredError as exc:
        return _refer_page(
            request,
            db,
            values,
            errors={"reference": exc.message},
            title="The referral was not made",
            status_code=403,
        )
    except DuplicateReferralError as exc:
        return _refer_page(
            request,
            db,
            values,
            errors={"reference": exc.message},
            title="The referral was not made",
            status_code=409,
        )
    except InvalidSupportInputError as exc:
        field = exc.field if exc.field in ("reference", "needs", "language") else "reference"
        return _refer_page(request, db, values, errors={field: exc.message}, status_code=400)
    return RedirectResponse(f"/support/refer/decisions/{attempt.decision_id}", status_code=303)


@router.get("/support/refer/decisions/{decision_id}")
def refer_result(
    request: Request, db: DbSession, principal: Referrer, decision_id: int
) -> Response:
    attempt = support.referral_attempt(db, actor=principal, decision_id=decision_id)
    referral = support.referral_read(attempt.referral) if attempt.referral else None
    return _page(request, "refer_result.html", {"attempt": attempt, "referral": referral})


# --- the advocate's inbox ------------------------------------------------------------------------


@router.get("/support/referrals")
def referral_inbox(request: Request, db: DbSession, principal: Advocate) -> Response:
    referrals = (
        []
        if principal.organisation_id is None
        else [
            support.referral_read(r)
            for r in support.list_referrals_for_organisation(
                db, organisation_id=principal.organisation_id
            )
        ]
    )
    return _page(
        request,
        "inbox.html",
        {
            "open": [r for r in referrals if r.status in OPEN_STATUSES],
            "finished": [r for r in referrals if r.status not in OPEN_STATUSES],
        },
    )


def _referral_page(
    request: Request,
    db: DbSession,
    principal: Actor,
    referral_id: int,
    *,
    errors: FormErrors | None = None,
    status_code: int = 200,
    details_reason: str = "",
    revealed: Mapping[str, str | None] | None = None,
) -> Response:
    referral = support.get_referral_for_organisation_or_raise(
        db, actor=principal, referral_id=referral_id
    )
    return _page(
        request,
        "referral.html",
        {
            "referral": support.referral_read(referral),
            "feedback": feedback.referral_feedback(db, referral_id=referral.id),
            "feedback_answers": FEEDBACK_ANSWER_LABELS,
            "errors": errors or {},
            "details_reason": details_reason,
            "revealed": revealed,
        },
        status_code=status_code,
    )


@router.get("/support/referrals/{referral_id}")
def referral_detail(
    request: Request, db: DbSession, principal: Advocate, referral_id: int
) -> Response:
    return _referral_page(request, db, principal, referral_id)


@router.post("/support/referrals/{referral_id}/accept")
def referral_accept(
    request: Request, db: DbSession, principal: Advocate, referral_id: int
) -> Response:
    support.accept_referral(db, actor=principal, referral_id=referral_id)
    return _redirect(request, f"/support/referrals/{referral_id}", "You accepted the referral.")


@router.post("/support/referrals/{referral_id}/decline")
async def referral_decline(
    request: Request, db: DbSession, principal: Advocate, referral_id: int
) -> Response:
    support.get_referral_for_organisation_or_raise(db, actor=principal, referral_id=referral_id)
    reason = _one(form_values(await request.form()), "reason")
    if reason not in set(DeclineReason):
        errors = {"reason": "Choose why you cannot take this referral"}
        return _referral_page(request, db, principal, referral_id, errors=errors, status_code=400)
    support.decline_referral(
        db, actor=principal, referral_id=referral_id, reason=DeclineReason(reason)
    )
    return _redirect(request, f"/support/referrals/{referral_id}", "You declined the referral.")


@router.post("/support/referrals/{referral_id}/outcome")
async def referral_outcome(
    request: Request, db: DbSession, principal: Advocate, referral_id: int
) -> Response:
    support.get_referral_for_organisation_or_raise(db, actor=principal, referral_id=referral_id)
    outcome = _one(form_values(await request.form()), "outcome")
    if outcome not in set(ReferralOutcome):
        errors = {"outcome": "Choose what happened"}
        return _referral_page(request, db, principal, referral_id, errors=errors, status_code=400)
    support.record_outcome(
        db, actor=principal, referral_id=referral_id, outcome=ReferralOutcome(outcome)
    )
    return _redirect(request, f"/support/referrals/{referral_id}", "You recorded the outcome.")


@router.post("/support/referrals/{referral_id}/feedback")
async def referral_feedback_save(
    request: Request, db: DbSession, principal: Advocate, referral_id: int
) -> Response:
    """Was the referral safe for the victim, and did it help: optional, changeable."""
    values = form_values(await request.form())
    feedback.record_referral_feedback(
        db,
        actor=principal,
        referral_id=referral_id,
        felt_safe=feedback.parse_answer(_one(values, "felt_safe")),
        was_helpful=feedback.parse_answer(_one(values, "was_helpful")),
    )
    return _redirect(request, f"/support/referrals/{referral_id}", "You saved your feedback.")


@router.post("/support/referrals/{referral_id}/details", tags=[SEALED_READ_TAG])
async def referral_show_details(
    request: Request, db: DbSession, principal: Advocate, referral_id: int
) -> Response:
    """Show the victim's details the Firewall allowed, in this response only; each field read
    is recorded (vault.read, then the ledger) with the advocate's reason."""
    support.get_referral_for_organisation_or_raise(db, actor=principal, referral_id=referral_id)
    reason = _one(form_values(await request.form()), DETAILS_REASON)[:600]
    if not reason.strip():
        errors = {DETAILS_REASON: "Enter why you need to see the victim's details"}
        return _referral_page(request, db, principal, referral_id, errors=errors, status_code=400)
    try:
        revealed = support.reveal_referred_fields(
            db,
            referral_id=referral_id,
            actor=principal,
            reason=reason,
            provider=key_provider(request),
            config=reporting_config(request),
        )
    except (InvalidInputError, ConsentRequiredError, ReferralStateError) as exc:
        return _referral_page(
            request,
            db,
            principal,
            referral_id,
            errors={DETAILS_REASON: exc.message},
            details_reason=reason,
            status_code=400 if isinstance(exc, InvalidInputError) else exc.status,
        )
    shown = {str(field): value for field, value in revealed.items()}
    return _referral_page(
        request, db, principal, referral_id, details_reason=reason, revealed=shown
    )
