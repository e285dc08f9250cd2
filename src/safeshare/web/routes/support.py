"""Support pages and API: find support, refer, advocate inbox, capacity, releases.

Every page works without JavaScript: searches are GET forms, actions are POST forms that
redirect (303) to a page showing the result. Figures for vacancies are flagged stale after
the configured age, and performance figures are suppressed for everyone but the service's
own advocates, under the configured small-count threshold.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from starlette.datastructures import UploadFile
from starlette.responses import Response

from safeshare.auth.permissions import Actor, Permission
from safeshare.auth.roles import Role
from safeshare.config import Settings
from safeshare.db.base import utcnow
from safeshare.errors import InvalidInputError
from safeshare.oversight import feedback
from safeshare.oversight.vocabulary import FEEDBACK_ANSWER_LABELS
from safeshare.redaction.small_counts import DisclosurePolicy
from safeshare.redaction.tables import disclosure_note
from safeshare.support import service as support
from safeshare.support.errors import (
    ConsentRequiredError,
    CsvImportError,
    DuplicateReferralError,
    InvalidSupportInputError,
    ReferralStateError,
    RowError,
)
from safeshare.support.schemas import (
    FieldValueError,
    ImportSummary,
    ServiceCreate,
    ServiceFields,
    ServiceRead,
    ServiceUpdate,
    SupportSearch,
    Vacancies,
)
from safeshare.support.vocabulary import (
    OPEN_STATUSES,
    DeclineReason,
    ReferralMethod,
    ReferralOutcome,
    ReferralStatus,
    ServiceType,
)
from safeshare.web.access import SIGNED_IN, DbSession, require
from safeshare.web.deps import SEALED_READ_TAG, key_provider, reporting_config
from safeshare.web.errors import problem
from safeshare.web.forms import FormErrors, errors_from, form_values, ordered
from safeshare.web.navigation import NavItem
from safeshare.web.pages import Pages
from safeshare.web.pagination import numbered_pagination

router = APIRouter()

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

Finder = Annotated[Actor, Depends(require(Permission.SUPPORT_FIND))]
Referrer = Annotated[Actor, Depends(require(Permission.REFER_THROUGH_FIREWALL))]
Manager = Annotated[Actor, Depends(require(Permission.DIRECTORY_MANAGE))]
Advocate = Annotated[Actor, Depends(require(Permission.SUPPORT_ORG_ACT))]
Staff = Annotated[Actor, Depends(SIGNED_IN)]

PAGE_SIZE = 20
FLASH_KEY = "support_flash"
PERIODS = {"30": "Last 30 days", "90": "Last 90 days", "365": "Last 12 months"}
DEFAULT_PERIOD = "90"

SERVICE_TYPE_LABELS = {
    ServiceType.advocacy: "Advocacy",
    ServiceType.refuge: "Refuge",
    ServiceType.immigration_advice: "Immigration legal advice",
    ServiceType.counselling: "Counselling",
    ServiceType.helpline: "Helpline",
}
METHOD_LABELS = {
    ReferralMethod.secure_email: "Secure email",
    ReferralMethod.phone: "Phone",
    ReferralMethod.portal: "Online portal",
}
STATUS_LABELS = {
    ReferralStatus.pending: "New",
    ReferralStatus.accepted: "Accepted",
    ReferralStatus.declined: "Declined",
    ReferralStatus.closed: "Closed",
    ReferralStatus.withdrawn: "Withdrawn",
}
DECLINE_LABELS = {
    DeclineReason.no_capacity: "No capacity",
    DeclineReason.outside_area: "Outside our area",
    DeclineReason.needs_not_met: "We cannot meet these needs",
    DeclineReason.not_eligible: "Not eligible for this service",
    DeclineReason.duplicate: "Already referred to us",
    DeclineReason.other: "Another reason",
}
OUTCOME_LABELS = {
    ReferralOutcome.first_contact_made: "First contact made",
    ReferralOutcome.engaged: "Engaged with the service",
    ReferralOutcome.unreachable: "Could not be reached",
    ReferralOutcome.declined_by_victim: "Declined by the victim",
    ReferralOutcome.no_capacity: "No capacity",
}
CATEGORY_LABELS = {
    "identity": "Identity",
    "contact": "Contact details",
    "address": "Address",
    "nationality": "Nationality",
    "immigration_status": "Immigration status",
    "offence_details": "Offence details",
    "health": "Health",
}
# The victim's details an advocate may be shown (support.CATEGORY_FIELDS), in that order.
VICTIM_FIELD_LABELS = {
    "name": "Name",
    "contact_details": "Contact details",
    "safe_contact": "Safe times and ways to make contact",
    "account": "What happened, in their words",
}
DETAILS_REASON = "details_reason"
RESPONSE_LABELS = {
    support.Response.awaiting: "Awaiting a response",
    support.Response.accepted: "Accepted",
    support.Response.declined: "Declined",
    support.Response.withdrawn: "Withdrawn",
}
FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "communities": "Communities served",
    "languages": "Languages",
    "service_types": "Types of support",
    "oisc_level": "OISC level",
    "has_nrpf_support": "Supports people with NRPF",
    "areas_covered": "Areas covered",
    "is_area_wide": "Covers the whole force area",
    "referral_method": "How to refer",
    "referral_contact": "Referral contact",
    "opening_hours": "Opening hours",
    "units": "Units",
    "bedspaces": "Bedspaces",
    "nrpf_units": "NRPF-ringfenced units",
    "nrpf_bedspaces": "NRPF-ringfenced bedspaces",
    "is_active": "Listed in the directory",
    "organisation_id": "Organisation",
}
SERVICE_FIELD_ORDER = (
    "organisation_id",
    "name",
    "description",
    "service_types",
    "oisc_level",
    "communities",
    "languages",
    "has_nrpf_support",
    "areas_covered",
    "is_area_wide",
    "referral_method",
    "referral_contact",
    "opening_hours",
    "units",
    "bedspaces",
    "nrpf_units",
    "nrpf_bedspaces",
    "is_active",
)
SERVICE_MESSAGES = {
    "organisation_id": "Choose the organisation that runs the service",
    "name": "Enter the service name, in 200 characters or fewer",
    "description": "The description must be 4,000 characters or fewer",
    "service_types": "Choose at least one type of support",
    "oisc_level": "Choose the OISC level",
    "referral_method": "Choose how to refer",
    "referral_contact": "The referral contact must be 200 characters or fewer",
    "opening_hours": "Opening hours must be 500 characters or fewer",
    "units": "Enter the number of units as a whole number from 0",
    "bedspaces": "Enter the number of bedspaces as a whole number from 0",
    "nrpf_units": "Enter the number of NRPF-ringfenced units as a whole number from 0",
    "nrpf_bedspaces": "Enter the number of NRPF-ringfenced bedspaces as a whole number from 0",
}
VACANCY_MESSAGES = {
    "vacant_units": "Enter vacant units as a whole number from 0",
    "vacant_bedspaces": "Enter vacant bedspaces as a whole number from 0",
    "vacant_nrpf_units": "Enter vacant NRPF-ringfenced units as a whole number from 0",
    "vacant_nrpf_bedspaces": "Enter vacant NRPF-ringfenced bedspaces as a whole number from 0",
}


# --- presentation helpers ------------------------------------------------------------------------


VIEW = {
    "type_labels": SERVICE_TYPE_LABELS,
    "method_labels": METHOD_LABELS,
    "status_labels": STATUS_LABELS,
    "decline_labels": DECLINE_LABELS,
    "outcome_labels": OUTCOME_LABELS,
    "category_labels": CATEGORY_LABELS,
    "response_labels": RESPONSE_LABELS,
    "field_labels": FIELD_LABELS,
    "open_statuses": OPEN_STATUSES,
    "victim_field_labels": VICTIM_FIELD_LABELS,
}


PAGES = Pages("support", FLASH_KEY, VIEW)
_page = PAGES.page
_redirect = PAGES.redirect


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _stale_after(request: Request) -> timedelta:
    return timedelta(hours=_settings(request).vacancy_stale_after_hours)


def _disclosure(request: Request) -> DisclosurePolicy:
    return _settings(request).disclosure_policy()


def _one(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name, "")
    return str(value[0] if isinstance(value, list) else value).strip()


def _many(values: Mapping[str, Any], name: str) -> list[str]:
    value = values.get(name, [])
    items = value if isinstance(value, list) else [value]
    return [str(item) for item in items if str(item).strip()]


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


# --- find support --------------------------------------------------------------------------------


class FindForm(BaseModel):
    """The "Find support" filters as the GET form sends them."""

    need: ServiceType | None = None
    language: str = Field(default="", max_length=64)
    require_language: bool = False
    nrpf: bool = False
    require_nrpf: bool = False
    area: str | None = Field(default=None, max_length=40)
    vacancy: bool = False
    page: int = Field(default=1, ge=1, le=500)
    report: str = Field(default="", max_length=40)

    _blank = field_validator("need", "area", mode="before")(_blank_to_none)

    @model_validator(mode="after")
    def _language_to_require(self) -> FindForm:
        if self.require_language and not self.language.strip():
            raise FieldValueError(
                "language", "Enter a language to show only services that speak it"
            )
        return self

    def query(self) -> SupportSearch:
        return SupportSearch(
            need=self.need,
            language=self.language.strip() or None,
            require_language=self.require_language,
            has_nrpf=self.nrpf,
            require_nrpf_support=self.require_nrpf,
            area=self.area,
            vacancy_now=self.vacancy,
            limit=PAGE_SIZE,
            offset=(self.page - 1) * PAGE_SIZE,
        )

    def link_params(self, **overrides: object) -> str:
        """This search as a query string (only what is set), for pages and refer links."""
        values: dict[str, object] = {
            "need": self.need or "",
            "language": self.language,
            "require_language": "yes" if self.require_language else "",
            "nrpf": "yes" if self.nrpf else "",
            "require_nrpf": "yes" if self.require_nrpf else "",
            "area": self.area or "",
            "vacancy": "yes" if self.vacancy else "",
            "report": self.report,
            **overrides,
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None, 1)})


FIND_MESSAGES = {
    "need": "Choose a type of support from the list",
    "language": "Enter a language in 64 characters or fewer",
    "area": "Choose an area from the list",
    "page": "That page does not exist",
    "report": "Enter a report reference in 40 characters or fewer",
}


def _pagination(form: FindForm, total: int) -> dict[str, Any] | None:
    def href(number: int) -> str:
        query = form.link_params(page=number)
        return f"/support/find?{query}" if query else "/support/find"

    return numbered_pagination(form.page, max(1, -(-total // PAGE_SIZE)), href, window=2)


@router.get("/support/find")
def find_support(request: Request, db: DbSession, principal: Finder) -> Response:
    raw = {key: request.query_params.get(key, "") for key in FindForm.model_fields}
    areas = support.list_areas(db)
    errors: FormErrors = {}
    results = None
    try:
        form = FindForm.model_validate({k: v for k, v in raw.items() if v != ""})
    except ValidationError as exc:
        form, errors = FindForm(), errors_from(exc, FIND_MESSAGES, default_field="need")
    if not errors:
        try:
            results = support.search_services(
                db, query=form.query(), stale_after=_stale_after(request)
            )
        except InvalidSupportInputError as exc:
            errors = {exc.field or "need": exc.message}
    return _page(
        request,
        "find.html",
        {
            "raw": raw,
            "form": form,
            "areas": areas,
            "errors": errors,
            "results": results,
            "pagination": _pagination(form, results.total) if results else None,
            "first_shown": form.page * PAGE_SIZE - PAGE_SIZE + 1,
            "can_refer": principal.can(Permission.REFER_THROUGH_FIREWALL),
            "refer_params": form.link_params(page=1),
        },
        status_code=400 if errors else 200,
    )


@router.get("/support/services/{service_id}")
def service_detail(request: Request, db: DbSession, principal: Staff, service_id: int) -> Response:
    service = support.get_service_or_raise(db, service_id=service_id)
    is_own = support.is_advocate_of(principal, service.organisation_id)
    return _page(
        request,
        "service.html",
        {
            "service": support.service_read(service, stale_after=_stale_after(request)),
            "history": support.capacity_history(db, service_id=service_id),
            "can_refer": principal.can(Permission.REFER_THROUGH_FIREWALL) and service.is_active,
            "can_update": is_own,
            "can_edit": principal.can(Permission.DIRECTORY_MANAGE),
            "can_see_performance": is_own or principal.can(Permission.PERFORMANCE_READ_ANY),
        },
    )


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


# --- refuge capacity -----------------------------------------------------------------------------


@router.get("/support/capacity")
def capacity_list(request: Request, db: DbSession, principal: Advocate) -> Response:
    stale_after = _stale_after(request)
    refuges = [
        support.service_read(s, stale_after=stale_after)
        for s in support.refuges_for_advocate(db, actor=principal)
    ]
    return _page(request, "capacity_list.html", {"refuges": refuges})


def _capacity_page(
    request: Request,
    db: DbSession,
    principal: Actor,
    service_id: int,
    *,
    values: Mapping[str, Any] | None = None,
    errors: FormErrors | None = None,
) -> Response:
    service = support.get_refuge_for_advocate(db, actor=principal, service_id=service_id)
    read = support.service_read(service, stale_after=_stale_after(request))
    return _page(
        request,
        "capacity.html",
        {
            "service": read,
            "values": values or {name: getattr(read, name) for name in Vacancies.model_fields},
            "errors": errors or {},
            "history": support.capacity_history(db, service_id=service_id, limit=10),
        },
        status_code=400 if errors else 200,
    )


@router.get("/support/services/{service_id}/capacity")
def capacity_form(
    request: Request, db: DbSession, principal: Advocate, service_id: int
) -> Response:
    return _capacity_page(request, db, principal, service_id)


@router.post("/support/services/{service_id}/capacity")
async def capacity_submit(
    request: Request, db: DbSession, principal: Advocate, service_id: int
) -> Response:
    support.get_refuge_for_advocate(db, actor=principal, service_id=service_id)
    posted = form_values(await request.form())
    values = {name: _one(posted, name) for name in Vacancies.model_fields}
    try:
        vacancies = Vacancies.model_validate({k: v or 0 for k, v in values.items()})
        support.update_capacity(db, actor=principal, service_id=service_id, vacancies=vacancies)
    except ValidationError as exc:
        errors = errors_from(exc, VACANCY_MESSAGES, default_field="vacant_units")
        return _capacity_page(request, db, principal, service_id, values=values, errors=errors)
    except InvalidSupportInputError as exc:
        errors = {exc.field or "vacant_units": exc.message}
        return _capacity_page(request, db, principal, service_id, values=values, errors=errors)
    return _redirect(request, "/support/capacity", "Vacancies updated.")


# --- directory management (the PCC's office) -----------------------------------------------------


@router.get("/support/directory")
def directory(request: Request, db: DbSession, _principal: Manager) -> Response:
    stale_after = _stale_after(request)
    services = [
        support.service_read(s, stale_after=stale_after)
        for s in support.list_services(db, include_inactive=True)
    ]
    return _page(request, "directory.html", {"services": services})


def _service_values(posted: Mapping[str, Any]) -> dict[str, Any]:
    """What the service form posted, as it is shown again (strings and lists of strings)."""
    values: dict[str, Any] = {
        name: _one(posted, name)
        for name in SERVICE_FIELD_ORDER
        if name not in ("service_types", "areas_covered")
    }
    values["service_types"] = _many(posted, "service_types")
    values["areas_covered"] = _many(posted, "areas_covered")
    return values


def _service_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values in the shapes `ServiceFields` validates."""
    data: dict[str, Any] = {
        name: values[name]
        for name in ("name", "description", "referral_contact", "opening_hours")
        if name in values
    }
    data["communities"] = [line for line in re.split(r"[\r\n]+", values["communities"]) if line]
    data["languages"] = [item for item in re.split(r"[,;]", values["languages"]) if item]
    data["service_types"] = values["service_types"]
    data["areas_covered"] = values["areas_covered"]
    data["oisc_level"] = values["oisc_level"] or None
    data["referral_method"] = values["referral_method"] or None
    for name in ("units", "bedspaces", "nrpf_units", "nrpf_bedspaces"):
        data[name] = values[name] or 0
    for name in ("has_nrpf_support", "is_area_wide", "is_active"):
        data[name] = values[name] == "yes"
    if values.get("organisation_id"):
        data["organisation_id"] = values["organisation_id"]
    return data


