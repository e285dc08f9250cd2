"""What the staff reporting pages and API share: who may do what, the acting user as the
services' `Actor`, settings, the vault key provider, page rendering with labels, and the
report lookup that hides other organisations' reports behind a 404.

Not a route module (no router): every module of the package may import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.responses import Response

from safeshare.auth.permissions import Actor, Permission
from safeshare.db.base import utcnow
from safeshare.reporting import service as reporting
from safeshare.reporting import victims_code
from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.errors import ReportErasedError
from safeshare.reporting.schemas import ReportRead, RightRead
from safeshare.reporting.vocabulary import RightStatus
from safeshare.web import deps
from safeshare.web.access import DbSession, require
from safeshare.web.pages import Pages
from safeshare.web.routes.reporting import _forms as forms
from safeshare.web.routes.reporting._forms import Problems

# Who may use each route (the services check the same permissions again).
Reader = Annotated[Actor, Depends(require(Permission.REPORT_READ))]
Intake = Annotated[Actor, Depends(require(Permission.REPORT_CREATE))]
CaseWorker = Annotated[Actor, Depends(require(Permission.CASE_UPDATE))]
Consenter = Annotated[Actor, Depends(require(Permission.CONSENT_RECORD))]
RightsViewer = Annotated[Actor, Depends(require(Permission.RIGHTS_DASHBOARD))]
Approver = Annotated[Actor, Depends(require(Permission.ACCESS_APPROVE))]
Eraser = Annotated[Actor, Depends(require(Permission.REPORT_ERASE))]
PoliceReader = Annotated[Actor, Depends(require(Permission.SEALED_ACCESS_REQUEST))]

SEALED_READ_TAG = deps.SEALED_READ_TAG
FLASH_KEY = "reporting_flash"


# --- helpers -----------------------------------------------------------------------------


def actor(principal: Actor) -> Actor:
    """The signed-in user as the reporting services' `Actor`."""
    return Actor(
        username=principal.username,
        role=principal.role,
        organisation_id=principal.organisation_id,
        team=principal.team,
    )


# The request dependencies live in `web.deps`; these names are what the reporting routes use.
settings = deps.settings
config = deps.reporting_config
key_provider = deps.key_provider
posted_form = deps.posted_form


def today(config: ReportingConfig) -> date:
    """Today in the force's time zone (what due dates are compared with)."""
    return victims_code.local_date(utcnow(), config=config)


def is_overdue(item: RightRead, today: date) -> bool:
    """A Victims' Code item still pending after its due date (the report page and its own)."""
    return item.status == RightStatus.pending and item.due_on is not None and item.due_on < today


VIEW: dict[str, Any] = {
    "crime_type_labels": forms.CRIME_TYPE_LABELS,
    "pathway_labels": forms.PATHWAY_LABELS,
    "status_labels": forms.STATUS_LABELS,
    "status_tags": forms.STATUS_TAGS,
    "key_decision_labels": forms.KEY_DECISION_LABELS,
    "sealed_labels": forms.SEALED_FIELD_LABELS,
    "purpose_labels": forms.CONSENT_PURPOSE_LABELS,
    "method_labels": forms.CONSENT_METHOD_LABELS,
    "delivery_labels": forms.DELIVERY_LABELS,
    "right_status_labels": forms.RIGHT_STATUS_LABELS,
    "update_kind_labels": forms.UPDATE_KIND_LABELS,
    # Nationality group (the public form says so) and status category are for statistics
    # only: not on case pages.
    "monitoring_fields": {
        k: v for k, v in forms.MONITORING_FIELDS.items() if k not in forms.STATISTICS_ONLY_FIELDS
    },
    "trigger_label": forms.trigger_label,
}

PAGES = Pages("reporting", FLASH_KEY, VIEW)


def page(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    *,
    problems: Problems | None = None,
    order: tuple[str, ...] = (),
    status_code: int = 200,
) -> Response:
    """Render `reporting/<name>` with the labels, a pending flash and any field errors."""
    problems = problems or Problems()
    merged = {"errors": problems.errors, "error_list": problems.error_list(order), **context}
    return PAGES.page(request, name, merged, status_code=status_code)


redirect = PAGES.redirect


def visible_report(db: DbSession, principal: Actor, report_id: int) -> ReportRead:
    """The report, or 404 when it does not exist or this advocate's organisation did not make it."""
    return reporting.get_report_or_raise(db, report_id=report_id, actor=actor(principal))


def require_live(report: ReportRead) -> None:
    """410 for an erased report: its sealed details and their forms are gone."""
    if report.erased_at is not None:
        raise ReportErasedError("That report has been erased")
