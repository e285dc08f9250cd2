"""Firewall pages and API: request to share, decisions, review queue, disclosures, regime.

Thin routes: parse, check, call one `safeshare.policy.service` function, render. Decisions
hold no sealed values, but officers still see only the decisions they asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from sqlalchemy.orm import Session

from safeshare.auth.permissions import Actor, Permission
from safeshare.db.base import utcnow
from safeshare.errors import SafeShareError
from safeshare.policy import explain, lawful_basis
from safeshare.policy import service as policy_service
from safeshare.policy.errors import InvalidRulingError
from safeshare.policy.lawful_basis import LawfulBasis, ProcessingCondition
from safeshare.policy.schemas import (
    REPORT_REF_PATTERN,
    Agency,
    Category,
    CategoryRuling,
    Decision,
    DisclosureCreate,
    DisclosureMethod,
    DisclosureRead,
    Outcome,
    Purpose,
    RecordShareRequest,
    RegimeRead,
    RegimesRead,
    Requester,
)
from safeshare.reporting.errors import ReportNotFoundError
from safeshare.web.access import SIGNED_IN, DbSession, StepUp, require
from safeshare.web.concurrency import read_only, read_then_group_commit
from safeshare.web.formatters import parse_clock
from safeshare.web.forms import FormErrors, form_values, validate_form
from safeshare.web.navigation import NavItem
from safeshare.web.openapi import problems
from safeshare.web.pages import Pages

router = APIRouter()

PAGE_SIZE = 25

# Service navigation entries for this feature, registered by the app factory.
NAV_ITEMS: list[NavItem] = [
    NavItem("Request to share", "/policy/share", Permission.DECISION_REQUEST),
    NavItem("Sharing decisions", "/policy/decisions", Permission.DECISION_READ_ALL),
    NavItem("Review queue", "/policy/reviews", Permission.REVIEW_DECIDE),
    NavItem("Active regime", "/policy/regime", Permission.REGIME_CHANGE),
]

Deciders = Annotated[Actor, Depends(require(Permission.DECISION_REQUEST))]
Overseers = Annotated[Actor, Depends(require(Permission.DECISION_READ_ALL))]
Reviewer = Annotated[Actor, Depends(require(Permission.REVIEW_DECIDE))]
Discloser = Annotated[Actor, Depends(require(Permission.DISCLOSURE_RECORD))]
RegimeChanger = Annotated[Actor, Depends(require(Permission.REGIME_CHANGE))]
DecisionReaders = Annotated[Actor, Depends(require(Permission.DECISION_READ))]
Page = Annotated[int, Query(ge=1, le=100_000)]
E = TypeVar("E", bound=StrEnum)


# Every policy page has the plain-English helpers.
PAGES = Pages("policy", "policy_flash", {"plain": explain, "Outcome": Outcome})


K = TypeVar("K", bound=str)  # a label table's key: a plain string or a StrEnum member


def _options(labels: Mapping[K, str], hints: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Radio or checkbox items from a label table, in the table's order."""
    return [
        {"value": value, "text": text} | ({"hint": {"text": hints[value]}} if hints else {})
        for value, text in labels.items()
    ]


def _choice(enum: type[E], value: str) -> E | None:
    """A filter's value as the enum, or None (no filter) for empty or unknown values."""
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def _select_items(
    labels: dict[str, str], chosen: str | None, everything: str
) -> list[dict[str, Any]]:
    """govukSelect items for a filter, with an "everything" choice first."""
    return [{"value": "", "text": everything, "selected": chosen is None}] + [
        {"value": value, "text": text, "selected": value == chosen}
        for value, text in labels.items()
    ]


def _pages(path: str, page: int, has_next: bool, **filters: str | None) -> dict[str, Any]:
    """govukPagination parameters, keeping the filters in the links."""

    def href(number: int) -> str:
        query = {k: v for k, v in filters.items() if v} | {"page": str(number)}
        return f"{path}?{urlencode(query)}"

    return {
        "previous": {"href": href(page - 1)} if page > 1 else None,
        "next": {"href": href(page + 1)} if has_next else None,
    }


# --- API -------------------------------------------------------------------------------


