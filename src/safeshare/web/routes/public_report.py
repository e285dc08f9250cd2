"""The public online report (no sign-in) and the anonymous reporter's return visits.

One question per page (GOV.UK question pages), then "Check your answers", then a
confirmation with the reference. Answering "no" to giving a name and contact details makes
the report anonymous: after checking their answers the reporter chooses a passphrase (so it
is never kept in a draft) and can come back at /report/return with reference and passphrase.

Answers between steps live in an encrypted server-side draft whose key is in the session
(`safeshare.reporting.drafts`); nothing typed ever goes in the signed-but-readable cookie.
Pages are in English and Spanish (`safeshare.web.i18n`). Posts that cost or can be abused
are rate limited per client (`safeshare.web.ratelimit`): starting a draft, sending a
report and each return-visit attempt. Saving a step of an existing draft is not counted:
it only rewrites that one size-limited draft, and people at a shared address (a refuge, an
advocate's office) going back to change answers must not be locked out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from babel import Locale
from babel.dates import format_date
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from safeshare.auth.permissions import Actor
from safeshare.config import Settings
from safeshare.errors import InvalidInputError
from safeshare.oversight import feedback
from safeshare.policy import notice
from safeshare.policy.schemas import ReasonEffect
from safeshare.reporting import drafts
from safeshare.reporting import service as reporting
from safeshare.reporting.drafts import Answers, DraftHandle
from safeshare.reporting.schemas import AnonymousReportCreate, PublicReportCreate
from safeshare.support import signposting
from safeshare.vault.providers import build_key_provider
from safeshare.web.access import PUBLIC, DbSession
from safeshare.web.concurrency import HashingSlot, in_thread
from safeshare.web.forms import form_values
from safeshare.web.i18n import (
    DATE_LOCALES,
    DEFAULT_LANGUAGE,
    EXIT_URLS,
    N_,
    QUERY_PARAM,
    SESSION_KEY,
    Translator,
    offered_languages,
    translator,
)
from safeshare.web.navigation import NavItem
from safeshare.web.pages import public_page, too_many
from safeshare.web.public_form import (
    ANSWERS_INVALID,
    DECLINED,
    ERROR_ANCHORS,
    IDENTITY,
    NO,
    PASSPHRASE_SHORT,
    RETURN_FAILED,
    STEPS,
    WHAT,
    Step,
    build_payload,
    consent_errors,
    first_unanswered,
    flow,
    form_from_answers,
    is_answered,
    parse_return,
    parse_step,
    passphrase_errors,
    prune,
    summary_rows,
    today_in,
)
from safeshare.web.ratelimit import check_public_post, throttled_attempt

router = APIRouter()

# Service navigation entries for this feature, registered by the app factory.
NAV_ITEMS: list[NavItem] = []

Public = Annotated[Actor | None, Depends(PUBLIC)]

START, CHECK = "/report", "/report/check"
PASSPHRASE, CONFIRMATION = "/report/passphrase", "/report/confirmation"
RETURN, RETURN_DONE = "/report/return", "/report/return/done"
DRAFT_SESSION, SENT_SESSION, RETURN_DONE_SESSION = "report_draft", "report_sent", "report_return"
# One optional "was it safe, was it helpful" per report sent, then its thank-you page.
FEEDBACK, FEEDBACK_DONE = "/report/feedback", "/report/feedback/done"
FEEDBACK_SESSION, FEEDBACK_DONE_SESSION = "report_feedback", "report_feedback_done"


# --- page helpers ----------------------------------------------------------------------------


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _page(
    request: Request,
    _: Translator,
    template: str,
    context: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return public_page(
        request, _, template, context, errors=errors, anchors=ERROR_ANCHORS, status_code=status_code
    )


def _redirect(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


@dataclass(frozen=True)
class _Draft:
    handle: DraftHandle | None
    answers: Answers
    expired: bool


def _draft(request: Request, db: DbSession) -> _Draft:
    """This session's draft; `expired` when the session pointed at one that is gone."""
    handle = DraftHandle.from_session(request.session.get(DRAFT_SESSION))
    if handle is None:
        return _Draft(None, {}, expired=DRAFT_SESSION in request.session)
    answers = drafts.load_draft(db, handle=handle)
    if answers is None:
        request.session.pop(DRAFT_SESSION, None)
        return _Draft(None, {}, expired=True)
    return _Draft(handle, answers, expired=False)


