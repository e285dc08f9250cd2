"""Pure ASGI middleware: request ids, security headers, body size limit, access log."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("safeshare.access")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    """Adds CSP, framing, referrer and caching headers; HSTS in production."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        is_static = scope["path"].startswith("/static/")
        started = time.perf_counter()
        status_holder: dict[str, Any] = {}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"x-request-id", request_id.encode()),
                ]
                if not is_static:
                    # Sensitive pages must not linger in shared or back-button caches.
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts:
                    headers.append(
                        (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
                    )
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            # Path only, never the query string: it could carry something sensitive.
            access_log.info(
                "%s %s %s %.1fms %s",
                scope["method"],
                scope["path"],
                status_holder.get("status", "-"),
                (time.perf_counter() - started) * 1000,
                request_id,
            )


class BodySizeLimitMiddleware:
    """Refuses request bodies larger than `max_bytes` with 413 before they are parsed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = 0
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.isdigit():
                declared = int(value)
        received = 0

        async def limited_receive() -> Message:
            # Raised as an HTTP error so the app answers with its own 413 page or problem.
            nonlocal received
            if declared > self.max_bytes:
                raise HTTPException(413)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413)
            return message

        await self.app(scope, limited_receive, send)


class AnonymousSessionCookieMiddleware:
    """Anonymous visitors get a browser-session cookie: no Max-Age, gone when the browser closes.

    A victim's half-finished report lives in a server-side draft whose key is in this cookie;
    a persistent cookie would let the next person on a shared device open it. Signed-in staff
    keep the configured lifetime. The cookie's signed timestamp still limits its age on the
    server whichever way it was sent. Sits outside Starlette's SessionMiddleware.
    """

    def __init__(self, app: ASGIApp, *, cookie_name: str, signed_in_key: str = "uid") -> None:
        self.app = app
        self.prefix = cookie_name.encode() + b"="
        self.signed_in_key = signed_in_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_session_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and self.signed_in_key not in scope.get(
                "session", {}
            ):
                message["headers"] = [
                    (k, self._without_lifetime(v) if k.lower() == b"set-cookie" else v)
                    for k, v in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_session_cookie)

    def _without_lifetime(self, value: bytes) -> bytes:
        if not value.startswith(self.prefix):
            return value
        parts = value.split(b"; ")
        lowered = [p.lower() for p in parts]
        if (
            parts[0] == self.prefix + b"null"
            or b"max-age=0" in lowered
            or any(p.startswith(b"expires=") and b"1970" in p for p in lowered)
        ):
            return value  # a deletion must keep what makes the browser drop the cookie
        kept = [p for p in parts if not p.lower().startswith((b"max-age=", b"expires="))]
        return b"; ".join(kept)


class SlowRefusalMiddleware:
    """Holds back every 429 answer for min(Retry-After, `max_delay`) seconds.

    A guessing client that is told to wait otherwise asks again at once, hundreds of times a
    second, and each refusal still costs a rendered page; held back, it asks about once a
    second. The wait is here, outside the route, so its database and hashing slots are
    already free (function-scoped dependencies end before the answer is sent) and the
    sleeping costs nobody else anything. Honest users only see their refusal a moment later.
    """

    def __init__(self, app: ASGIApp, *, max_delay: float) -> None:
        self.app = app
        self.max_delay = max_delay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_delay <= 0:
            await self.app(scope, receive, send)
            return

        async def send_slowly(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 429:
                await asyncio.sleep(min(self.max_delay, _retry_after(message)))
            await send(message)

        await self.app(scope, receive, send_slowly)


def _retry_after(message: Message) -> float:
    """The answer's Retry-After in seconds (delta form), or 1 if absent or a date."""
    for key, value in message.get("headers", []):
        if key.lower() == b"retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                break
    return 1.0