@router.post("/api/v1/decisions", status_code=201, responses=problems(404))
@read_only
async def api_create_decision(
    request: Request,
    share_request: RecordShareRequest,
    response: Response,
    db: DbSession,
    principal: Deciders,
) -> Decision:
    """Decide a request on the facts of the report it names, under the force's active regime.

    An unknown or unseen report is a 404 problem, never a decision; `report_ref: null` is a
    general enquiry, which can only be refused or sent to review. The report is read in this
    request's session; the decision is made and recorded in a group commit with concurrent
    ones (one regime read, one ledger lock and one fsync for all), answered once committed.
    """

    def prepare(session: Session) -> policy_service.PreparedDecision:
        return policy_service.prepare_decision(
            session,
            request=share_request,
            actor=principal.username,
            actor_role=principal.role,
            actor_organisation_id=principal.organisation_id,
        )

    def stage(
        session: Session, prepared: policy_service.PreparedDecision
    ) -> Callable[[], tuple[int, Decision]]:
        publish = policy_service.stage_decision(session, prepared=prepared)

        def answer() -> tuple[int, Decision]:
            stored = publish()
            return stored.id, stored.as_decision()

        return answer

    decision_id, decision = await read_then_group_commit(request, db, prepare, stage)
    response.headers["Location"] = f"/api/v1/decisions/{decision_id}"
    return decision


@router.get("/api/v1/decisions/{decision_id}")
def api_get_decision(decision_id: int, db: DbSession, principal: DecisionReaders) -> Decision:
    """A recorded decision in contract form (officers: only their own)."""
    record = policy_service.get_decision_for_viewer(
        db, decision_id=decision_id, actor=principal.username, actor_role=principal.role
    )
    return record.as_decision()


@router.get("/api/v1/regimes")
def api_regimes(db: DbSession, _principal: Annotated[Actor, Depends(SIGNED_IN)]) -> RegimesRead:
    """The regimes a force may run under, and the active one."""
    overview = policy_service.regime_overview(db)
    return RegimesRead(
        active=overview.active,
        regimes=[
            RegimeRead(
                name=r.name,
                title=r.title,
                summary=r.summary,
                policy_hash=r.policy_hash,
                policy_count=r.policy_count,
                is_active=r.name == overview.active,
            )
            for r in overview.regimes
        ],
    )


@router.post(
    "/api/v1/decisions/{decision_id}/disclosures", status_code=201, responses=problems(409)
)
def api_record_disclosure(
    decision_id: int,
    body: DisclosureCreate,
    response: Response,
    db: DbSession,
    principal: Discloser,
) -> DisclosureRead:
    """Record what was actually sent under a decision (a subset of what it allowed)."""
    disclosure = policy_service.record_disclosure(
        db,
        decision_id=decision_id,
        categories=body.categories,
        sent_at=body.sent_at,
        method=body.method,
        recipient_organisation=body.recipient_organisation,
        lawful_basis=body.lawful_basis,
        processing_condition=body.processing_condition,
        actor=principal.username,
        actor_role=principal.role,
    )
    response.headers["Location"] = f"/api/v1/disclosures/{disclosure.id}"
    return DisclosureRead.model_validate(disclosure)


@router.get("/api/v1/disclosures/{disclosure_id}")
def api_get_disclosure(disclosure_id: int, db: DbSession, _principal: Overseers) -> DisclosureRead:
    """A recorded disclosure."""
    disclosure = policy_service.get_disclosure_or_raise(db, disclosure_id=disclosure_id)
    return DisclosureRead.model_validate(disclosure)


# --- request to share information --------------------------------------------------------


def _as_list(value: object) -> object:
    """A checkbox group posts nothing, one string, or a list of them."""
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else value


Ticked = BeforeValidator(_as_list)
YesNo = Literal["yes", "no"]