def _expired() -> Response:
    return _redirect(f"{START}?expired=1")


def _blocked(step: Step, answers: Answers) -> Response | None:
    """Where to send someone who opens a question they cannot answer yet, or None."""
    steps = flow(answers)
    if step not in steps:
        missing = first_unanswered(answers)
        return _redirect(missing.path if missing else CHECK)
    for earlier in steps[: steps.index(step)]:
        if not is_answered(earlier, answers):
            return _redirect(earlier.path)
    return None


def _next_path(step: Step, answers: Answers, change: bool) -> str:
    missing = first_unanswered(answers)
    if change:
        return f"{missing.path}?change=1" if missing else CHECK
    steps = flow(answers)
    later = steps[steps.index(step) + 1 :]
    return later[0].path if later else (missing.path if missing else CHECK)


def _back_path(step: Step, answers: Answers, change: bool) -> str:
    if change:
        return CHECK
    steps = flow(answers)
    position = steps.index(step)
    return steps[position - 1].path if position else START


def _question_page(
    request: Request,
    _: Translator,
    step: Step,
    answers: Answers,
    values: dict[str, Any],
    *,
    change: bool,
    errors: dict[str, str] | None = None,
) -> Response:
    shown = {k: v if isinstance(v, str) else "" for k, v in values.items()}
    items: list[dict[str, Any]] = []
    for option in step.options:
        if option.label == DECLINED:
            items.append({"divider": _("or")})
        items.append(
            {
                "value": option.value,
                "text": _(option.label),
                "hint": {"text": _(option.hint)} if option.hint else None,
                "checked": shown.get(step.field) == option.value,
            }
        )
    template = {
        "radios": "radios.html",
        "input": "text.html",
        "textarea": "text.html",
        "when": "when.html",
        "contact": "contact.html",
    }[step.kind]
    return _page(
        request,
        _,
        f"public_report/{template}",
        {
            "step": step,
            "title": _(step.title_for(answers)),
            "hint": _(hint) if (hint := step.hint_for(answers)) else None,
            "items": items,
            "values": shown,
            "action": f"{step.path}?change=1" if change else step.path,
            "back_href": _back_path(step, answers, change),
        },
        errors=errors,
        status_code=400 if errors else 200,
    )


# --- check your answers ----------------------------------------------------------------------


def _complete_draft(request: Request, db: DbSession) -> tuple[_Draft, Response | None]:
    """The draft if every question is answered, else where to go instead."""
    state = _draft(request, db)
    if state.expired:
        return state, _expired()
    if state.handle is None:
        return state, _redirect(START)
    missing = first_unanswered(state.answers)
    return state, (_redirect(missing.path) if missing else None)


def _check_page(
    request: Request, _: Translator, answers: Answers, errors: dict[str, str] | None = None
) -> Response:
    return _page(
        request,
        _,
        "public_report/check.html",
        {
            "rows": summary_rows(answers, _),
            "is_anonymous": answers.get(IDENTITY.field) == NO,
            "back_href": flow(answers)[-1].path,
        },
        errors=errors,
        status_code=400 if errors else 200,
    )


def _send(
    request: Request,
    db: DbSession,
    state: _Draft,
    payload: PublicReportCreate | AnonymousReportCreate,
) -> Response:
    """Create the report through the service, delete the draft, show the confirmation."""
    settings = _settings(request)
    receipt = reporting.create_report(
        db,
        payload=payload,
        actor=Actor.public(),
        provider=build_key_provider(settings),
        config=settings.reporting,
    )
    assert state.handle is not None
    drafts.discard_draft(db, handle=state.handle)
    request.session.pop(DRAFT_SESSION, None)
    request.session[SENT_SESSION] = {
        "reference": receipt.reference,
        "anonymous": isinstance(payload, AnonymousReportCreate),
    }
    return _redirect(CONFIRMATION)


