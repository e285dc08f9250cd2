"""The one page/redirect/flash helper: every feature renders its pages, shows a one-off
message after a redirect (POST-redirect-GET) and links its error summary the same way.

A feature makes one `Pages` (its template folder, its flash key, the labels its templates
use) and calls `page` and `redirect`. Flash messages hold references only, never sealed
text: the session cookie is signed, not encrypted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from safeshare.web.forms import error_list
from safeshare.web.templating import render


@dataclass(frozen=True)
class Pages:
    """One feature's pages: templates under `folder/`, flashes under `flash_key`."""

    folder: str
    flash_key: str
    view: Mapping[str, Any] = field(default_factory=dict)

    def flash(self, request: Request, message: str) -> None:
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
        return render(request, f"{self.folder}/{name}", merged, status_code=status_code)

    def redirect(self, request: Request, path: str, flash: str | None = None) -> Response:
        """POST-redirect-GET (303), with an optional flash for the page it lands on."""
        if flash:
            self.flash(request, flash)
        return RedirectResponse(path, status_code=303)
