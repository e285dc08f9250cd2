"""Her own view of her report, on the public site, after reference and passphrase.

Signing in binds this browser session to one report id for a short time (session cookie
only, like every public page; "Exit this page" clears it). Every page below reads that id
and nothing else, so no other report can be reached. She sees the status, the officers'
updates written for her, her Victims' Code rights, her consents (each can be withdrawn), and
every share decision about her with its ledger inclusion proof and the signed checkpoint,
which `/static/js/verify-proof.js` checks in her browser. Her sealed answers need the
passphrase again, shown in that one response only.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from safeshare.ledger import evidence
from safeshare.ledger.startup import ledger_verifier
from safeshare.policy import victim as decisions
from safeshare.policy.engine import CategoryState
from safeshare.policy.schemas import Agency, Category, Purpose
from safeshare.reporting import service as reporting
from safeshare.reporting import victim_view
from safeshare.reporting.errors import ReportNotFoundError
from safeshare.reporting.schemas import PASSPHRASE_MAX_CHARS
from safeshare.reporting.vocabulary import (
    CaseStatus,
    ConsentPurpose,
    RightStatus,
    SealedField,
    VictimsCodeRight,
)
from safeshare.web.concurrency import HashingSlot
from safeshare.web.deps import AppSettings, DbSession, PublicActor, key_provider
from safeshare.web.forms import form_values
from safeshare.web.i18n import DATE_LOCALES, N_, Translator, translator
from safeshare.web.pages import public_page, too_many
from safeshare.web.public_form import (
    REFERENCE_MISSING,
    RETURN_FAILED,
    RETURN_PASSPHRASE_MISSING,
)
from safeshare.web.ratelimit import throttled_attempt

router = APIRouter()

SIGN_IN, VIEW = "/report/view", "/report/view/report"
VIEW_SESSION = "victim_view"
VIEW_SECONDS = 20 * 60  # then she signs in again: a shared device is not left open for long
REFERENCE_MAX_CHARS = 30

# Her view's own wording (translated on the page); staff labels are in each feature's
# vocabulary. An erased report has no view, so `erased` is not said to her.
STATUS_LABELS: Mapping[CaseStatus, str] = {
    CaseStatus.new: N_("Received, not yet assigned"),
    CaseStatus.under_investigation: N_("Being investigated"),
    CaseStatus.charged: N_("Someone has been charged"),
    CaseStatus.no_further_action: N_("No further action"),
    CaseStatus.closed: N_("Closed"),
}
AGENCY_LABELS: Mapping[Agency, str] = {
    Agency.immigration_enforcement: N_("Home Office Immigration Enforcement"),
    Agency.police: N_("The police"),
    Agency.local_authority: N_("The local council"),
    Agency.health: N_("A health service"),
    Agency.support_org: N_("A support organisation"),
    Agency.immigration_adviser: N_("A regulated immigration adviser"),
    Agency.other: N_("Another organisation"),
}
PURPOSE_LABELS: Mapping[Purpose, str] = {
    Purpose.immigration_enforcement: N_("to enforce immigration rules"),
    Purpose.criminal_investigation: N_("to investigate a crime"),
    Purpose.safeguarding: N_("to keep someone safe from harm"),
    Purpose.victim_support: N_("to support you as a victim"),
    Purpose.regularisation_support: N_("to help you with your immigration status"),
    Purpose.immigration_advice: N_("to give you immigration advice"),
    Purpose.status_check: N_("to check someone's immigration status"),
}
CATEGORY_LABELS: Mapping[Category, str] = {
    Category.identity: N_("Who you are"),
    Category.contact: N_("How to contact you"),
    Category.address: N_("Where you live"),
    Category.nationality: N_("Your nationality"),
    Category.immigration_status: N_("Your immigration status"),
    Category.offence_details: N_("What happened"),
    Category.health: N_("Your health"),
}
STATE_LABELS: Mapping[CategoryState, str] = {
    CategoryState.disclose: N_("Shared"),
    CategoryState.withhold: N_("Not shared"),
    CategoryState.review: N_("Waiting for a trained officer to decide"),
}
RIGHT_STATUS_LABELS: Mapping[RightStatus, str] = {
    RightStatus.pending: N_("Not yet"),
    RightStatus.met: N_("Met"),
    RightStatus.not_applicable: N_("Does not apply"),
}
# The Victims' Code rights, said to her (RIGHT_TITLES are the Code's own, for staff).
RIGHT_LABELS: Mapping[VictimsCodeRight, str] = {
    VictimsCodeRight.understand_and_be_understood: N_("To understand and be understood"),
    VictimsCodeRight.crime_recorded: N_("To have the crime recorded without unjustified delay"),
    VictimsCodeRight.information_when_reporting: N_(
        "To be given information when you report, including a written acknowledgement"
    ),
    VictimsCodeRight.referral_to_support: N_("To be referred to services that support victims"),
    VictimsCodeRight.compensation_information: N_("To be told about compensation"),
    VictimsCodeRight.investigation_updates: N_(
        "To be told about the investigation and any prosecution"
    ),
    VictimsCodeRight.victim_personal_statement: N_("To make a Victim Personal Statement"),
    VictimsCodeRight.trial_information: N_("To be told about the trial"),
    VictimsCodeRight.outcome_and_appeals: N_("To be told the outcome and about appeals"),
    VictimsCodeRight.expenses_and_property: N_(
        "To be paid expenses and have your property returned"
    ),
    VictimsCodeRight.offender_information: N_("To be told about the offender"),
    VictimsCodeRight.complaint: N_("To complain if your rights are not met"),
}
CONSENT_LABELS: Mapping[ConsentPurpose, str] = {
    ConsentPurpose.victim_support: N_("To be referred to a support organisation"),
    ConsentPurpose.police_contact: N_("For the police to contact you"),
    ConsentPurpose.regularisation_support: N_("To get help with your immigration status"),
    ConsentPurpose.immigration_advice: N_("To share with a regulated immigration adviser"),
    ConsentPurpose.share_with_agency: N_("To share with a named organisation"),
}
# Only the answers she can see again (`victim_view.OWN_SEALED_FIELDS`).
SEALED_LABELS: Mapping[SealedField, str] = {
    SealedField.name: N_("Name"),
    SealedField.contact_details: N_("Contact details"),
    SealedField.safe_contact: N_("When and how it is safe to contact you"),
    SealedField.nationality: N_("Nationality"),
    SealedField.immigration_status: N_("Immigration status"),
    SealedField.language_needs: N_("Language needs"),
    SealedField.account: N_("What happened"),
}


def _viewing(request: Request) -> int | None:
    """The report this session may view, or None (never signed in, or too long ago)."""
    held = request.session.get(VIEW_SESSION)
    if not isinstance(held, dict) or not isinstance(held.get("report_id"), int):
        return None
    if time.time() - float(held.get("at", 0)) > VIEW_SECONDS:
        request.session.pop(VIEW_SESSION, None)
        return None
    report_id: int = held["report_id"]
    return report_id


def _signed_out() -> Response:
    return RedirectResponse(f"{SIGN_IN}?expired=1", status_code=303)


def _sign_in_page(
    request: Request, _: Translator, reference: str = "", errors: dict[str, str] | None = None
) -> Response:
    return public_page(
        request,
        _,
        "public_report/view_sign_in.html",
        {
            "reference": reference,
            "expired": request.query_params.get("expired") == "1",
            "back_href": "/report",
        },
        errors=errors,
        status_code=400 if errors else 200,
    )


@router.get("/report/view")
def sign_in_page(request: Request, _principal: PublicActor) -> Response:
    return _sign_in_page(request, translator(request))


@router.post("/report/view")
async def sign_in(
    request: Request,
    _hashing: HashingSlot,
    db: DbSession,
    settings: AppSettings,
    _principal: PublicActor,
) -> Response:
    """Reference and passphrase open her view; every failure looks the same."""
    _ = translator(request)
    values = form_values(await request.form())
    reference = str(values.get("reference", "")).strip()[:REFERENCE_MAX_CHARS]
    passphrase = values.get("passphrase", "")
    errors: dict[str, str] = {}
    if not reference:
        errors["reference"] = _(REFERENCE_MISSING)
    if not isinstance(passphrase, str) or not passphrase.strip():
        errors["passphrase"] = _(RETURN_PASSPHRASE_MISSING)
    if errors:
        return _sign_in_page(request, _, reference, errors)
    assert isinstance(passphrase, str)
    report_id, wait = await throttled_attempt(
        request,
        "anonymous_return",
        db,
        subject=reference.upper(),
        attempt=lambda: reporting.verify_anonymous_reporter(
            db,
            reference=reference,
            passphrase=passphrase[:PASSPHRASE_MAX_CHARS],
            config=settings.reporting,
        ),
    )
    if wait is not None:
        return too_many(request, _, wait)
    if report_id is None:
        minutes = math.ceil(settings.login_max_wait_seconds / 60)
        return _sign_in_page(
            request, _, reference, {"reference": _(RETURN_FAILED, minutes=minutes)}
        )
    request.session[VIEW_SESSION] = {"report_id": report_id, "at": time.time()}
    return RedirectResponse(VIEW, status_code=303)


def _when(value: datetime, _: Translator, zone: ZoneInfo) -> str:
    """A date and time in the force's zone, written in the page's language."""
    pattern = "d MMMM yyyy, HH:mm"
    return str(format_datetime(value, format=pattern, tzinfo=zone, locale=DATE_LOCALES[_.lang]))


def _day(value: date, _: Translator, zone: ZoneInfo) -> str:
    """A date (an instant's date in the force's zone), written in the page's language."""
    if isinstance(value, datetime):
        value = value.astimezone(zone).date()
    return str(format_date(value, format="long", locale=DATE_LOCALES[_.lang]))