def _values_of(service: ServiceRead) -> dict[str, Any]:
    """A stored service as the form shows it."""
    values: dict[str, Any] = {
        name: getattr(service, name)
        for name in ("name", "description", "referral_contact", "opening_hours")
    }
    values["communities"] = "\n".join(service.communities)
    values["languages"] = ", ".join(service.languages)
    values["service_types"] = [str(t) for t in service.service_types]
    values["areas_covered"] = list(service.areas_covered)
    values["oisc_level"] = str(service.oisc_level or "")
    values["referral_method"] = str(service.referral_method)
    for name in ("units", "bedspaces", "nrpf_units", "nrpf_bedspaces"):
        values[name] = str(getattr(service, name))
    for name in ("has_nrpf_support", "is_area_wide", "is_active"):
        values[name] = "yes" if getattr(service, name) else ""
    values["organisation_id"] = str(service.organisation_id)
    return values


def _service_form(
    request: Request,
    db: DbSession,
    *,
    values: Mapping[str, Any],
    service: ServiceRead | None = None,
    errors: FormErrors | None = None,
) -> Response:
    return _page(
        request,
        "service_form.html",
        {
            "service": service,
            "values": values,
            "errors": ordered(errors or {}, SERVICE_FIELD_ORDER),
            "organisations": support.list_support_organisations(db),
            "areas": support.list_areas(db),
            "service_types": list(ServiceType),
            "methods": list(ReferralMethod),
        },
        status_code=400 if errors else 200,
    )


