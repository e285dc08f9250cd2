"""Staff reports: take a report, list and search, and the report page with audited "Show"
for sealed details (the report's and its updates' sealed text).

Sealed values leave the server only from routes tagged `SEALED_READ_TAG`: the report
page's "Show" forms and `POST /api/v1/reports/{id}/sealed-reads` (`api`). Each needs a stated
reason, and the service records every field shown as a `vault.read` event (ledger). The
values are rendered into that one response and kept nowhere else (no session, no
redirect). The canary test (tests/web/test_canary.py) relies on the tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from safeshare.auth.permissions import Actor, Permission
from safeshare.auth.roles import Role
from safeshare.errors import InvalidInputError
from safeshare.policy import service as policy_service
from safeshare.policy.models import PolicyDecision, PolicyDisclosure
from safeshare.reporting import sealed_access
from safeshare.reporting import service as reporting
from safeshare.reporting.errors import ReportNotFoundError
from safeshare.reporting.schemas import ReportPage, ReportRead
from safeshare.reporting.vocabulary import SealedField
from safeshare.support import service as support_service
from safeshare.support.models import SupportReferral
from safeshare.web.access import DbSession, StepUp
from safeshare.web.pagination import numbered_pagination
from safeshare.web.routes.reporting import _common as common
from safeshare.web.routes.reporting import _forms as forms
from safeshare.web.routes.reporting._common import (
    SEALED_READ_TAG,
    Intake,
    Reader,
    is_overdue,
)
from safeshare.web.routes.reporting._forms import Problems

router = APIRouter()


def _right_rows(report: ReportRead, today: date) -> list[dict[str, Any]]:
    return [{"item": item, "is_overdue": is_overdue(item, today)} for item in report.rights]


def _report_page(
    request: Request,
    db: DbSession,
    principal: Actor,
    report: ReportRead,
    *,
    problems: Problems | None = None,
    values: Mapping[str, Any] | None = None,
    revealed: Mapping[SealedField, str | None] | None = None,
    revealed_updates: Mapping[int, str | None] | None = None,
    sharing: CaseSharing | None = None,
    status_code: int = 200,
) -> Response:
    may_read, grants = sealed_access.access_summary(
        db, report_id=report.id, actor=common.actor(principal), config=common.config(request)
    )
    return common.page(
        request,
        "report.html",
        {
            "report": report,
            "may_read": may_read,
            "grants": grants,
            "can_ask_access": principal.can(Permission.SEALED_ACCESS_REQUEST),
            "can_assign": principal.can(Permission.ACCESS_APPROVE),
            "access_reasons": forms.options(forms.ACCESS_REASON_LABELS),
            "break_glass_reasons": forms.options(forms.BREAK_GLASS_REASON_LABELS),
            "sealed_fields": list(SealedField),
            "field_options": forms.options(forms.SEALED_FIELD_LABELS),
            "values": values or {},
            "revealed": revealed or {},
            "revealed_updates": revealed_updates or {},
            "rights": _right_rows(report, common.today(common.config(request))),
            "can_update": principal.can(Permission.CASE_UPDATE),
            "can_consent": principal.can(Permission.CONSENT_RECORD),
            "can_mark_rights": principal.can(Permission.CASE_UPDATE),
            "can_share": principal.can(Permission.DECISION_REQUEST),
            "sharing": sharing,
        },
        problems=problems,
        order=("fields", "reason"),
        status_code=status_code,
    )


# --- take a report -----------------------------------------------------------------------


def _new_report_page(
    request: Request,
    principal: Actor,
    values: Mapping[str, Any],
    *,
    problems: Problems | None = None,
    status_code: int = 200,
) -> Response:
    return common.page(
        request,
        "new.html",
        {
            "values": values,
            "is_advocate": principal.role is Role.advocate,
            "crime_types": forms.options(forms.CRIME_TYPE_LABELS),
            "abuse_choices": forms.options(forms.IMMIGRATION_ABUSE_LABELS),
            "monitoring": [
                {"name": name, "label": label, "items": forms.options(labels, blank="Not asked")}
                for name, (label, labels) in forms.MONITORING_FIELDS.items()
            ],
            "purposes": forms.options(forms.CONSENT_PURPOSE_LABELS),
            "methods": forms.method_options(principal.role),
        },
        problems=problems,
        order=forms.REPORT_FIELD_ORDER,
        status_code=status_code,
    )


@router.get("/reports/new")
def new_report_form(request: Request, principal: Intake) -> Response:
    """The officer-taken report (or, for an advocate, the third-party report) form."""
    return _new_report_page(request, principal, forms.report_form_fields({}))


@router.post("/reports/new")
async def new_report_submit(request: Request, db: DbSession, principal: Intake) -> Response:
    """Validate, seal and record the report; show it, or the form again with errors."""
    values = await common.posted_form(request)
    payload, problems = forms.parse_report_form(values, role=principal.role)
    if payload is None:
        shown = forms.report_form_fields(values)
        return _new_report_page(request, principal, shown, problems=problems, status_code=400)
    receipt = reporting.create_report(
        db,
        payload=payload,
        actor=common.actor(principal),
        provider=common.key_provider(request),
        config=common.config(request),
    )
    return common.redirect(
        request, f"/reports/{receipt.report_id}", f"Report {receipt.reference} has been recorded"
    )


# --- list and search ---------------------------------------------------------------------


def _list_params(values: Mapping[str, Any], **overrides: object) -> str:
    keep = {
        key: value
        for key, value in values.items()
        if key != "page" and isinstance(value, str) and value.strip()
    }
    keep.update({k: str(v) for k, v in overrides.items()})
    return urlencode(keep)


def _pagination(values: Mapping[str, Any], result: ReportPage) -> dict[str, Any] | None:
    return numbered_pagination(
        result.page, result.pages, lambda number: f"/reports?{_list_params(values, page=number)}"
    )


@router.get("/reports")
def report_list(request: Request, db: DbSession, principal: Reader) -> Response:
    """Reports, newest first, filtered on unsealed fields only; paginated."""
    config = common.config(request)
    values = {key: request.query_params.get(key, "") for key in request.query_params}
    query, problems = forms.parse_report_query(values, page_size=config.page_size_default)
    result = reporting.search_reports(db, query=query, actor=common.actor(principal), config=config)
    shown: dict[str, Any] = {name: forms.one(values, name) for name in forms.QUERY_FIELDS}
    for name in ("reported_from", "reported_to"):
        shown[name] = forms.date_parts(values, name)
    return common.page(
        request,
        "list.html",
        {
            "values": shown,
            "result": result,
            "first_shown": (result.page - 1) * result.page_size + 1,
            "pagination": _pagination(values, result),
            "is_filtered": any(v for k, v in values.items() if k != "page" and v),
            "crime_types": forms.options(forms.CRIME_TYPE_LABELS, blank="Any"),
            "pathways": forms.options(forms.PATHWAY_LABELS, blank="Any"),
            "statuses": forms.options(forms.STATUS_LABELS, blank="Any"),
            "can_take_report": principal.can(Permission.REPORT_CREATE),
            "is_advocate": principal.role is Role.advocate,
        },
        problems=problems,
        order=("reference", "reported_from", "reported_to", "crime_type", "pathway", "status"),
        status_code=400 if problems else 200,
    )


# --- the report page and audited reads ---------------------------------------------------


@router.get("/reports/{report_id}")
def report_detail(request: Request, db: DbSession, principal: Reader, report_id: int) -> Response:
    """A report's unsealed details (sealed ones stay hidden until shown with a reason), and
    every sharing decision made about it, for the roles that may read decisions."""
    report = common.visible_report(db, principal, report_id)
    sharing = (
        CaseSharing(
            facts=None
            if report.erased_at is not None
            else reporting.subject_facts(db, report_id=report.id),
            decisions=policy_service.list_decisions(db, report_ref=report.reference, limit=500),
            referrals=support_service.list_referrals_for_report(db, report_id=report.id),
            disclosures=policy_service.list_disclosures(db, report_ref=report.reference, limit=500),
        )
        if principal.can(Permission.DECISION_READ)
        else None
    )
    return _report_page(request, db, principal, report, sharing=sharing)


@dataclass(frozen=True)
class CaseSharing:
    """The facts sharing decisions read, and everything shared or asked about a report:
    decisions, referrals, disclosures."""

    facts: reporting.SubjectFacts | None
    decisions: list[PolicyDecision]
    referrals: list[SupportReferral]
    disclosures: list[PolicyDisclosure]


@router.post("/reports/{report_id}/sealed", tags=[SEALED_READ_TAG])
async def report_show_sealed(
    request: Request,
    db: DbSession,
    principal: Reader,
    report_id: int,
    _fresh: Annotated[None, StepUp],
) -> Response:
    """Show the chosen sealed details in this response only; each field read is recorded."""
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    values = await common.posted_form(request)
    fields, reason, problems = forms.parse_show_form(values)
    shown = {"fields": forms.many(values, "fields"), "reason": reason}
    if problems:
        return _report_page(
            request, db, principal, report, problems=problems, values=shown, status_code=400
        )
    try:
        revealed = reporting.reveal_sealed_fields(
            db,
            report_id=report.id,
            fields=fields,
            actor=common.actor(principal),
            reason=reason,
            provider=common.key_provider(request),
            config=common.config(request),
        )
    except InvalidInputError as exc:
        problems.add("reason", exc.message)
        return _report_page(
            request, db, principal, report, problems=problems, values=shown, status_code=400
        )
    return _report_page(request, db, principal, report, values=shown, revealed=revealed)


@router.post("/reports/{report_id}/updates/{update_id}/sealed", tags=[SEALED_READ_TAG])
async def update_show_text(
    request: Request,
    db: DbSession,
    principal: Reader,
    report_id: int,
    update_id: int,
    _fresh: Annotated[None, StepUp],
) -> Response:
    """Show one update's sealed text in this response only, recorded with the reason."""
    report = common.visible_report(db, principal, report_id)
    if update_id not in {u.id for u in report.updates if u.has_text}:
        raise ReportNotFoundError("That update does not exist")
    common.require_live(report)
    values = await common.posted_form(request)
    reason = forms.one(values, "reason")
    name = f"update-{update_id}-reason"
    problems = Problems()
    message = forms.reason_problem(reason)
    if message:
        problems.add(name, message)
        return _report_page(
            request,
            db,
            principal,
            report,
            problems=problems,
            values={name: reason},
            status_code=400,
        )
    text = reporting.reveal_update_text(
        db,
        update_id=update_id,
        actor=common.actor(principal),
        reason=reason,
        provider=common.key_provider(request),
        config=common.config(request),
    )
    return _report_page(
        request, db, principal, report, values={name: reason}, revealed_updates={update_id: text}
    )
