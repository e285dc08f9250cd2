"""Subject access and rectification for disclosure officers: produce the bundle (JSON or
PDF, downloaded, never stored) with exemptions, and correct a sealed detail."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, StringConstraints
from starlette.responses import Response

from safeshare.auth.permissions import Actor, Permission
from safeshare.errors import SafeShareError
from safeshare.reporting.vocabulary import SealedField
from safeshare.subject_access import service
from safeshare.subject_access.pdf import bundle_pdf
from safeshare.web.deps import DbSession, key_provider, posted_form, require
from safeshare.web.forms import FormErrors, validate_form
from safeshare.web.navigation import NavItem
from safeshare.web.pages import Pages

router = APIRouter()
PAGE = "/subject-access"
NAV_ITEMS: list[NavItem] = [NavItem("Subject access", PAGE, Permission.SUBJECT_ACCESS)]
SubjectAccessOfficer = Annotated[Actor, Depends(require(Permission.SUBJECT_ACCESS))]
PAGES = Pages("subject_access", "subject_access_flash")

Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
_EXEMPTION = re.compile(r"^\s*([a-z_]+\.[A-Za-z0-9_]+)\s*=\s*(.+?)\s*$")


class BundleForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    report_ref: Reference
    verification_note: Text
    exemptions: Annotated[str, StringConstraints(max_length=20_000)] = ""
    format: Literal["json", "pdf"]


class RectifyForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    rectify_report_ref: Reference
    field: SealedField
    value: Text
    reason: Text


BUNDLE_MESSAGES = {
    "report_ref": "Enter the report reference the person is identified by",
    "verification_note": "Enter how the person's identity was verified",
    "exemptions": "Write each exemption on its own line as field = reason",
    "format": "Select JSON or PDF",
}
RECTIFY_MESSAGES = {
    "rectify_report_ref": "Enter the report reference",
    "field": "Select the detail to correct",
    "value": "Enter the corrected detail",
    "reason": "Enter why the detail is corrected",
}


def _page(
    request: Request,
    values: dict[str, Any] | None = None,
    errors: FormErrors | None = None,
    *,
    status_code: int = 200,
) -> Response:
    shown = {k: v for k, v in (values or {}).items() if k != "value"}  # never echo a sealed value
    return PAGES.page(
        request,
        "index.html",
        {
            "values": shown,
            "errors": errors or {},
            "fields": [{"value": "", "text": "Select a detail"}]
            + [
                {"value": f.value, "text": f.value.replace("_", " ").capitalize()}
                for f in SealedField
            ],
        },
        status_code=status_code,
    )


def _exemptions(text: str, errors: FormErrors) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        match = _EXEMPTION.match(line)
        if match is None:
            errors["exemptions"] = BUNDLE_MESSAGES["exemptions"]
            return {}
        parsed[match[1]] = match[2]
    return parsed


@router.get(PAGE)
def subject_access(request: Request, _principal: SubjectAccessOfficer) -> Response:
    """Produce a subject access bundle, or correct a detail."""
    return _page(request)


@router.post(PAGE)
async def produce(request: Request, db: DbSession, principal: SubjectAccessOfficer) -> Response:
    """Produce the bundle and download it; every sealed read and the bundle are recorded."""
    values = await posted_form(request)
    form, errors = validate_form(BundleForm, values, BUNDLE_MESSAGES)
    exemptions = _exemptions(form.exemptions, errors) if form is not None else {}
    if form is not None and not errors:
        try:
            record, bundle = service.produce_bundle(
                db,
                report_ref=form.report_ref,
                verification_note=form.verification_note,
                exemptions=exemptions,
                actor=principal.username,
                actor_role=principal.role,
                provider=key_provider(request),
            )
        except SafeShareError as exc:
            if exc.field not in BUNDLE_MESSAGES and exc.field is not None:
                raise
            errors = {exc.field or "report_ref": exc.message}
        else:
            name = f"subject-access-{record.id}.{form.format}"
            # Signed-in pages are already `Cache-Control: no-store` (web/middleware.py).
            headers = {"Content-Disposition": f'attachment; filename="{name}"'}
            if form.format == "pdf":
                return Response(bundle_pdf(bundle), media_type="application/pdf", headers=headers)
            body = json.dumps(bundle, indent=2, ensure_ascii=False)
            return Response(body, media_type="application/json", headers=headers)
    return _page(request, values, errors, status_code=400)


@router.post(f"{PAGE}/rectify")
async def rectify(request: Request, db: DbSession, principal: SubjectAccessOfficer) -> Response:
    """Correct one sealed detail at the person's request (recorded, ledgered by name)."""
    values = await posted_form(request)
    form, errors = validate_form(RectifyForm, values, RECTIFY_MESSAGES)
    if form is not None:
        try:
            service.rectify_sealed_field(
                db,
                report_ref=form.rectify_report_ref,
                field=form.field,
                value=form.value,
                reason=form.reason,
                actor=principal.username,
                actor_role=principal.role,
                provider=key_provider(request),
            )
        except SafeShareError as exc:
            field = "rectify_report_ref" if exc.field == "report_ref" else exc.field
            if field not in RECTIFY_MESSAGES:
                raise
            errors = {str(field): exc.message}
        else:
            return PAGES.redirect(request, PAGE, "The correction has been recorded.")
    return _page(request, values, errors, status_code=400)
