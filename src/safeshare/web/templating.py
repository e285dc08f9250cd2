"""Jinja2 environment with GOV.UK Frontend macros and the per-request page context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from starlette.responses import Response

from safeshare.auth.roles import ROLE_LABELS
from safeshare.web import navigation
from safeshare.web.access import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def _page_context(request: Request) -> dict[str, Any]:
    principal = getattr(request.state, "principal", None)
    role = principal.role if principal is not None else None
    return {
        "principal": principal,
        "role_label": ROLE_LABELS.get(role) if role is not None else None,
        "csrf_token": csrf_token(request),
        "nav_items": navigation.items_for(role, request.url.path),
        "request_id": getattr(request.state, "request_id", ""),
    }


def build_templates() -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES_DIR),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return Jinja2Templates(env=env, context_processors=[_page_context])


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """Render a page template (Starlette 1.x signature)."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)