class ShareForm(BaseModel):
    """The "Request to share information" form, as posted: who asks, why, for what, and the
    report it is about. The person's facts are read from that report, never typed here."""

    model_config = ConfigDict(extra="ignore")

    agency: Agency
    purpose: Purpose
    status_doubt_only: YesNo
    categories: Annotated[list[Category], Ticked, Field(min_length=1)]
    report_ref: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^$|" + REPORT_REF_PATTERN)
    ] = ""

    def to_request(self) -> RecordShareRequest:
        """The record-bound request this form describes (no reference: a general enquiry)."""
        return RecordShareRequest(
            report_ref=self.report_ref or None,
            requester=Requester(agency=self.agency, purpose=self.purpose),
            categories=list(dict.fromkeys(self.categories)),
            status_doubt_only=self.status_doubt_only == "yes",
        )


SHARE_MESSAGES = {
    "agency": "Select who is asking for the information",
    "purpose": "Select why they want the information",
    "status_doubt_only": ("Select yes if the only concern is the person's immigration status"),
    "categories": "Select at least one type of information they want",
    "report_ref": (
        "Report reference must be 100 characters or fewer, using only letters, numbers, "
        "hyphens, full stops and slashes"
    ),
}
LIST_FIELDS = ("categories",)
# A check police start themselves: the officer asks immigration enforcement about the person.
STATUS_CHECK = {
    "agency": Agency.immigration_enforcement.value,
    "purpose": Purpose.status_check.value,
    "categories": [Category.identity.value, Category.nationality.value],
}


def _share_page(
    request: Request, values: dict[str, Any], errors: FormErrors, *, status_code: int = 200
) -> Response:
    shown = dict(values)
    for name in LIST_FIELDS:
        raw = _as_list(values.get(name))
        shown[name] = raw if isinstance(raw, list) else []
    return PAGES.page(
        request,
        "share.html",
        {
            "values": shown,
            "errors": errors,
            "agencies": _options(explain.AGENCIES),
            "purposes": _options(explain.PURPOSES),
            "categories": _options(explain.CATEGORIES, explain.CATEGORY_HINTS),
        },
        status_code=status_code,
    )


@router.get("/policy/share")
def share_form(
    request: Request,
    _principal: Deciders,
    report_ref: Annotated[str, Query(max_length=100)] = "",
    check: bool = False,
) -> Response:
    """The "Request to share information" form, pre-filled from the report page's buttons;
    `check=true` starts a status check with immigration enforcement."""
    values: dict[str, Any] = {"report_ref": report_ref} | (STATUS_CHECK if check else {})
    return _share_page(request, values, {})


@router.post("/policy/share")
async def share_submit(request: Request, db: DbSession, principal: Deciders) -> Response:
    """Decide the request, record it, and show the decision (or the form with errors)."""
    values = form_values(await request.form())
    form, errors = validate_form(ShareForm, values, SHARE_MESSAGES)
    if form is None:
        return _share_page(request, values, errors, status_code=400)
    try:
        record = policy_service.make_decision(
            db,
            request=form.to_request(),
            actor=principal.username,
            actor_role=principal.role,
            actor_organisation_id=principal.organisation_id,
        )
    except ReportNotFoundError:
        errors = {"report_ref": "There is no report with that reference that you can see"}
        return _share_page(request, values, errors, status_code=400)
    return RedirectResponse(f"/policy/share/{record.id}", status_code=303)


@router.get("/policy/share/{decision_id}")
def share_result(
    request: Request, decision_id: int, db: DbSession, principal: Deciders
) -> Response:
    """The decision on a request: outcome, what may go, what is withheld, and why."""
    summary = policy_service.summarise_decision(
        db, decision_id=decision_id, actor=principal.username, actor_role=principal.role
    )
    return PAGES.page(request, "result.html", {"summary": summary})


# --- decisions -------------------------------------------------------------------------


