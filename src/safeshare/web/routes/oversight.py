"""Oversight pages: statistics with disclosure control (charts, tables, CSV, the PDF assurance
report), outcomes after a share, and the recommendations tracker.

Statistics are for the PCC's analysts, inspectors and administrators, and every figure is
disclosure-controlled by the service before it reaches a page, a CSV or the PDF. Inspectors
only read: no POST route here admits them. Disclosure officers record outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from markupsafe import Markup
from starlette.datastructures import QueryParams
from starlette.responses import Response

from safeshare.auth.permissions import Actor, Permission
from safeshare.config import Settings
from safeshare.db.base import utcnow
from safeshare.errors import SafeShareError
from safeshare.oversight import charts, pdf, publication, service
from safeshare.oversight.assurance import build_assurance_report
from safeshare.oversight.schemas import (
    DEFAULT_DIMENSIONS,
    OutcomeCreate,
    RecommendationCreate,
    RecommendationUpdate,
    StatisticsFilters,
    default_period,
)
from safeshare.oversight.sections import DIMENSION_TITLES, MEASURE_TITLES
from safeshare.oversight.statistics import TIMEZONE, Measure
from safeshare.oversight.vocabulary import (
    LABELS,
    OUTCOME_SOURCE_LABELS,
    OUTCOME_SOURCES_OFFERED,
    CaseOutcome,
    ImmigrationOutcome,
    OutcomeTrack,
    RecommendationStatus,
    label,
)
from safeshare.web.access import DbSession, require
from safeshare.web.forms import FormErrors, form_values, validate_form
from safeshare.web.navigation import NavItem
from safeshare.web.pages import Pages

router = APIRouter()

Analyst = Annotated[Actor, Depends(require(Permission.STATS_READ))]
Viewer = Annotated[Actor, Depends(require(Permission.RECOMMENDATIONS_READ))]
Editor = Annotated[Actor, Depends(require(Permission.RECOMMENDATIONS_EDIT))]
OutcomeRecorder = Annotated[Actor, Depends(require(Permission.OUTCOME_RECORD))]

# Service navigation entries for this feature, registered by the app factory.
NAV_ITEMS: list[NavItem] = [
    NavItem("Statistics", "/oversight/statistics", Permission.STATS_READ),
    NavItem("Recommendations", "/oversight/recommendations", Permission.RECOMMENDATIONS_READ),
    NavItem("Outcomes after sharing", "/oversight/outcomes", Permission.OUTCOME_RECORD),
]

DATE_PARTS = ("day", "month", "year")
DATE_LABELS = {"from": "Start date", "to": "End date"}
MAX_ID = 2**31 - 1
PAGES = Pages("oversight", "oversight_flash")


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _today() -> date:
    return utcnow().astimezone(TIMEZONE).date()


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# --- filters --------------------------------------------------------------------------------


@dataclass
class FilterForm:
    """The statistics filter as submitted: what to show again, the parsed filters, errors."""

    values: dict[str, Any]
    filters: StatisticsFilters | None
    errors: FormErrors = field(default_factory=dict)


def _date_from(
    params: QueryParams, name: str, fallback: date, *, label_text: str | None = None
) -> tuple[date | None, str | None, dict[str, str]]:
    """A GOV.UK date input (`name-day`...), else an ISO `name`, else `fallback`."""
    title = label_text or DATE_LABELS[name]
    parts = {p: params.get(f"{name}-{p}", "").strip()[:10] for p in DATE_PARTS}
    iso = params.get(name, "").strip()[:10]
    if not any(parts.values()):
        if iso:
            try:
                value = date.fromisoformat(iso)
            except ValueError:
                return None, f"{title} must be a real date", parts
            return (
                value,
                None,
                {"day": str(value.day), "month": str(value.month), "year": str(value.year)},
            )
        return (
            fallback,
            None,
            {
                "day": str(fallback.day),
                "month": str(fallback.month),
                "year": str(fallback.year),
            },
        )
    missing = [p for p in DATE_PARTS if not parts[p]]
    if missing:
        return None, f"{title} must include a {' and '.join(missing)}", parts
    try:
        if len(parts["year"]) != 4:
            raise ValueError
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"])), None, parts
    except ValueError:
        return None, f"{title} must be a real date", parts


def _filters_from(params: QueryParams) -> FilterForm:
    """Filters from the query: GOV.UK date inputs (from-day...) or ISO dates (from=, to=)."""
    start_default, end_default = default_period(_today())
    start, start_error, start_parts = _date_from(params, "from", start_default)
    end, end_error, end_parts = _date_from(params, "to", end_default)
    dimensions = [d for raw in params.getlist("dimensions") for d in raw.split(",") if d]
    values: dict[str, Any] = {
        "from": start_parts,
        "to": end_parts,
        "force": params.get("force", "").strip()[:200],
        "dimensions": dimensions or [d.value for d in DEFAULT_DIMENSIONS],
        "measure": params.get("measure", Measure.case_status.value)[:40],
    }
    errors: FormErrors = {}
    if start_error:
        errors["from-day"] = start_error
    if end_error:
        errors["to-day"] = end_error
    if errors:
        return FilterForm(values, None, errors)
    data, problems = validate_form(
        StatisticsFilters,
        {
            "start": start,
            "end": end,
            "force": values["force"],
            "dimensions": values["dimensions"],
            "measure": values["measure"],
        },
        {"measure": "Choose what to count", "force": "Choose a force"},
    )
    for key, text in problems.items():
        errors[{"end": "to-day", "start": "from-day"}.get(key, key)] = text
    return FilterForm(values, data, errors)


def _section_context(request: Request, db: DbSession, key: str, form: FilterForm) -> dict[str, Any]:
    settings = _settings(request)
    page = None
    if form.filters is not None:
        page = service.statistics_section(db, section=key, filters=form.filters, settings=settings)
    query = form.filters.query() if form.filters else {}
    tables = []
    if page is not None:
        for table in page.tables:
            tables.append(
                {
                    "table": table,
                    "svg": Markup(charts.render_svg(table)),  # noqa: S704 (escaped in charts)
                    "csv": f"/oversight/statistics/{key}/{table.key}.csv?{urlencode(query)}",
                }
            )
    return {
        "sections": service.SECTION_TITLES,
        "current": key,
        "page": page,
        "tables": tables,
        "form": form,
        "errors": form.errors,
        "forces": service.known_forces(db, settings=settings),
        "dimensions": DIMENSION_TITLES,
        "measures": MEASURE_TITLES,
        "query": urlencode(query),
        "period_text": (
            f"{_day(form.filters.start)} to {_day(form.filters.end)} (whole calendar months, "
            "so overlapping periods cannot be subtracted to single anyone out)"
            if form.filters
            else ""
        ),
        "force_text": (form.filters.force or "All forces") if form.filters else "",
    }


def _statistics(request: Request, db: DbSession, key: str) -> Response:
    form = _filters_from(request.query_params)
    return PAGES.page(
        request,
        "statistics.html",
        _section_context(request, db, key, form),
        status_code=400 if form.errors else 200,
    )


@router.get("/oversight/statistics")
def statistics_page(request: Request, _principal: Analyst, db: DbSession) -> Response:
    """Share requests: the first statistics page."""
    return _statistics(request, db, "sharing")


@router.get("/oversight/statistics/{section}")
def statistics_section_page(
    request: Request,
    _principal: Analyst,
    db: DbSession,
    section: Annotated[str, Path(max_length=40)],
) -> Response:
    """Any other statistics page (404 for an unknown one)."""
    return _statistics(request, db, section)


@router.get("/oversight/statistics/{section}/{table}.csv")
def statistics_csv(
    request: Request,
    _principal: Analyst,
    db: DbSession,
    section: Annotated[str, Path(max_length=40)],
    table: Annotated[str, Path(max_length=60)],
) -> Response:
    """One table as CSV, after the same disclosure control as the page."""
    form = _filters_from(request.query_params)
    if form.filters is None:
        raise _BadFilters("; ".join(form.errors.values()))
    page = service.statistics_section(
        db, section=section, filters=form.filters, settings=_settings(request)
    )
    found = next((t for t in page.tables if t.key == table), None)
    if found is None:
        raise service.SectionNotFoundError(f"no table {table!r} on this page")
    name = f"safeshare-{section}-{table}-{form.filters.start}-{form.filters.end}.csv"
    return Response(
        service.table_csv(found, filters=form.filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class _BadFilters(SafeShareError):
    code = "invalid_filters"
    status = 400


@router.get("/oversight/assurance-report")
def assurance_page(request: Request, _principal: Analyst, db: DbSession) -> Response:
    """Choose the period and force for the PDF assurance report; a valid choice goes on to
    the download (so errors are shown on this form, not as a failed download)."""
    form = _filters_from(request.query_params)
    if form.filters is not None and request.query_params.get("download"):
        query = urlencode(form.filters.query())
        return PAGES.redirect(request, f"/oversight/assurance-report.pdf?{query}")
    return PAGES.page(
        request,
        "assurance.html",
        {
            "form": form,
            "errors": form.errors,
            "forces": service.known_forces(db, settings=_settings(request)),
        },
        status_code=400 if form.errors else 200,
    )


@router.get("/oversight/assurance-report.pdf")
def assurance_pdf(request: Request, principal: Analyst, db: DbSession) -> Response:
    """The assurance report as a PDF: cover summary, charts, tables, ledger state."""
    form = _filters_from(request.query_params)
    if form.filters is None:
        raise _BadFilters("; ".join(form.errors.values()))
    report = build_assurance_report(
        db, filters=form.filters, settings=_settings(request), actor_role=principal.role
    )
    name = f"safeshare-assurance-{form.filters.start}-{form.filters.end}.pdf"
    return Response(
        pdf.render_pdf(report),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- outcomes after a share -----------------------------------------------------------------


def _outcome_choices(track: OutcomeTrack) -> list[dict[str, str]]:
    values = ImmigrationOutcome if track is OutcomeTrack.immigration else CaseOutcome
    dimension = "immigration_outcome" if track is OutcomeTrack.immigration else "case_outcome"
    return [{"value": v.value, "text": label(dimension, v.value)} for v in values]


@router.get("/oversight/outcomes")
def outcomes_page(request: Request, principal: OutcomeRecorder, db: DbSession) -> Response:
    """The disclosure officer's list: overdue follow-ups first, then recent disclosures."""
    found = service.follow_up_list(
        db,
        actor_role=principal.role,
        follow_up_days=_settings(request).outcome_follow_up_days,
    )
    return PAGES.page(
        request,
        "outcomes.html",
        {"found": found, "label": label, "day": _day},
    )