# --- routes: fixed pages first, then the questions -------------------------------------------


@router.get("/report")
def start(request: Request, _principal: Public) -> Response:
    _ = translator(request)
    return _page(
        request,
        _,
        "public_report/start.html",
        {
            "expired": request.query_params.get("expired") == "1",
            "deleted": request.query_params.get("deleted") == "1",
            "first_path": WHAT.path,
        },
    )


@router.get("/report/check")
def check_answers(request: Request, db: DbSession, _principal: Public) -> Response:
    _ = translator(request)
    state, elsewhere = _complete_draft(request, db)
    return elsewhere or _check_page(request, _, state.answers)


@router.post("/report/check")
def send_report(request: Request, db: DbSession, _principal: Public) -> Response:
    """Send an identified report; an anonymous one goes on to choose a passphrase first."""
    _ = translator(request)
    state, elsewhere = _complete_draft(request, db)
    if elsewhere is not None:
        return elsewhere
    if state.answers.get(IDENTITY.field) == NO:
        return _redirect(PASSPHRASE)
    wait = check_public_post(request, db)
    if wait is not None:
        return too_many(request, _, wait)
    try:
        payload = build_payload(state.answers)
    except ValidationError:
        return _check_page(request, _, state.answers, {"main-content": _(ANSWERS_INVALID)})
    return _send(request, db, state, payload)


@router.post("/report/delete")
def delete_answers(request: Request, db: DbSession, _principal: Public) -> Response:
    """Delete the draft now, for someone who does not want their answers kept at all."""
    handle = DraftHandle.from_session(request.session.pop(DRAFT_SESSION, None))
    if handle is not None:
        drafts.discard_draft(db, handle=handle)
    return _redirect(f"{START}?deleted=1")


def _passphrase_page(
    request: Request, _: Translator, errors: dict[str, str] | None = None
) -> Response:
    return _page(
        request,
        _,
        "public_report/passphrase.html",
        {"min_chars": _settings(request).reporting.passphrase_min_chars, "back_href": CHECK},
        errors=errors,
        status_code=400 if errors else 200,
    )


@router.get("/report/passphrase")
def passphrase_page(request: Request, db: DbSession, _principal: Public) -> Response:
    _ = translator(request)
    state, elsewhere = _complete_draft(request, db)
    if elsewhere is not None:
        return elsewhere
    if state.answers.get(IDENTITY.field) != NO:
        return _redirect(CHECK)
    return _passphrase_page(request, _)


@router.post("/report/passphrase")
async def send_anonymous_report(
    request: Request, _hashing: HashingSlot, db: DbSession, _principal: Public
) -> Response:
    """Send an anonymous report with the passphrase just chosen (never stored in a draft)."""
    _ = translator(request)
    state, elsewhere = _complete_draft(request, db)
    if elsewhere is not None:
        return elsewhere
    if state.answers.get(IDENTITY.field) != NO:
        return _redirect(CHECK)
    values = form_values(await request.form())
    min_chars = _settings(request).reporting.passphrase_min_chars
    errors = passphrase_errors(values, min_chars, _)
    if errors:
        return _passphrase_page(request, _, errors)
    wait = check_public_post(request, db)
    if wait is not None:
        return too_many(request, _, wait)
    try:
        payload = build_payload(state.answers, str(values["passphrase"]))
        return await in_thread(_send, request, db, state, payload)  # argon2 off the loop
    except ValidationError:
        return _check_page(request, _, state.answers, {"main-content": _(ANSWERS_INVALID)})
    except InvalidInputError as exc:
        if exc.field != "passphrase":
            raise
        return _passphrase_page(request, _, {"passphrase": _(PASSPHRASE_SHORT, count=min_chars)})


_NOTICE_HEADINGS = {
    ReasonEffect.forbid: N_("Never shared"),
    ReasonEffect.review: N_("Decided case by case by a trained disclosure officer"),
    ReasonEffect.permit: N_("May be shared"),
    ReasonEffect.referral: N_("What the police must also do"),
    ReasonEffect.enforcement_pause: N_("What the police must also do"),
}