def _decision_rows(
    found: list[decisions.DecisionForVictim], _: Translator, zone: ZoneInfo
) -> list[dict[str, Any]]:
    rows = []
    for d in found:
        ev = d.evidence
        rows.append(
            {
                "id": d.decision_id,
                "when": _when(d.requested_at, _, zone),
                "who": _(AGENCY_LABELS[d.agency]),
                "why": _(PURPOSE_LABELS[d.purpose]),
                "categories": [
                    {
                        "name": _(CATEGORY_LABELS[c.category]),
                        "state": c.state,
                        "state_label": _(STATE_LABELS[c.state]),
                        "reasons": c.reasons,
                        "by_officer": c.is_ruled_by_officer,
                    }
                    for c in d.categories
                ],
                "pending": d.is_review_pending,
                "covered": d.is_covered,
                "entry": ev.entry["canonical"] if ev else None,
                "leaf_index": ev.proof["leaf_index"] if ev else None,
                "tree_size": ev.proof["tree_size"] if ev else None,
                "audit_path": ",".join(ev.proof["audit_path"]) if ev else "",
                "leaf_hash": ev.proof["leaf_hash"] if ev else None,
            }
        )
    return rows


@router.get("/report/view/report")
def view(
    request: Request, db: DbSession, settings: AppSettings, _principal: PublicActor
) -> Response:
    """Her report, rights, consents and every decision about her, with proofs."""
    _ = translator(request)
    report_id = _viewing(request)
    if report_id is None:
        return _signed_out()
    try:
        mine = victim_view.victim_report(db, report_id=report_id, provider=key_provider(request))
    except ReportNotFoundError:  # erased since she signed in
        request.session.pop(VIEW_SESSION, None)
        return _signed_out()
    verifier, origin = ledger_verifier(settings), settings.ledger_origin
    zone = settings.zone
    found = decisions.decisions_about_report(
        db, reference=mine.reference, verifier=verifier, origin=origin
    )
    latest = next((d.evidence.checkpoint for d in found if d.evidence and d.is_covered), None)
    return public_page(
        request,
        _,
        "public_report/view.html",
        {
            "report": mine,
            "status": _(STATUS_LABELS[mine.status]),
            "reported_on": _day(mine.reported_at, _, zone),
            "updates": [
                {
                    "when": _when(u.created_at, _, zone),
                    "text": u.text,
                    "status": _(STATUS_LABELS[new])
                    if (new := u.new_status) is not None and new in STATUS_LABELS
                    else None,
                }
                for u in mine.updates
            ],
            "rights": [
                {
                    "title": _(RIGHT_LABELS[r.right]),
                    "status": r.status,
                    "status_label": _(RIGHT_STATUS_LABELS[r.status]),
                    "due": _day(r.due_on, _, zone) if r.due_on else None,
                    "met": _day(r.met_at, _, zone) if r.met_at else None,
                }
                for r in mine.rights
            ],
            "consents": [
                {
                    "id": c.id,
                    "label": _(CONSENT_LABELS[c.purpose]),
                    "agency": c.agency_name,
                    "given": _day(c.recorded_at, _, zone),
                    "withdrawn": _day(c.withdrawn_at, _, zone) if c.withdrawn_at else None,
                }
                for c in mine.consents
            ],
            "decisions": _decision_rows(found, _, zone),
            "checkpoint_note": latest.note if latest else None,
            "public_key": evidence.public_key_document(verifier, origin=origin),
            "withdrawn": request.query_params.get("withdrawn") == "1",
        },
    )


