"""Progressive delays after failed secret checks (sign-in, anonymous return), never a lockout.

A hard lockout lets anyone who knows a username (or a report reference) lock its owner out.
Here failures are counted under three keys: the (subject, client) pair and the client alone,
which only ever hold back whoever is failing from that client (refused with a wait that
doubles after a few free tries); and the subject alone, shared by every client, which only
slows each attempt by a short capped pause, so a distributed guesser is slowed while the
real owner still gets in after a few seconds at most (ASVS 2.2.1, OWASP credential stuffing).

Subjects are counted whether or not they exist, so delays say nothing about which do. In
memory, per process, like `web.ratelimit`: several workers multiply the allowance; a shared
store (Redis) behind the same methods removes that.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_TRACKED_KEYS = 50_000


@dataclass(frozen=True)
class ThrottlePolicy:
    """How quickly delays grow: `free` failures, then `base` seconds doubling up to `cap`."""

    pair_free: int = 3
    client_free: int = 20
    subject_free: int = 5
    base_seconds: float = 1.0
    cap_seconds: float = 900.0  # the most a failing client waits between tries
    subject_pause_cap_seconds: float = 3.0  # the most the real owner is ever slowed
    forget_after_seconds: float = 3600.0


@dataclass(frozen=True)
class Verdict:
    """`wait`: seconds before this client may try this subject again (None: may try now).
    `pause`: seconds to sleep before checking the secret (shared subject slowdown)."""

    wait: float | None
    pause: float


def _delay(failures: int, free: int, policy: ThrottlePolicy, cap: float) -> float:
    if failures < free:
        return 0.0
    return float(min(cap, policy.base_seconds * 2 ** min(failures - free, 30)))


class AttemptThrottle:
    """Failure counts per key, decaying after `forget_after_seconds` without a failure."""

    def __init__(
        self,
        policy: ThrottlePolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_TRACKED_KEYS,
    ) -> None:
        self.policy = policy or ThrottlePolicy()
        self._clock = clock
        self._max_keys = max_keys
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(subject: str, client: str) -> tuple[str, str, str]:
        return f"p\0{subject}\0{client}", f"c\0{client}", f"s\0{subject}"

    def _get(self, key: str, now: float) -> tuple[int, float]:
        count, last = self._failures.get(key, (0, 0.0))
        if count and now - last > self.policy.forget_after_seconds:
            self._failures.pop(key, None)
            return 0, 0.0
        return count, last

    def check(self, *, subject: str, client: str) -> Verdict:
        """May this client try this subject now, and how long to pause first."""
        policy, now = self.policy, self._clock()
        pair, client_key, subject_key = self._keys(subject, client)
        with self._lock:
            waits = []
            for key, free in ((pair, policy.pair_free), (client_key, policy.client_free)):
                count, last = self._get(key, now)
                remaining = last + _delay(count, free, policy, policy.cap_seconds) - now
                if count and remaining > 0:
                    waits.append(remaining)
            count, _ = self._get(subject_key, now)
            pause = _delay(count, policy.subject_free, policy, policy.subject_pause_cap_seconds)
        return Verdict(wait=max(waits) if waits else None, pause=pause)

    def failed(self, *, subject: str, client: str) -> None:
        """Count a failure under all three keys."""
        now = self._clock()
        with self._lock:
            for key in self._keys(subject, client):
                count, _ = self._get(key, now)
                self._failures[key] = (count + 1, now)
                self._failures.move_to_end(key)
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, *, subject: str, client: str) -> None:
        """The owner got in from here: forget this pair's and the subject's failures."""
        pair, _, subject_key = self._keys(subject, client)
        with self._lock:
            self._failures.pop(pair, None)
            self._failures.pop(subject_key, None)

    def unlock(self, subject: str) -> int:
        """An administrator clears every delay on `subject`; returns how many keys were held."""
        prefix, exact = f"p\0{subject}\0", f"s\0{subject}"
        with self._lock:
            held = [k for k in self._failures if k.startswith(prefix) or k == exact]
            for key in held:
                del self._failures[key]
        return len(held)
