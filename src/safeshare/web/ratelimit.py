"""Rate limits and throttles for the signed-out and sign-in forms, all counted in the
database (`auth.throttle_store`), so every worker process and host shares one allowance:
public form posts are limited per client per minute; failed secrets (sign-in, MFA,
anonymous return, step-up) get progressive delays.

The client is the address as the ASGI server saw it. Behind a reverse proxy, run
uvicorn with `--proxy-headers --forwarded-allow-ips=<proxy>` so that address is the
visitor's, not the proxy's (otherwise every visitor shares one window).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from sqlalchemy.orm import Session

from safeshare.auth.throttle import AttemptThrottle, ThrottlePolicy
from safeshare.auth.throttle_store import DatabaseCounters, DatabaseRateWindow
from safeshare.web.concurrency import in_thread

T = TypeVar("T")

WINDOW_SECONDS = 60.0

# Wall-clock seconds, which every process shares (monotonic clocks are per host).
_wall_clock = time.time


def wait_message(seconds: int) -> str:
    """The staff forms' refusal text ("Wait 1 second.", "Wait 5 seconds.")."""
    return f"Too many attempts. Wait {seconds} second{'' if seconds == 1 else 's'}."


def client_key(request: Request) -> str:
    """Who is asking, for counting: the client address (see the module note on proxies)."""
    return request.client.host if request.client else "unknown"


def check_public_post(request: Request, db: Session) -> int | None:
    """None if this public post may go ahead, else the whole seconds to wait (Retry-After).
    Counted in this request's transaction (a refused post is not counted)."""
    window = DatabaseRateWindow(
        db,
        namespace="public_post",
        limit=request.app.state.settings.public_rate_limit_per_minute,
        window=WINDOW_SECONDS,
    )
    wait = window.hit(client_key(request), now=_wall_clock())
    return None if wait is None else max(1, math.ceil(wait))


def attempt_throttle(request: Request, name: str, db: Session) -> AttemptThrottle:
    """The throttle `name` ("login", "mfa", "anonymous_return"), counting in the database in
    this request's transaction, so every worker process shares the counts."""
    settings = request.app.state.settings
    return AttemptThrottle(
        ThrottlePolicy(
            cap_seconds=settings.login_max_wait_seconds,
            subject_pause_cap_seconds=settings.login_max_pause_seconds,
        ),
        clock=_wall_clock,
        store=DatabaseCounters(db, namespace=name),
    )


async def throttled_attempt(
    request: Request, name: str, db: Session, *, subject: str, attempt: Callable[[], T | None]
) -> tuple[T | None, int | None]:
    """Run a passphrase check under the public post limit and the `name` attempt throttle.

    Returns `(result, None)`, or `(None, seconds to wait)` when refused before trying.
    Failures (a None result) slow this client on this subject, never lock the subject.
    """
    wait = check_public_post(request, db)
    if wait is not None:
        return None, wait
    throttle, client = attempt_throttle(request, name, db), client_key(request)
    verdict = await in_thread(throttle.check, subject=subject, client=client)
    if verdict.wait is not None:
        return None, max(1, math.ceil(verdict.wait))
    if verdict.pause:
        await asyncio.sleep(verdict.pause)
    result = await in_thread(attempt)  # argon2 off the loop
    if result is None:
        await in_thread(throttle.failed, subject=subject, client=client)
    else:
        await in_thread(throttle.succeeded, subject=subject, client=client)
    return result, None