@router.post("/report/view/consents/{consent_id}/withdraw")
def withdraw_consent(
    request: Request, db: DbSession, consent_id: int, _principal: PublicActor
) -> Response:
    """Withdraw one of her consents; it applies to the next share decision about her."""
    report_id = _viewing(request)
    if report_id is None:
        return _signed_out()
    victim_view.withdraw_own_consent(db, report_id=report_id, consent_id=consent_id)
    return RedirectResponse(f"{VIEW}?withdrawn=1#consents", status_code=303)


@router.get("/report/view/proofs.zip")
def proof_bundle(
    request: Request, db: DbSession, settings: AppSettings, _principal: PublicActor
) -> Response:
    """The decisions' inclusion proofs as a file `safeshare-verify` checks offline."""
    report_id = _viewing(request)
    if report_id is None:
        return _signed_out()
    mine = victim_view.victim_report(db, report_id=report_id, provider=key_provider(request))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "safeshare-proofs.zip"
        decisions.write_proof_bundle(
            db,
            reference=mine.reference,
            out=out,
            verifier=ledger_verifier(settings),
            origin=settings.ledger_origin,
        )
        body = out.read_bytes()
    return Response(
        body,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="safeshare-proofs.zip"'},
    )


def _answers_page(
    request: Request,
    _: Translator,
    answers: dict[SealedField, str] | None,
    errors: dict[str, str] | None = None,
) -> Response:
    return public_page(
        request,
        _,
        "public_report/view_answers.html",
        {
            "answers": [
                {"label": _(SEALED_LABELS[f]), "value": v} for f, v in (answers or {}).items()
            ],
            "shown": answers is not None,
            "back_href": VIEW,
        },
        errors=errors,
        status_code=400 if errors else 200,
    )