def _outcome_context(
    request: Request, db: DbSession, principal: Actor, disclosure_id: int
) -> dict[str, Any]:
    follow = service.get_follow_up(
        db,
        disclosure_id=disclosure_id,
        actor_role=principal.role,
        follow_up_days=_settings(request).outcome_follow_up_days,
    )
    return {
        "follow": follow,
        "label": label,
        "day": _day,
        "immigration_choices": _outcome_choices(OutcomeTrack.immigration),
        "case_choices": _outcome_choices(OutcomeTrack.case),
        "source_choices": [
            {"value": v.value, "text": OUTCOME_SOURCE_LABELS[v]} for v in OUTCOME_SOURCES_OFFERED
        ],
    }


@router.get("/oversight/outcomes/{disclosure_id}")
def outcome_page(
    request: Request,
    principal: OutcomeRecorder,
    db: DbSession,
    disclosure_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """One disclosure, what has been recorded after it, and the form to add more."""
    context = _outcome_context(request, db, principal, disclosure_id)
    context.update({"errors": {}, "values": {}})
    return PAGES.page(request, "outcome.html", context)


OUTCOME_MESSAGES = {
    "track": "Select whether this is about Immigration Enforcement or the criminal case",
    "outcome": "Select what happened",
    "occurred_on": "Enter the date it happened",
    "source": "Select where this information came from",
}


@router.post("/oversight/outcomes/{disclosure_id}")
async def outcome_submit(
    request: Request,
    principal: OutcomeRecorder,
    db: DbSession,
    disclosure_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """Record one outcome; PRG back to the disclosure."""
    values = form_values(await request.form())
    track = str(values.get("track", ""))
    chosen = str(values.get(f"outcome-{track}", "")) if track in ("immigration", "case") else ""
    on, date_error, parts = _date_from(
        QueryParams(values), "occurred", _today(), label_text="The date"
    )
    parsed = {
        "track": track,
        "outcome": chosen,
        "occurred_on": on.isoformat() if on else "",
        "source": str(values.get("source", "")),
    }
    errors: FormErrors = {}
    if not any(str(values.get(f"occurred-{p}", "")) for p in DATE_PARTS):
        errors["occurred-day"] = "Enter the date it happened"
    elif date_error:
        errors["occurred-day"] = date_error
    data, problems = validate_form(OutcomeCreate, parsed, OUTCOME_MESSAGES)
    for key, text in problems.items():
        if key == "occurred_on":
            errors.setdefault("occurred-day", text)
        elif key == "outcome":
            errors.setdefault(
                f"outcome-{track}" if track in ("immigration", "case") else "track", text
            )
        else:
            errors[key] = text
    errors = {
        k: errors[k]
        for k in ("track", "outcome-immigration", "outcome-case", "occurred-day", "source")
        if k in errors
    }
    if data is not None and not errors:
        try:
            service.record_outcome(
                db,
                disclosure_id=disclosure_id,
                data=data,
                actor=principal.username,
                actor_role=principal.role,
            )
        except SafeShareError as exc:
            if exc.field != "occurred_on":
                raise
            errors["occurred-day"] = exc.message
        else:
            return PAGES.redirect(
                request,
                f"/oversight/outcomes/{disclosure_id}",
                label("immigration_outcome" if track == "immigration" else "case_outcome", chosen),
            )
    context = _outcome_context(request, db, principal, disclosure_id)
    context.update(
        {
            "errors": errors,
            "values": {
                "track": track,
                "outcome": chosen,
                "occurred": parts,
                "source": parsed["source"],
            },
        }
    )
    return PAGES.page(request, "outcome.html", context, status_code=400)


# --- recommendations ------------------------------------------------------------------------


def _recommendation_rows(records: list[Any], today: date) -> list[dict[str, Any]]:
    return [
        {
            "record": r,
            "status": label("recommendation_status", r.status),
            "is_overdue": r.is_overdue(today),
        }
        for r in records
    ]


@router.get("/oversight/recommendations")
def recommendations_page(request: Request, principal: Viewer, db: DbSession) -> Response:
    """The tracker: every recommendation, its due date and status, overdue flagged."""
    records = service.list_recommendations(db, actor_role=principal.role)
    rows = _recommendation_rows(records, _today())
    return PAGES.page(
        request,
        "recommendations.html",
        {
            "rows": rows,
            "overdue": sum(1 for row in rows if row["is_overdue"]),
            "can_edit": principal.can(Permission.RECOMMENDATIONS_EDIT),
            "day": _day,
        },
    )


STATUS_CHOICES = [
    {"value": s.value, "text": LABELS["recommendation_status"][s.value]}
    for s in RecommendationStatus
]
RECOMMENDATION_MESSAGES = {
    "status": "Select the status",
    "response_due_on": "Enter the date the response is due",
    "response_date": "Enter a real date for the response",
    "source": "Enter the report the recommendation comes from",
    "number": "Enter the recommendation's number, from 1 to 999",
    "title": "Enter a short title",
    "text": "Enter the recommendation",
    "recipients": "Enter who the recommendation is for",
    "report_date": "Enter the date of the report",
}
_DATE_FIELDS = {"response_due_on": "due", "response_date": "responded", "report_date": "reported"}


def _recommendation_values(values: dict[str, Any]) -> tuple[dict[str, Any], FormErrors]:
    """Form fields to model input: dates from their three parts, recipients one per line."""
    parsed: dict[str, Any] = {
        k: v for k, v in values.items() if k.split("-")[0] not in _DATE_FIELDS.values()
    }
    errors: FormErrors = {}
    for name, prefix in _DATE_FIELDS.items():
        parts = {p: str(values.get(f"{prefix}-{p}", "")).strip() for p in DATE_PARTS}
        if not any(parts.values()):
            if f"{prefix}-day" in values:
                parsed[name] = None
            continue
        try:
            if len(parts["year"]) != 4:
                raise ValueError
            parsed[name] = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            errors[f"{prefix}-day"] = "Enter a real date, for example 27 3 2021"
    if "recipients" in parsed:
        parsed["recipients"] = [
            line.strip() for line in str(parsed["recipients"]).splitlines() if line.strip()
        ]
    return parsed, errors


def _field_id(name: str) -> str:
    return f"{_DATE_FIELDS[name]}-day" if name in _DATE_FIELDS else name


def _date_parts(value: date | None) -> dict[str, str]:
    if value is None:
        return {"day": "", "month": "", "year": ""}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}


def _form_page(
    request: Request,
    *,
    record: Any,
    values: dict[str, Any],
    errors: FormErrors,
    status_code: int = 200,
) -> Response:
    return PAGES.page(
        request,
        "recommendation_form.html",
        {
            "record": record,
            "values": values,
            "errors": errors,
            "statuses": STATUS_CHOICES,
            "day": _day,
        },
        status_code=status_code,
    )


def _values_of(record: Any) -> dict[str, Any]:
    return {
        "due": _date_parts(record.response_due_on),
        "responded": _date_parts(record.response_date),
        "response_text": record.response_text or "",
        "status": record.status,
        "evidence": record.evidence or "",
    }


def _echo(values: dict[str, Any]) -> dict[str, Any]:
    """What the user typed, to show again after an error."""
    shown: dict[str, Any] = {k: v for k, v in values.items() if isinstance(v, str)}
    for prefix in _DATE_FIELDS.values():
        shown[prefix] = {p: str(values.get(f"{prefix}-{p}", ""))[:10] for p in DATE_PARTS}
    return shown


@router.get("/oversight/recommendations/new")
def new_recommendation_page(request: Request, _principal: Editor) -> Response:
    """The form to track a recommendation from another report."""
    return _form_page(
        request,
        record=None,
        values={"status": RecommendationStatus.awaiting_response.value},
        errors={},
    )


@router.post("/oversight/recommendations")
async def create_recommendation(request: Request, principal: Editor, db: DbSession) -> Response:
    """Track a new recommendation; PRG to the tracker."""
    values = form_values(await request.form())
    parsed, errors = _recommendation_values(values)
    data, problems = validate_form(RecommendationCreate, parsed, RECOMMENDATION_MESSAGES)
    errors |= {_field_id(k): v for k, v in problems.items() if _field_id(k) not in errors}
    if data is not None and not errors:
        try:
            made = service.create_recommendation(
                db, data=data, actor=principal.username, actor_role=principal.role
            )
        except SafeShareError as exc:
            if exc.field is None:
                raise
            errors[_field_id(exc.field)] = exc.message
        else:
            return PAGES.redirect(
                request,
                "/oversight/recommendations",
                f"Recommendation {made.number} is now tracked.",
            )
    return _form_page(request, record=None, values=_echo(values), errors=errors, status_code=400)


@router.get("/oversight/recommendations/{recommendation_id}")
def recommendation_page(
    request: Request,
    principal: Viewer,
    db: DbSession,
    recommendation_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """One recommendation and the response to it."""
    record = service.get_recommendation_or_raise(
        db, recommendation_id=recommendation_id, actor_role=principal.role
    )
    return PAGES.page(
        request,
        "recommendation.html",
        {
            "record": record,
            "status": label("recommendation_status", record.status),
            "is_overdue": record.is_overdue(_today()),
            "can_edit": principal.can(Permission.RECOMMENDATIONS_EDIT),
            "can_publish": principal.can(Permission.RECOMMENDATIONS_EDIT)
            and bool(record.response_text and record.response_date),
            "day": _day,
        },
    )


@router.post("/oversight/recommendations/{recommendation_id}/publish")
def publish_recommendation(
    principal: Editor,
    request: Request,
    db: DbSession,
    recommendation_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """Approve the recorded response for the public page; PRG to the recommendation."""
    publication.approve_publication(
        db,
        recommendation_id=recommendation_id,
        actor=principal.username,
        actor_role=principal.role,
    )
    return PAGES.redirect(
        request,
        f"/oversight/recommendations/{recommendation_id}",
        "Response approved and published.",
    )


@router.get("/oversight/recommendations/{recommendation_id}/edit")
def edit_recommendation_page(
    request: Request,
    principal: Editor,
    db: DbSession,
    recommendation_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """The form to record a response, status, evidence or new due date."""
    record = service.get_recommendation_or_raise(
        db, recommendation_id=recommendation_id, actor_role=principal.role
    )
    return _form_page(request, record=record, values=_values_of(record), errors={})


@router.post("/oversight/recommendations/{recommendation_id}")
async def update_recommendation(
    request: Request,
    principal: Editor,
    db: DbSession,
    recommendation_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Response:
    """Save the response; PRG to the recommendation."""
    record = service.get_recommendation_or_raise(
        db, recommendation_id=recommendation_id, actor_role=principal.role
    )
    values = form_values(await request.form())
    parsed, errors = _recommendation_values(values)
    data, problems = validate_form(RecommendationUpdate, parsed, RECOMMENDATION_MESSAGES)
    errors |= {_field_id(k): v for k, v in problems.items() if _field_id(k) not in errors}
    if data is not None and not errors:
        try:
            service.update_recommendation(
                db,
                recommendation_id=recommendation_id,
                data=data,
                actor=principal.username,
                actor_role=principal.role,
            )
        except SafeShareError as exc:
            if exc.field is None:
                raise
            errors[_field_id(exc.field)] = exc.message
        else:
            return PAGES.redirect(
                request,
                f"/oversight/recommendations/{recommendation_id}",
                "Recommendation updated.",
            )
    return _form_page(request, record=record, values=_echo(values), errors=errors, status_code=400)
