"""Start pages: the public landing page and each role's signed-in home."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from safeshare.auth.permissions import Actor
from safeshare.web import navigation
from safeshare.web.access import PUBLIC, SIGNED_IN
from safeshare.web.i18n import translator
from safeshare.web.pages import Pages, public_page

router = APIRouter()
PAGES = Pages("", "home_flash")  # home.html, at the template root


@router.get("/")
def index(request: Request, principal: Annotated[Actor | None, Depends(PUBLIC)]) -> Response:
    if principal is not None:
        return RedirectResponse("/home", status_code=303)
    _ = translator(request)
    return public_page(request, _, "index.html", {})


@router.get("/home")
def home(request: Request, principal: Annotated[Actor, Depends(SIGNED_IN)]) -> Response:
    links = [
        i for i in navigation.items_for(principal.role, request.url.path) if i["href"] != "/home"
    ]
    return PAGES.page(request, "home.html", {"links": links})


@router.get("/healthz")
def health(_principal: Annotated[Actor | None, Depends(PUBLIC)]) -> dict[str, str]:
    return {"status": "ok"}
