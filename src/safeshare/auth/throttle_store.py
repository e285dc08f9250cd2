"""Throttle counts in the database, so every worker process and host shares one allowance:
the failure counters behind progressive delays (`DatabaseCounters`) and the per-minute
windows that limit public form posts (`DatabaseRateWindow`).

Each failure (or counted post) is one atomic upsert (`INSERT ... ON CONFLICT DO UPDATE`, on
SQLite and PostgreSQL alike) inside the request's own transaction: two processes at once both
count, and no second connection is needed (SQLite would wait on the request's own lock).
Times are wall-clock seconds, which all processes share; keys are SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from safeshare.auth.models import ThrottleCounter
from safeshare.auth.throttle import CounterKey


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class DatabaseCounters:
    """A `CounterStore` on the `throttle_counters` table, in `session`'s transaction."""

    def __init__(self, session: Session, *, namespace: str) -> None:
        self._session = session
        self._namespace = namespace

    def _key(self, key: CounterKey) -> str:
        return _hash(f"{self._namespace}\0{key.text}")

    def _subject(self, subject: str) -> str:
        return _hash(f"{self._namespace}\0{subject}")

    def get(self, key: CounterKey, *, now: float, forget_after: float) -> tuple[int, float]:
        row = self._session.execute(
            select(ThrottleCounter.failures, ThrottleCounter.last_failure).where(
                ThrottleCounter.key_hash == self._key(key)
            )
        ).first()
        if row is None or now - row.last_failure > forget_after:
            return 0, 0.0
        # A host whose clock runs ahead must not make others wait longer than the policy says.
        return int(row.failures), min(float(row.last_failure), now)

    def add_failure(self, keys: Sequence[CounterKey], *, now: float, forget_after: float) -> None:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        for key in keys:
            statement = insert(ThrottleCounter).values(
                key_hash=self._key(key),
                kind=key.kind,
                subject_hash=self._subject(key.subject),
                failures=1,
                last_failure=now,
            )
            stale = ThrottleCounter.last_failure < now - forget_after
            self._session.execute(
                statement.on_conflict_do_update(
                    index_elements=["key_hash"],
                    set_={
                        "failures": case((stale, 1), else_=ThrottleCounter.failures + 1),
                        "last_failure": now,
                    },
                )
            )

    def forget(self, keys: Sequence[CounterKey]) -> None:
        hashes = [self._key(key) for key in keys]
        self._session.execute(delete(ThrottleCounter).where(ThrottleCounter.key_hash.in_(hashes)))

    def forget_subject(self, subject: str) -> int:
        result = self._session.execute(
            delete(ThrottleCounter).where(
                ThrottleCounter.subject_hash == self._subject(subject),
                ThrottleCounter.kind.in_(("p", "s")),
            )
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


# Rows of the rate windows; counters use "p", "c" and "s" (`auth.throttle.CounterKey`).
WINDOW_KIND = "w"


class DatabaseRateWindow:
    """At most `limit` hits per key in each fixed `window`-second window, counted in the
    `throttle_counters` table in `session`'s transaction, so every process shares the limit.

    One conditional upsert per hit: it adds one only while the count is under the limit, so a
    refused hit is not counted and two processes at the limit cannot both get through. Fixed
    windows (not sliding) let at most twice `limit` through across a window boundary.
    """

    def __init__(
        self, session: Session, *, namespace: str, limit: int, window: float = 60.0
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._session = session
        self._namespace = namespace
        self.limit = limit
        self.window = window

    def hit(self, key: str, *, now: float) -> float | None:
        """Count a hit for `key`; None if allowed, else seconds until the window turns."""
        bucket = math.floor(now / self.window)
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(ThrottleCounter).values(
            key_hash=_hash(f"{self._namespace}\0{key}\0{bucket}"),
            kind=WINDOW_KIND,
            subject_hash=_hash(f"{self._namespace}\0{key}"),
            failures=1,
            last_failure=now,
        )
        counted = self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["key_hash"],
                set_={"failures": ThrottleCounter.failures + 1, "last_failure": now},
                where=ThrottleCounter.failures < self.limit,
            ).returning(ThrottleCounter.failures)
        ).scalar_one_or_none()
        if counted is None:
            return max(0.0, (bucket + 1) * self.window - now)
        if counted == 1:
            # A new window for this key: drop windows that have ended (any key's), so the
            # table holds about one window's worth of clients.
            self._session.execute(
                delete(ThrottleCounter).where(
                    ThrottleCounter.kind == WINDOW_KIND,
                    ThrottleCounter.last_failure < bucket * self.window,
                )
            )
        return None