@router.get("/report/what-we-share")
def what_we_share(request: Request, db: DbSession, _principal: Public) -> Response:
    """The force's sharing rules in plain words, generated from the active regime."""
    _ = translator(request)
    sharing = notice.sharing_notice(db)
    groups: dict[str, list[str]] = {}
    for rule in sharing.rules:
        groups.setdefault(_(_NOTICE_HEADINGS[rule.effect]), []).append(rule.text)
    return _page(
        request,
        _,
        "public_report/what_we_share.html",
        {
            "notice": sharing,
            "since": format_date(sharing.since.date(), format="long", locale=DATE_LOCALES[_.lang])
            if sharing.since
            else None,
            "groups": [{"heading": h, "texts": t} for h, t in groups.items()],
            "back_href": START,
        },
    )


@router.get("/report/privacy")
def privacy_notice(request: Request, _principal: Public) -> Response:
    _ = translator(request)
    return _page(request, _, "public_report/privacy.html", {"back_href": START})


@router.get("/report/cover-your-tracks")
def cover_your_tracks(request: Request, _principal: Public) -> Response:
    _ = translator(request)
    return _page(request, _, "public_report/cover_your_tracks.html", {"back_href": START})


@router.get("/report/exit")
def exit_this_page(request: Request, db: DbSession, principal: Public) -> Response:
    """ "Exit this page": delete the draft and end the session *before* leaving the site.

    Then Back, or the next person on a shared device, finds nothing of hers: no answers,
    no reference, not even her language choice. Works the same with and without JavaScript
    (the GOV.UK component navigates to this link).
    """
    lang = request.query_params.get(QUERY_PARAM)
    handle = DraftHandle.from_session(request.session.get(DRAFT_SESSION))
    if handle is not None:
        drafts.discard_draft(db, handle=handle)
    if principal is None:
        request.session.clear()
    else:  # staff have no exit button; a link here must not sign them out
        for key in (DRAFT_SESSION, SENT_SESSION, RETURN_DONE_SESSION, SESSION_KEY):
            request.session.pop(key, None)
    offered = lang in offered_languages(request)
    destination = EXIT_URLS[lang] if offered and lang else EXIT_URLS[DEFAULT_LANGUAGE]
    return RedirectResponse(destination, status_code=303)


def _english_name(lang: str) -> str:
    """The page language's English name, as the support directory names languages."""
    return str(Locale.parse(lang).english_name)


@router.get("/report/confirmation")
def confirmation(request: Request, db: DbSession, _principal: Public) -> Response:
    """Her reference, once, and 'by and for' support that speaks her language."""
    _ = translator(request)
    # Shown once: after this page nothing in the browser leads back to the reference.
    sent = request.session.pop(SENT_SESSION, None)
    if not isinstance(sent, dict) or not isinstance(sent.get("reference"), str):
        return _redirect(START)
    request.session[FEEDBACK_SESSION] = True
    return _page(
        request,
        _,
        "public_report/confirmation.html",
        {
            "reference": sent["reference"],
            "is_anonymous": bool(sent.get("anonymous")),
            "support": signposting.support_for(db, language=_english_name(_.lang)),
        },
    )


@router.post("/report/feedback")
async def feedback_submit(request: Request, db: DbSession, _principal: Public) -> Response:
    """Keep her optional answers, linked to nothing; once per report sent."""
    if not request.session.pop(FEEDBACK_SESSION, False):
        return _redirect(START)
    values = form_values(await request.form())
    feedback.record_public_feedback(
        db,
        felt_safe=feedback.parse_answer(str(values.get("felt_safe", ""))),
        was_helpful=feedback.parse_answer(str(values.get("was_helpful", ""))),
    )
    request.session[FEEDBACK_DONE_SESSION] = True
    return _redirect(FEEDBACK_DONE)


@router.get("/report/feedback/done")
def feedback_done(request: Request, _principal: Public) -> Response:
    _ = translator(request)
    if not request.session.pop(FEEDBACK_DONE_SESSION, False):
        return _redirect(START)
    return _page(request, _, "public_report/feedback_done.html", {})


