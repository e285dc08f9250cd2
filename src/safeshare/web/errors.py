"""Every error a user can see, mapped in one place to a status and a page or RFC 9457 problem.

Pages and problems never echo user input or internal detail; unknown failures are logged
by type and request id only, because exception messages may hold sealed data.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from safeshare.auth import service as auth_service
from safeshare.errors import SafeShareError
from safeshare.web.access import (
    CsrfError,
    ForbiddenError,
    NotAuthenticatedError,
    StepUpRequiredError,
    is_api_request,
)
from safeshare.web.i18n import N_, template_context, translator
from safeshare.web.routing import iter_routes
from safeshare.web.templating import render

log = logging.getLogger("safeshare.web")

PROBLEM_BASE = "https://safeshare.example/problems/"

TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Sign in to continue"),
    403: N_("You do not have permission to see this page"),
    404: N_("Page not found"),
    405: N_("That action is not allowed here"),
    413: N_("What you sent is too large"),
    422: N_("Check what you entered"),
    429: N_("Too many requests"),
    500: N_("Sorry, there is a problem with the service"),
}


def problem(
    request: Request,
    status: int,
    *,
    code: str,
    detail: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "request_id": getattr(request.state, "request_id", ""),
    }
    if detail:
        body["detail"] = detail
    body.update(extra or {})
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


def is_public_page(request: Request) -> bool:
    """The pages victims and witnesses use without signing in: the start page and the report."""
    path = request.url.path
    return path == "/" or path == "/report" or path.startswith("/report/")


def _public_error_page(request: Request, status: int) -> Response:
    """An error page in the reporter's language that offers other safe ways to report.

    It never shows a domain message: those are written for staff and in English.
    """
    _ = translator(request)
    context = {
        **template_context(request, _),
        "status": status,
        "title": _(TITLES.get(status, TITLES[400])),
    }
    return render(request, "public_report/error.html", context, status_code=status)


def error_page(request: Request, status: int, *, detail: str | None = None) -> Response:
    if is_public_page(request):
        return _public_error_page(request, status)
    return render(
        request,
        "error.html",
        {"status": status, "title": TITLES.get(status, "Error"), "detail": detail},
        status_code=status,
    )


def _respond(request: Request, status: int, *, code: str, detail: str | None = None) -> Response:
    if is_api_request(request):
        return problem(request, status, code=code, detail=detail)
    return error_page(request, status, detail=detail)


def _safe_next(request: Request) -> str:
    path = request.url.path
    return path if path.startswith("/") and not path.startswith("//") else "/home"


async def _not_authenticated(request: Request, _exc: Exception) -> Response:
    if is_api_request(request):
        return problem(
            request,
            401,
            code="unauthenticated",
            detail="Send a valid API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="safeshare"'},
        )
    return RedirectResponse(f"/login?next={quote(_safe_next(request))}", status_code=303)


security_log = logging.getLogger("safeshare.security")


def _audit_denied(request: Request, code: str) -> None:
    """Log and record a refused request by a signed-in user, in its own unit of work (the
    request's own transaction has been rolled back)."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return
    route = getattr(request.scope.get("route"), "path", "?")
    security_log.warning(
        "access denied: %s (%s) %s %s %s request %s",
        principal.username,
        principal.role,
        request.method,
        route,
        code,
        getattr(request.state, "request_id", "-"),
    )
    try:
        with request.app.state.runtime.session() as session:
            auth_service.record_access_denied(
                session,
                username=principal.username,
                role=str(principal.role),
                method=request.method,
                route=str(route),
                code=code,
            )
    except Exception as exc:  # the refusal must still be answered
        security_log.error("could not record a refusal: %s", type(exc).__name__)


async def _forbidden(request: Request, _exc: Exception) -> Response:
    _audit_denied(request, "forbidden")
    return _respond(request, 403, code="forbidden", detail="Your role does not allow this.")


async def _step_up(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StepUpRequiredError)
    return RedirectResponse(f"/reauth?next={quote(exc.back)}", status_code=303)


async def _csrf(request: Request, _exc: Exception) -> Response:
    return _respond(
        request,
        403,
        code="csrf",
        detail="The form had expired or was not sent from this service. Go back and try again.",
    )


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code if exc.status_code in TITLES else 400
    response = _respond(request, status, code=f"http-{status}")
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    if status == 405:
        response.headers["Allow"] = _allowed_methods(request)
    return response


def _allowed_methods(request: Request) -> str:
    """Every method the path answers to (RFC 9110 15.5.6): Starlette names only those of the
    first route that matched the path, though GET and POST are often separate routes."""
    methods: set[str] = set()
    for route in iter_routes(request.app):
        if route.matches(request.scope)[0] is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _field_name(err: Mapping[str, Any]) -> str:
    """The field's path; an unknown key is named only if it looks like a field name, because
    a client could put anything, even a victim's details, in a JSON key."""
    parts = [str(part) for part in err["loc"] if part != "body"]
    if err.get("type") == "extra_forbidden" and parts and not _IDENTIFIER.fullmatch(parts[-1]):
        parts[-1] = "(unknown field)"
    return ".".join(parts) or "body"


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = [{"field": _field_name(err), "message": str(err["msg"])} for err in exc.errors()]
    if is_api_request(request):
        names = ", ".join(f["field"] for f in fields)
        return problem(
            request,
            422,
            code="invalid-input",
            detail=f"Invalid input: {names}",
            extra={"errors": fields},
        )
    return error_page(request, 400, detail="The link or form you used was not valid.")


async def _domain(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SafeShareError)
    if exc.status >= 500:
        # A server-side failure (a missing key, a broken configuration): its message is for the
        # operator and may name files or commands, so users get the generic 500 only.
        log.error(
            "%s (%s) (request %s)",
            type(exc).__name__,
            exc.code,
            getattr(request.state, "request_id", "-"),
        )
        return _respond(request, 500, code="internal")
    if exc.status == 403:
        _audit_denied(request, exc.code)
    if is_api_request(request):
        extra = {"errors": [{"field": exc.field, "message": exc.message}]} if exc.field else None
        return problem(request, exc.status, code=exc.code, detail=exc.message, extra=extra)
    return error_page(request, exc.status, detail=exc.message)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Only the type and request id: the message could contain sealed data.
    log.error(
        "unhandled %s (request %s)",
        type(exc).__name__,
        getattr(request.state, "request_id", "-"),
    )
    return _respond(request, 500, code="internal")


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(NotAuthenticatedError, _not_authenticated)
    app.add_exception_handler(ForbiddenError, _forbidden)
    app.add_exception_handler(CsrfError, _csrf)
    app.add_exception_handler(StepUpRequiredError, _step_up)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(SafeShareError, _domain)


class UnexpectedErrorMiddleware:
    """Turns any unhandled exception into the 500 page or problem inside the app's own stack.

    Starlette's catch-all handler answers from outside every middleware, so its 500s would
    lack the security headers and request id; this sits innermost and answers first.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            response = await _unexpected(Request(scope), exc)
            await response(scope, receive, send)
