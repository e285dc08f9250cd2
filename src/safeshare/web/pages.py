"""The one page/redirect/flash helper: every feature renders its pages, shows a one-off
message after a redirect (POST-redirect-GET) and links its error summary the same way.

The public pages (no sign-in, translated) use `public_page` and `too_many` instead.

A feature makes one `Pages` (its template folder, its flash key, the labels its templates
use) and calls `page` and `redirect`; the pages at the template root (sign-in, home) use
the empty folder. Flash messages hold references only, never sealed text: the session
cookie is signed, not encrypted. A flash is a short message, or a small JSON-able mapping
for a page that shows a structured outcome (the ledger's full verification).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from safeshare.web.forms import error_list
from safeshare.web.i18n import Translator, template_context
from safeshare.web.templating import render

Flash = str | Mapping[str, Any]


@dataclass(frozen=True)
class Pages:
    """One feature's pages: templates under `folder/` (at the root when `folder` is ""),
    flashes under `flash_key`."""

    folder: str
    flash_key: str
    view: Mapping[str, Any] = field(default_factory=dict)

    def flash(self, request: Request, message: Flash) -> None:
        """Show `message` on the next page of this feature (references only)."""
        request.session[self.flash_key] = message

    def page(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any],
        *,
        status_code: int = 200,
    ) -> Response:
        """Render `folder/name` with the feature's labels, any pending flash and, when the
        context has `errors`, the GOV.UK error summary list linked to the fields."""
        merged: dict[str, Any] = {
            **self.view,
            "flash": request.session.pop(self.flash_key, None),
            **context,
        }
        errors = merged.setdefault("errors", {})
        merged.setdefault("error_list", error_list(errors))
        if merged.get("error_summary_title") is None:
            merged.pop("error_summary_title", None)  # the layout's default title applies
        return render(request, self.template(name), merged, status_code=status_code)

    def template(self, name: str) -> str:
        """The template path of page `name`."""
        return f"{self.folder}/{name}" if self.folder else name

    def redirect(self, request: Request, path: str, flash: Flash | None = None) -> Response:
        """POST-redirect-GET (303), with an optional flash for the page it lands on."""
        if flash:
            self.flash(request, flash)
        return RedirectResponse(path, status_code=303)


def public_page(
    request: Request,
    _: Translator,
    template: str,
    context: Mapping[str, Any],
    *,
    errors: Mapping[str, str] | None = None,
    anchors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """A public page in the reader's language, with the GOV.UK error summary linked to the
    fields (or to the element in `anchors`)."""
    full = {**template_context(request, _), "errors": errors or {}, **context}
    if errors:
        full["error_list"] = error_list(errors, anchors=anchors)
    return render(request, template, full, status_code=status_code)


def too_many(request: Request, _: Translator, wait: int) -> Response:
    """429 "try again in `wait` seconds" for a public post that was rate limited."""
    response = public_page(
        request, _, "public_report/too_many.html", {"wait": wait}, status_code=429
    )
    response.headers["Retry-After"] = str(wait)
    return response
