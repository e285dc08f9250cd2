"""Record facts about a report's subject that the Firewall decides on: page and API.

The Firewall never takes these from a sharing request; staff add them to the report first,
with the source, and each entry is ledgered. Case roles only (officer, supervisor,
disclosure officer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from safeshare.auth.permissions import Actor
from safeshare.reporting import service as reporting
from safeshare.reporting.schemas import ReportRead
from safeshare.reporting.vocabulary import (
    CrimeType,
    FactSource,
    SubjectFact,
    SubjectRole,
    Suspicion,
)
from safeshare.web.access import DbSession
from safeshare.web.openapi import problems
from safeshare.web.routes.reporting import _common as common
from safeshare.web.routes.reporting import _forms as forms
from safeshare.web.routes.reporting._common import CaseWorker
from safeshare.web.routes.reporting._forms import Problems

router = APIRouter()

ROLE_LABELS = {
    SubjectRole.victim: "Victim",
    SubjectRole.witness: "Witness",
    SubjectRole.suspect: "Suspect",
}
SUSPICION_LABELS = {
    Suspicion.none: "No",
    Suspicion.suspected: "Yes, of an offence other than an immigration offence",
    Suspicion.counter_allegation_only: (
        "Only a counter-allegation by the alleged perpetrator (this does not count)"
    ),
}
SOURCE_LABELS = {
    FactSource.victim_account: "What the person told us",
    FactSource.officer_enquiry: "An officer's enquiries",
    FactSource.case_file: "The case file",
    FactSource.support_organisation: "A support organisation",
    FactSource.immigration_adviser: "The person's immigration adviser",
    FactSource.other_agency: "Another agency",
}
YES_NO = [{"value": "yes", "text": "Yes"}, {"value": "no", "text": "No"}]
ORDER = ("role", "crime_types", "receiving_regularisation_support", "suspicion", "is_child")


def _parse(values: Mapping[str, Any]) -> tuple[dict[SubjectFact, Any], FactSource | None, Problems]:
    """The facts answered (blank: unchanged) and their source, or the problems."""
    problems = Problems()
    facts: dict[SubjectFact, Any] = {}
    role = forms.one(values, "role")
    if role:
        if role in set(SubjectRole):
            facts[SubjectFact.role] = role
        else:
            problems.add("role", "Select victim, witness or suspect")
    crimes = forms.many(values, "crime_types")
    if crimes:
        if set(crimes) <= set(CrimeType):
            facts[SubjectFact.crime_types] = crimes
        else:
            problems.add("crime_types", "Select only the crime types listed")
    for name in ("receiving_regularisation_support", "is_child"):
        answer = forms.one(values, name)
        if answer in ("yes", "no"):
            facts[SubjectFact(name)] = answer == "yes"
        elif answer:
            problems.add(name, "Select yes or no")
    suspicion = forms.one(values, "suspicion")
    if suspicion:
        if suspicion in set(Suspicion):
            facts[SubjectFact.suspicion] = suspicion
        else:
            problems.add("suspicion", "Select one of the answers listed")
    if not facts and not problems:
        problems.add("role", "Answer at least one question", anchor="role")
    source = forms.one(values, "source")
    if source not in set(FactSource):
        problems.add("source", "Select where these facts came from")
    return facts, FactSource(source) if source in set(FactSource) else None, problems


def _page(
    request: Request,
    report: ReportRead,
    values: Mapping[str, Any],
    *,
    problems: Problems | None = None,
    status_code: int = 200,
) -> Response:
    return common.page(
        request,
        "facts.html",
        {
            "report": report,
            "values": values,
            "roles": forms.options(ROLE_LABELS),
            "crime_types": forms.options(forms.CRIME_TYPE_LABELS),
            "suspicions": forms.options(SUSPICION_LABELS),
            "sources": forms.options(SOURCE_LABELS),
            "yes_no": YES_NO,
        },
        problems=problems,
        order=(*ORDER, "source"),
        status_code=status_code,
    )


@router.get("/reports/{report_id}/facts/new")
def facts_form(request: Request, db: DbSession, principal: CaseWorker, report_id: int) -> Response:
    """Add facts about the person to the report, for sharing decisions to read."""
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    return _page(request, report, {})


@router.post("/reports/{report_id}/facts/new")
async def facts_submit(
    request: Request, db: DbSession, principal: CaseWorker, report_id: int
) -> Response:
    """Record each answered fact as a new entry on the record, with its source."""
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    values = await common.posted_form(request)
    facts, source, problems = _parse(values)
    if problems or source is None:
        shown = {name: forms.one(values, name) for name in (*ORDER, "source")}
        shown["crime_types"] = forms.many(values, "crime_types")  # type: ignore[assignment]
        return _page(request, report, shown, problems=problems, status_code=400)
    _record(db, principal, report.id, facts, source, request)
    return common.redirect(request, f"/reports/{report.id}#facts", "The facts have been recorded")


def _record(
    db: DbSession,
    principal: Actor,
    report_id: int,
    facts: Mapping[SubjectFact, Any],
    source: FactSource,
    request: Request,
) -> None:
    for fact, value in facts.items():
        reporting.record_fact(
            db,
            report_id=report_id,
            fact=fact,
            value=value,
            source=source,
            actor=common.actor(principal),
            config=common.config(request),
        )


_FACT_VALUES: list[Any] = [  # JSON Schema fragments
    {
        "properties": {"fact": {"const": fact.value}, "value": value},
    }
    for fact, value in (
        (SubjectFact.role, {"enum": [r.value for r in SubjectRole]}),
        (SubjectFact.suspicion, {"enum": [s.value for s in Suspicion]}),
        (
            SubjectFact.crime_types,
            {"type": "array", "minItems": 1, "items": {"enum": [c.value for c in CrimeType]}},
        ),
        (SubjectFact.receiving_regularisation_support, {"type": "boolean"}),
        (SubjectFact.is_child, {"type": "boolean"}),
    )
]


class FactCreate(BaseModel):
    """`POST /api/v1/reports/{id}/facts`: one fact, its value and where it came from."""

    # The contract states which value each fact takes (checked by `reporting.facts`).
    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": list(_FACT_VALUES)})

    fact: SubjectFact
    value: bool | str | list[str]
    source: FactSource


class FactRead(BaseModel):
    """A recorded fact entry."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    fact: SubjectFact
    value: bool | str | list[str]
    source: FactSource
    recorded_by: str
    recorded_at: Any


@router.post("/api/v1/reports/{report_id}/facts", status_code=201, responses=problems(410))
def api_record_fact(
    request: Request, db: DbSession, principal: CaseWorker, report_id: int, body: FactCreate
) -> FactRead:
    """Add one fact to the report's record (a new version); a bad value is a 422 naming `value`."""
    report = common.visible_report(db, principal, report_id)
    common.require_live(report)
    entry = reporting.record_fact(
        db,
        report_id=report.id,
        fact=body.fact,
        value=body.value,
        source=body.source,
        actor=common.actor(principal),
        config=common.config(request),
    )
    return FactRead.model_validate(entry)
