"""Throttle counts in the database, so every worker process and host shares one allowance.

Each failure is one atomic upsert (`INSERT ... ON CONFLICT DO UPDATE`, on SQLite and
PostgreSQL alike) inside the request's own transaction: two processes failing at once both
count, and no second connection is needed (SQLite would wait on the request's own lock).
Times are wall-clock seconds, which all processes share; keys are SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
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
