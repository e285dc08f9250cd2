"""Progressive delays after failed secret checks (sign-in, anonymous return), never a lockout.

A hard lockout lets anyone who knows a username (or a report reference) lock its owner out.
Here failures are counted under three keys: the (subject, client) pair and the client alone,
which only ever hold back whoever is failing from that client (refused with a wait that
doubles after a few free tries); and the subject alone, shared by every client, which only
slows each attempt by a short capped pause, so a distributed guesser is slowed while the
real owner still gets in after a few seconds at most (ASVS 2.2.1, OWASP credential stuffing).

Subjects are counted whether or not they exist, so delays say nothing about which do. The
counts live in a `CounterStore`: in memory for one process (`MemoryCounters`), or in the
database (`auth.throttle_store.DatabaseCounters`), which every worker process and host
shares, so running N workers does not give a guesser N times the allowance.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

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


@dataclass(frozen=True)
class CounterKey:
    """One count: `kind` "p" (subject and client), "c" (client) or "s" (subject)."""

    kind: str
    subject: str
    client: str

    @property
    def text(self) -> str:
        return f"{self.kind}\0{self.subject}\0{self.client}"


class CounterStore(Protocol):
    """Where failure counts live; `forget_after` seconds without a failure resets a count."""

    def get(self, key: CounterKey, *, now: float, forget_after: float) -> tuple[int, float]: ...

    def add_failure(
        self, keys: Sequence[CounterKey], *, now: float, forget_after: float
    ) -> None: ...

    def forget(self, keys: Sequence[CounterKey]) -> None: ...

    def forget_subject(self, subject: str) -> int: ...


class MemoryCounters:
    """Counts in this process only (tests, single-process development)."""

    def __init__(self, max_keys: int = MAX_TRACKED_KEYS) -> None:
        self._max_keys = max_keys
        self._failures: OrderedDict[str, tuple[int, float, CounterKey]] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, key: CounterKey, now: float, forget_after: float) -> tuple[int, float]:
        count, last, _ = self._failures.get(key.text, (0, 0.0, key))
        if count and now - last > forget_after:
            self._failures.pop(key.text, None)
            return 0, 0.0
        return count, last

    def get(self, key: CounterKey, *, now: float, forget_after: float) -> tuple[int, float]:
        with self._lock:
            return self._get(key, now, forget_after)

    def add_failure(self, keys: Sequence[CounterKey], *, now: float, forget_after: float) -> None:
        with self._lock:
            for key in keys:
                count, _ = self._get(key, now, forget_after)
                self._failures[key.text] = (count + 1, now, key)
                self._failures.move_to_end(key.text)
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)

    def forget(self, keys: Sequence[CounterKey]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key.text, None)

    def forget_subject(self, subject: str) -> int:
        with self._lock:
            held = [
                text
                for text, (_, _, key) in self._failures.items()
                if key.subject == subject and key.kind in ("p", "s")
            ]
            for text in held:
                del self._failures[text]
        return len(held)


class AttemptThrottle:
    """Failure counts per key, decaying after `forget_after_seconds` without a failure."""

    def __init__(
        self,
        policy: ThrottlePolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        store: CounterStore | None = None,
    ) -> None:
        self.policy = policy or ThrottlePolicy()
        self._clock = clock
        self._store: CounterStore = store if store is not None else MemoryCounters()

    @staticmethod
    def _keys(subject: str, client: str) -> tuple[CounterKey, CounterKey, CounterKey]:
        return (
            CounterKey("p", subject, client),
            CounterKey("c", "", client),
            CounterKey("s", subject, ""),
        )

    def check(self, *, subject: str, client: str) -> Verdict:
        """May this client try this subject now, and how long to pause first."""
        policy, now = self.policy, self._clock()
        forget = policy.forget_after_seconds
        pair, client_key, subject_key = self._keys(subject, client)
        waits = []
        for key, free in ((pair, policy.pair_free), (client_key, policy.client_free)):
            count, last = self._store.get(key, now=now, forget_after=forget)
            remaining = last + _delay(count, free, policy, policy.cap_seconds) - now
            if count and remaining > 0:
                waits.append(remaining)
        count, _ = self._store.get(subject_key, now=now, forget_after=forget)
        pause = _delay(count, policy.subject_free, policy, policy.subject_pause_cap_seconds)
        return Verdict(wait=max(waits) if waits else None, pause=pause)

    def failed(self, *, subject: str, client: str) -> None:
        """Count a failure under all three keys."""
        self._store.add_failure(
            self._keys(subject, client),
            now=self._clock(),
            forget_after=self.policy.forget_after_seconds,
        )

    def succeeded(self, *, subject: str, client: str) -> None:
        """The owner got in from here: forget this pair's and the subject's failures."""
        pair, _, subject_key = self._keys(subject, client)
        self._store.forget((pair, subject_key))

    def unlock(self, subject: str) -> int:
        """An administrator clears every delay on `subject`; returns how many keys were held."""
        return self._store.forget_subject(subject)