@router.get("/support/directory/new")
def service_new(request: Request, db: DbSession, _principal: Manager) -> Response:
    values = {name: "" for name in SERVICE_FIELD_ORDER} | {
        "service_types": [],
        "areas_covered": [],
        "is_active": "yes",
    }
    return _service_form(request, db, values=values)


@router.post("/support/directory/new")
async def service_create(request: Request, db: DbSession, principal: Manager) -> Response:
    values = _service_values(form_values(await request.form()))
    try:
        data = ServiceCreate.model_validate(_service_data(values))
        created = support.create_service(db, actor=principal, data=data)
    except ValidationError as exc:
        errors = errors_from(exc, SERVICE_MESSAGES, default_field="name")
        return _service_form(request, db, values=values, errors=errors)
    except InvalidSupportInputError as exc:
        return _service_form(request, db, values=values, errors={exc.field or "name": exc.message})
    return _redirect(request, f"/support/services/{created.id}", "Service added.")


@router.get("/support/services/{service_id}/edit")
def service_edit(request: Request, db: DbSession, _principal: Manager, service_id: int) -> Response:
    service = support.service_read(support.get_service_or_raise(db, service_id=service_id))
    return _service_form(request, db, values=_values_of(service), service=service)


@router.post("/support/services/{service_id}/edit")
async def service_update(
    request: Request, db: DbSession, principal: Manager, service_id: int
) -> Response:
    service = support.service_read(support.get_service_or_raise(db, service_id=service_id))
    values = _service_values(form_values(await request.form()))
    values["organisation_id"] = str(service.organisation_id)  # not changed here
    try:
        fields = ServiceFields.model_validate(_service_data(values))
        support.update_service(
            db,
            actor=principal,
            service_id=service_id,
            changes=ServiceUpdate.model_validate(fields.model_dump()),
        )
    except ValidationError as exc:
        errors = errors_from(exc, SERVICE_MESSAGES, default_field="name")
        return _service_form(request, db, values=values, service=service, errors=errors)
    except InvalidSupportInputError as exc:
        errors = {exc.field or "name": exc.message}
        return _service_form(request, db, values=values, service=service, errors=errors)
    return _redirect(request, f"/support/services/{service_id}", "Service updated.")