@router.get("/policy/decisions")
def decisions_list(
    request: Request,
    db: DbSession,
    _principal: Overseers,
    outcome: Annotated[str, Query(max_length=32)] = "",
    page: Page = 1,
) -> Response:
    """Recorded decisions, newest first, filterable by outcome."""
    chosen = _choice(Outcome, outcome)
    rows = policy_service.list_decisions(
        db, outcome=chosen, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return PAGES.page(
        request,
        "decisions.html",
        {
            "decisions": rows[:PAGE_SIZE],
            "outcome": chosen,
            "outcomes": _select_items(explain.OUTCOME_TAGS, chosen, "All outcomes"),
            "pagination": _pages("/policy/decisions", page, len(rows) > PAGE_SIZE, outcome=chosen),
        },
    )


@router.get("/policy/decisions/{decision_id}")
def decision_detail(
    request: Request,
    decision_id: int,
    db: DbSession,
    principal: Overseers,
    reviewed: bool = False,
) -> Response:
    """One decision in full: request, outcome and reasons, review, disclosures."""
    summary = policy_service.summarise_decision(db, decision_id=decision_id)
    return PAGES.page(
        request,
        "decision.html",
        {
            "summary": summary,
            "reviewed": reviewed,
            "can_act": principal.can(Permission.DISCLOSURE_RECORD),
        },
    )


# --- review queue ----------------------------------------------------------------------


@router.get("/policy/reviews")
def review_queue(request: Request, db: DbSession, _principal: Reviewer, page: Page = 1) -> Response:
    """Reviews waiting for an information-sharing officer, oldest first, with their age."""
    rows = policy_service.list_pending_reviews(
        db, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return PAGES.page(
        request,
        "reviews.html",
        {
            "reviews": rows[:PAGE_SIZE],
            "now": utcnow(),
            "first": (page - 1) * PAGE_SIZE,
            "pagination": _pages("/policy/reviews", page, len(rows) > PAGE_SIZE),
        },
    )


def _review_page(
    request: Request,
    summary: policy_service.DecisionSummary,
    values: dict[str, Any],
    errors: FormErrors,
    *,
    status_code: int = 200,
) -> Response:
    return PAGES.page(
        request,
        "review.html",
        {
            "summary": summary,
            "review": summary.review,
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


def _rulings(
    reviewable: list[str], values: dict[str, Any]
) -> tuple[list[CategoryRuling], FormErrors]:
    """Each category under review needs a choice and a written rationale."""
    rulings: list[CategoryRuling] = []
    errors: FormErrors = {}
    for category in reviewable:
        label = explain.category_label(category).lower()
        choice = values.get(f"decision_{category}")
        rationale = str(values.get(f"rationale_{category}") or "").strip()
        if choice not in ("disclose", "withhold"):
            errors[f"decision_{category}"] = f"Select whether to share {label}"
        if not rationale:
            errors[f"rationale_{category}"] = f"Enter your reasons for the decision on {label}"
        elif len(rationale) > 4000:
            errors[f"rationale_{category}"] = (
                f"Your reasons for the decision on {label} must be 4,000 characters or fewer"
            )
        if choice in ("disclose", "withhold") and rationale and len(rationale) <= 4000:
            rulings.append(
                CategoryRuling(
                    category=Category(category),
                    disclose=choice == "disclose",
                    rationale=rationale,
                )
            )
    return rulings, errors


@router.get("/policy/reviews/{review_id}")
def review_form(request: Request, review_id: int, db: DbSession, _principal: Reviewer) -> Response:
    """Decide each category under review, with reasons (or see how it was decided)."""
    summary = policy_service.summarise_review(db, review_id=review_id)
    return _review_page(request, summary, {}, {})


@router.post("/policy/reviews/{review_id}")
async def review_submit(
    request: Request, review_id: int, db: DbSession, principal: Reviewer
) -> Response:
    """Record the officer's ruling per category; every ruling needs a written rationale."""
    values = form_values(await request.form())
    summary = policy_service.summarise_review(db, review_id=review_id)
    review = summary.review
    assert review is not None  # summarise_review found the decision through its review
    # A decided review is refused by the service (409), whatever was posted.
    rulings, errors = _rulings(review.reviewable, values) if review.is_pending else ([], {})
    if not errors:
        try:
            policy_service.decide_review(
                db,
                review_id=review_id,
                rulings=rulings,
                actor=principal.username,
                actor_role=principal.role,
            )
        except InvalidRulingError as exc:
            errors = {_ruling_field(exc.field): exc.message}
        else:
            return RedirectResponse(
                f"/policy/decisions/{review.decision_id}?reviewed=true", status_code=303
            )
    return _review_page(request, summary, values, errors, status_code=400)


def _ruling_field(field: str | None) -> str:
    """`rulings.identity.rationale` -> `rationale_identity`, for the error summary link."""
    parts = (field or "").split(".")
    if len(parts) == 3 and parts[2] == "rationale":
        return f"rationale_{parts[1]}"
    return "rulings"


# --- disclosures actually made ---------------------------------------------------------

DISCLOSURE_FIELDS = {
    "categories": "categories",
    "method": "method",
    "sent_at": "sent_at-day",
    "recipient_organisation": "recipient_organisation",
    "lawful_basis": "lawful_basis",
    "processing_condition": "processing_condition",
}


class DisclosureForm(BaseModel):
    """The "Record what was sent" form, as posted (the date is checked separately)."""

    model_config = ConfigDict(extra="ignore")

    categories: Annotated[list[Category], Ticked, Field(min_length=1)]
    method: DisclosureMethod
    recipient_organisation: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    lawful_basis: LawfulBasis
    processing_condition: ProcessingCondition


DISCLOSURE_MESSAGES = {
    "categories": "Select the information that was sent",
    "method": "Select how the information was sent",
    "recipient_organisation": (
        "Enter the organisation that received the information, in 200 characters or fewer"
    ),
    "lawful_basis": "Select the lawful basis for the disclosure",
    "processing_condition": (
        "Select the condition for the disclosure, or that it is not sensitive processing"
    ),
}


def _sent_at(values: dict[str, Any], errors: FormErrors) -> tuple[date, time] | None:
    """The GOV.UK date input and a time (12- or 24-hour clock), or an error for the first
    bad part."""
    parts = [str(values.get(f"sent_at-{p}") or "").strip() for p in ("day", "month", "year")]
    clock = str(values.get("sent_time") or "").strip()
    if not any(parts):
        errors["sent_at-day"] = "Enter the date the information was sent"
        return None
    missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
    if missing:
        errors[f"sent_at-{missing[0]}"] = f"Date sent must include a {missing[0]}"
        return None
    try:
        day_, month, year = (int(p) for p in parts)
        when = date(year, month, day_)
    except ValueError:
        errors["sent_at-day"] = "Date sent must be a real date"
        return None
    if year < 1000:
        errors["sent_at-year"] = "Year must include 4 numbers"
        return None
    if not clock:
        errors["sent_time"] = "Enter the time the information was sent, for example 14:30"
        return None
    sent = parse_clock(clock)
    if sent is None:
        errors["sent_time"] = "Enter a real time, for example 14:30 or 2:30pm"
        return None
    return when, sent


def _disclosure_page(
    request: Request,
    summary: policy_service.DecisionSummary,
    values: dict[str, Any],
    errors: FormErrors,
    *,
    status_code: int = 200,
) -> Response:
    shown = dict(values)
    raw = _as_list(values.get("categories"))
    shown["categories"] = raw if isinstance(raw, list) else []
    return PAGES.page(
        request,
        "disclose.html",
        {
            "summary": summary,
            "values": shown,
            "errors": errors,
            "categories": [
                {"value": c, "text": explain.category_label(c)} for c in summary.disclosable
            ],
            "methods": _options(explain.METHODS),
            "bases": _options(lawful_basis.BASIS_LABELS),
            "conditions": _options(lawful_basis.CONDITION_LABELS),
        },
        status_code=status_code,
    )


@router.get("/policy/decisions/{decision_id}/disclose")
def disclosure_form(
    request: Request, decision_id: int, db: DbSession, _principal: Discloser
) -> Response:
    """Record what was actually sent under a decision."""
    summary = policy_service.summarise_decision(db, decision_id=decision_id)
    return _disclosure_page(request, summary, {}, {})


@router.post("/policy/decisions/{decision_id}/disclose")
async def disclosure_submit(
    request: Request, decision_id: int, db: DbSession, principal: Discloser
) -> Response:
    """Record the disclosure; more categories than the decision allowed are refused."""
    values = form_values(await request.form())
    form, errors = validate_form(DisclosureForm, values, DISCLOSURE_MESSAGES)
    when = _sent_at(values, errors)
    if form is not None and when is not None and not errors:
        try:
            disclosure = policy_service.record_disclosure(
                db,
                decision_id=decision_id,
                categories=form.categories,
                sent_at=explain.local_to_utc(*when, request.app.state.settings.zone),
                method=form.method,
                recipient_organisation=form.recipient_organisation,
                lawful_basis=form.lawful_basis,
                processing_condition=form.processing_condition,
                actor=principal.username,
                actor_role=principal.role,
            )
        except SafeShareError as exc:
            if exc.field not in DISCLOSURE_FIELDS:
                raise
            errors = {DISCLOSURE_FIELDS[exc.field]: exc.message}
        else:
            return RedirectResponse(
                f"/policy/disclosures/{disclosure.id}?recorded=true", status_code=303
            )
    summary = policy_service.summarise_decision(db, decision_id=decision_id)
    return _disclosure_page(request, summary, values, errors, status_code=400)


@router.get("/policy/disclosures")
def disclosures_list(
    request: Request,
    db: DbSession,
    _principal: Overseers,
    agency: Annotated[str, Query(max_length=32)] = "",
    page: Page = 1,
) -> Response:
    """Disclosures actually made, most recently sent first, filterable by agency."""
    chosen = _choice(Agency, agency)
    rows = policy_service.list_disclosures(
        db, agency=chosen, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return PAGES.page(
        request,
        "disclosures.html",
        {
            "disclosures": rows[:PAGE_SIZE],
            "agency": chosen,
            "agencies": _select_items(explain.AGENCIES, chosen, "All organisations"),
            "pagination": _pages("/policy/disclosures", page, len(rows) > PAGE_SIZE, agency=chosen),
        },
    )


@router.get("/policy/disclosures/{disclosure_id}")
def disclosure_detail(
    request: Request,
    disclosure_id: int,
    db: DbSession,
    _principal: Overseers,
    recorded: bool = False,
) -> Response:
    """One recorded disclosure."""
    disclosure = policy_service.get_disclosure_or_raise(db, disclosure_id=disclosure_id)
    return PAGES.page(request, "disclosure.html", {"disclosure": disclosure, "recorded": recorded})


# --- active regime ---------------------------------------------------------------------


class RegimeForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    regime: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


REGIME_MESSAGES = {
    "regime": "Select the regime the force should run under",
    "note": "Enter why the regime is changing, in 2,000 characters or fewer",
}


def _regime_page(
    request: Request,
    overview: policy_service.RegimeOverview,
    values: dict[str, Any],
    errors: FormErrors,
    *,
    changed: bool = False,
    status_code: int = 200,
) -> Response:
    return PAGES.page(
        request,
        "regime.html",
        {
            "overview": overview,
            "values": values,
            "errors": errors,
            "changed": changed,
            "regime_options": [
                {
                    "value": r.name,
                    "text": f"{r.title} ({r.name})",
                    "hint": {"text": r.summary},
                }
                for r in overview.regimes
            ],
        },
        status_code=status_code,
    )


@router.get("/policy/regime")
def regime_page(
    request: Request, db: DbSession, _principal: RegimeChanger, changed: bool = False
) -> Response:
    """The force's active regime, the alternatives, and the history of changes."""
    overview = policy_service.regime_overview(db)
    return _regime_page(request, overview, {}, {}, changed=changed)


@router.post("/policy/regime")
async def regime_submit(
    request: Request, db: DbSession, principal: RegimeChanger, _fresh: Annotated[None, StepUp]
) -> Response:
    """Change the active regime, with a note; the change is kept and published."""
    values = form_values(await request.form())
    form, errors = validate_form(RegimeForm, values, REGIME_MESSAGES)
    overview = policy_service.regime_overview(db)
    known = {r.name for r in overview.regimes}
    if form is not None:
        if form.regime not in known:
            errors = {"regime": REGIME_MESSAGES["regime"]}
        elif form.regime == overview.active:
            errors = {"regime": "That is already the active regime. Select a different one"}
        else:
            policy_service.set_active_regime(
                db,
                regime=form.regime,
                actor=principal.username,
                actor_role=principal.role,
                note=form.note,
            )
            return RedirectResponse("/policy/regime?changed=true", status_code=303)
    return _regime_page(request, overview, values, errors, status_code=400)
