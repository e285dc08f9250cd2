"""Directory releases: publishing a version, and reading what changed since the last one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from safeshare.auth.permissions import Actor
from safeshare.support import service as support
from safeshare.support.errors import InvalidSupportInputError
from safeshare.web.access import DbSession
from safeshare.web.forms import FormErrors, form_values
from safeshare.web.routes.support._common import Finder, Manager, _one, _page, _redirect

router = APIRouter()


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