@router.get("/support/directory/import")
def import_form(request: Request, _principal: Manager) -> Response:
    return _page(request, "import.html", {"errors": {}, "row_errors": []})


def _decode_csv(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


@router.post("/support/directory/import")
async def import_submit(request: Request, db: DbSession, principal: Manager) -> Response:
    upload = (await request.form()).get("file")
    row_errors: list[RowError] = []
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors = {"file": "Choose a CSV file to import"}
    else:
        text = _decode_csv(await upload.read())
        if text is None:
            errors = {"file": "The file must be a CSV file saved as UTF-8"}
        else:
            try:
                summary = support.import_directory_csv(
                    db, actor=principal, source=io.StringIO(text, newline="")
                )
            except CsvImportError as exc:
                row_errors = list(exc.errors)
                errors = {"file": f"{exc.message} Correct the rows listed and import it again"}
            else:
                return _redirect(request, "/support/directory", _import_message(summary))
    return _page(
        request,
        "import.html",
        {"errors": errors, "row_errors": row_errors, "error_summary_title": "Nothing was imported"},
        status_code=400,
    )


def _import_message(summary: ImportSummary) -> str:
    return (
        f"Import complete: {summary.created} service(s) added, {summary.updated} updated, "
        f"{summary.organisations_created} new organisation(s)."
    )


@router.get("/support/directory/export.csv")
def export_csv(db: DbSession, _principal: Manager) -> Response:
    buffer = io.StringIO()
    support.export_directory_csv(db, target=buffer)
    filename = f"support-directory-{utcnow():%Y-%m-%d}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- directory releases --------------------------------------------------------------------------


def _releases_admin_page(
    request: Request,
    db: DbSession,
    principal: Actor,
    *,
    summary: str = "",
    errors: FormErrors | None = None,
) -> Response:
    return _page(
        request,
        "releases_manage.html",
        {
            "releases": support.list_releases(db),
            "coverage": support.release_coverage(db, actor=principal),
            "summary": summary,
            "errors": errors or {},
        },
        status_code=400 if errors else 200,
    )


@router.get("/support/directory/releases")
def releases_manage(request: Request, db: DbSession, principal: Manager) -> Response:
    return _releases_admin_page(request, db, principal)


@router.post("/support/directory/releases")
async def release_publish(request: Request, db: DbSession, principal: Manager) -> Response:
    summary = _one(form_values(await request.form()), "change_summary")
    if len(summary) > 4000:
        errors = {"change_summary": "The summary must be 4,000 characters or fewer"}
        return _releases_admin_page(request, db, principal, summary=summary, errors=errors)
    try:
        release = support.publish_release(db, actor=principal, change_summary=summary)
    except InvalidSupportInputError:
        errors = {"change_summary": "Describe what changed in this release"}
        return _releases_admin_page(request, db, principal, summary=summary, errors=errors)
    return _redirect(
        request, "/support/directory/releases", f"Version {release.version} published."
    )


@router.get("/support/releases")
def releases(request: Request, db: DbSession, principal: Finder) -> Response:
    changes = support.changes_since_acknowledged(db, actor=principal)
    return _page(request, "releases.html", {"changes": changes})


@router.post("/support/releases/acknowledge")
async def release_acknowledge(request: Request, db: DbSession, principal: Finder) -> Response:
    version = _one(form_values(await request.form()), "version")
    if not version.isdigit():
        return _redirect(request, "/support/releases")
    support.acknowledge_release(db, actor=principal, version=int(version))
    return _redirect(request, "/support/releases", f"You have read version {version}.")


# --- performance ---------------------------------------------------------------------------------


def _period(request: Request) -> tuple[str, datetime, datetime]:
    period = request.query_params.get("period", DEFAULT_PERIOD)
    period = period if period in PERIODS else DEFAULT_PERIOD
    end = utcnow()
    return period, end - timedelta(days=int(period)), end


@router.get("/support/performance")
def performance(request: Request, db: DbSession, principal: Staff) -> Response:
    period, start, end = _period(request)
    figures = support.directory_performance(
        db, actor=principal, period_start=start, period_end=end, policy=_disclosure(request)
    )
    return _page(
        request,
        "performance.html",
        {
            "figures": figures,
            "period": period,
            "periods": PERIODS,
            "note": disclosure_note(_disclosure(request)),
        },
    )


@router.get("/support/services/{service_id}/performance")
def service_performance(
    request: Request, db: DbSession, principal: Staff, service_id: int
) -> Response:
    period, start, end = _period(request)
    figures = support.service_performance(
        db,
        actor=principal,
        service_id=service_id,
        period_start=start,
        period_end=end,
        policy=_disclosure(request),
    )
    return _page(
        request,
        "service_performance.html",
        {
            "figures": figures,
            "period": period,
            "periods": PERIODS,
            "note": disclosure_note(_disclosure(request)),
        },
    )


# --- API -----------------------------------------------------------------------------------------


class ServiceList(BaseModel):
    services: list[ServiceRead]
    total: int


@router.get("/api/v1/support/services")
def api_services(request: Request, db: DbSession, _principal: Staff) -> ServiceList:
    stale_after = _stale_after(request)
    services = [support.service_read(s, stale_after=stale_after) for s in support.list_services(db)]
    return ServiceList(services=services, total=len(services))


@router.post(
    "/api/v1/support/services/import",
    response_model=ImportSummary,
    openapi_extra={
        "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
    },
)
async def api_import(request: Request, db: DbSession, principal: Manager) -> Response:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "text/csv":
        return problem(request, 422, code="invalid-input", detail="Send the directory as text/csv.")
    text = _decode_csv(await request.body())
    if text is None:
        return problem(request, 422, code="invalid-input", detail="The CSV must be UTF-8.")
    try:
        summary = support.import_directory_csv(
            db, actor=principal, source=io.StringIO(text, newline="")
        )
    except CsvImportError as exc:
        return problem(
            request,
            422,
            code=exc.code,
            detail=exc.message,
            extra={
                "errors": [
                    {"row": e.row, "field": e.column, "message": e.message} for e in exc.errors
                ]
            },
        )
    return Response(summary.model_dump_json(), media_type="application/json")