@router.get("/report/view/answers")
def answers_page(request: Request, _principal: PublicActor) -> Response:
    if _viewing(request) is None:
        return _signed_out()
    return _answers_page(request, translator(request), None)


@router.post("/report/view/answers")
async def show_answers(
    request: Request,
    _hashing: HashingSlot,
    db: DbSession,
    settings: AppSettings,
    _principal: PublicActor,
) -> Response:
    """Her sealed answers, after the passphrase again, in this response only."""
    _ = translator(request)
    report_id = _viewing(request)
    if report_id is None:
        return _signed_out()
    passphrase = form_values(await request.form()).get("passphrase", "")
    if not isinstance(passphrase, str) or not passphrase.strip():
        return _answers_page(request, _, None, {"passphrase": _(RETURN_PASSPHRASE_MISSING)})
    answers, wait = await throttled_attempt(
        request,
        "anonymous_return",
        db,
        subject=f"report:{report_id}",
        attempt=lambda: victim_view.reveal_own_answers(
            db,
            report_id=report_id,
            passphrase=passphrase[:PASSPHRASE_MAX_CHARS],
            provider=key_provider(request),
            config=settings.reporting,
        ),
    )
    if wait is not None:
        return too_many(request, _, wait)
    if answers is None:
        return _answers_page(request, _, None, {"passphrase": _(PASSPHRASE_WRONG)})
    return _answers_page(request, _, answers)


PASSPHRASE_WRONG = N_("That is not the passphrase for this report")


@router.post("/report/view/sign-out")
def sign_out(request: Request, _principal: PublicActor) -> Response:
    request.session.pop(VIEW_SESSION, None)
    return RedirectResponse(f"{SIGN_IN}?signed_out=1", status_code=303)
