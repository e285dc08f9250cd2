"""Rate limiting for the public (signed-out) forms: an in-memory sliding window per client.

In memory, so each process counts on its own: with several workers or hosts the effective
limit is multiplied by their number. A multi-process deployment should keep the windows in
a shared store (Redis: a sorted set per key, ZADD now / ZREMRANGEBYSCORE older than the
window / ZCARD, in one MULTI) behind the same `hit` interface.

The key is the client address as the ASGI server saw it. Behind a reverse proxy, run
uvicorn with `--proxy-headers --forwarded-allow-ips=<proxy>` so that address is the
visitor's, not the proxy's (otherwise every visitor shares one window).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from fastapi import Request
from sqlalchemy.orm import Session

from safeshare.auth.throttle import AttemptThrottle, ThrottlePolicy
from safeshare.auth.throttle_store import DatabaseCounters

WINDOW_SECONDS = 60.0
MAX_TRACKED_CLIENTS = 10_000  # bounded memory: the least recently seen are forgotten first


class SlidingWindowLimiter:
    """At most `limit` hits per key in any `window` seconds."""

    def __init__(
        self,
        *,
        limit: int,
        window: float = WINDOW_SECONDS,
        max_keys: int = MAX_TRACKED_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Record a hit for `key`; None if allowed, else seconds until the next is allowed.

        Refused hits are not recorded, so someone who waits is let back in on time.
        """
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
                while len(self._hits) > self.max_keys:
                    self._hits.popitem(last=False)
            else:
                self._hits.move_to_end(key)
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return max(0.0, hits[0] + self.window - now)
            hits.append(now)
            return None


_APP_LIMITER = "public_rate_limiter"
_create_lock = threading.Lock()


def client_key(request: Request) -> str:
    """Who is asking, for counting: the client address (see the module note on proxies)."""
    return request.client.host if request.client else "unknown"


def public_limiter(request: Request) -> SlidingWindowLimiter:
    """The app's limiter for public form posts, made on first use from its settings."""
    state = request.app.state
    limiter: SlidingWindowLimiter | None = getattr(state, _APP_LIMITER, None)
    if limiter is None:
        with _create_lock:
            limiter = getattr(state, _APP_LIMITER, None)
            if limiter is None:
                limiter = SlidingWindowLimiter(limit=state.settings.public_rate_limit_per_minute)
                setattr(state, _APP_LIMITER, limiter)
    return limiter


def check_public_post(request: Request) -> int | None:
    """None if this public post may go ahead, else the whole seconds to wait (Retry-After)."""
    wait = public_limiter(request).hit(client_key(request))
    return None if wait is None else max(1, math.ceil(wait))


# Wall-clock seconds, which every process shares (monotonic clocks are per host).
_wall_clock = time.time


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