# --- the anonymous reporter's return visit ---------------------------------------------------


def _return_page(
    request: Request,
    _: Translator,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    shown = {k: v for k, v in (values or {}).items() if k != "passphrase"}
    consents = shown.get("consents", [])
    chosen = {consents} if isinstance(consents, str) else set(consents)
    return _page(
        request,
        _,
        "public_report/return.html",
        {
            "values": {k: v for k, v in shown.items() if isinstance(v, str)},
            "chosen": chosen,
            "back_href": START,
        },
        errors=errors,
        status_code=400 if errors else 200,
    )


@router.get("/report/return")
def return_page(request: Request, _principal: Public) -> Response:
    return _return_page(request, translator(request))


@router.post("/report/return")
async def return_submit(
    request: Request, _hashing: HashingSlot, db: DbSession, _principal: Public
) -> Response:
    """Add to an anonymous report; every failure looks the same whether or not it exists."""
    _ = translator(request)
    values = form_values(await request.form())
    payload, errors = parse_return(values, _)
    if payload is None:
        return _return_page(request, _, values, errors)
    settings = _settings(request)
    receipt, wait = await throttled_attempt(
        request,
        "anonymous_return",
        db,
        subject=payload.reference.strip().upper(),
        attempt=lambda: reporting.submit_anonymous_return(
            db, payload=payload, provider=build_key_provider(settings), config=settings.reporting
        ),
    )
    if wait is not None:
        return too_many(request, _, wait)
    if receipt is None:
        minutes = math.ceil(settings.login_max_wait_seconds / 60)
        return _return_page(request, _, values, {"reference": _(RETURN_FAILED, minutes=minutes)})
    request.session[RETURN_DONE_SESSION] = True
    return _redirect(RETURN_DONE)


@router.get("/report/return/done")
def return_done(request: Request, _principal: Public) -> Response:
    _ = translator(request)
    if not request.session.pop(RETURN_DONE_SESSION, False):
        return _redirect(RETURN)
    return _page(request, _, "public_report/return_done.html", {})


# --- the questions (a path parameter, so these come after every fixed path) -----------------


def _step_or_404(slug: str) -> Step:
    step = STEPS.get(slug)
    if step is None:
        raise HTTPException(status_code=404)
    return step


@router.get("/report/{slug}")
def question(request: Request, db: DbSession, slug: str, _principal: Public) -> Response:
    step = _step_or_404(slug)
    _ = translator(request)
    state = _draft(request, db)
    if state.expired:
        return _expired()
    elsewhere = _blocked(step, state.answers)
    if elsewhere is not None:
        return elsewhere
    change = request.query_params.get("change") == "1"
    values = form_from_answers(step, state.answers)
    return _question_page(request, _, step, state.answers, values, change=change)


@router.post("/report/{slug}")
async def answer(request: Request, db: DbSession, slug: str, _principal: Public) -> Response:
    """Save one answer to the draft (starting it on the first), then go to the next question."""
    step = _step_or_404(slug)
    _ = translator(request)
    state = _draft(request, db)
    if state.expired:
        return _expired()
    elsewhere = _blocked(step, state.answers)
    if elsewhere is not None:
        return elsewhere
    change = request.query_params.get("change") == "1"
    values = form_values(await request.form())
    given, errors = parse_step(step, values, _, today_in(_settings(request).reporting.timezone))
    errors = errors or consent_errors(step, {**state.answers, **given}, _)
    if errors:  # the draft is untouched: earlier answers are kept
        return _question_page(request, _, step, state.answers, values, change=change, errors=errors)
    answers = prune({**state.answers, **given})
    if state.handle is None:
        wait = check_public_post(request, db)
        if wait is not None:
            return too_many(request, _, wait)
        handle = drafts.start_draft(db, answers=answers)
        request.session.pop(SENT_SESSION, None)
        request.session[DRAFT_SESSION] = handle.to_session()
    elif not drafts.save_draft(db, handle=state.handle, answers=answers):
        request.session.pop(DRAFT_SESSION, None)
        return _expired()
    return _redirect(_next_path(step, answers, change))
