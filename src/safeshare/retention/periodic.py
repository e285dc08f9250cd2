"""The retention schedule applied by `serve` on a background thread, every
`SAFESHARE_RETENTION__INTERVAL_HOURS` (0: never)."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from safeshare.config import Settings
from safeshare.db.base import utcnow
from safeshare.db.session import unit_of_work
from safeshare.retention import service
from safeshare.retention.config import load_schedule
from safeshare.vault.providers import build_key_provider

log = logging.getLogger(__name__)


class PeriodicRetention:
    """Applies the schedule once per interval, first after one interval has passed (so a
    restart loop cannot turn into a deletion loop). A failure is logged by type only and
    retried next interval; the schedule is re-read each time, so a bad edit stops runs
    rather than half-applying."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self._sessions, self._settings = sessions, settings
        self._interval = timedelta(hours=settings.retention.interval_hours)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention", daemon=True)

    def start(self) -> PeriodicRetention:
        if self._interval > timedelta(0):
            self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run_once(self) -> service.RunResult:
        """One run as of now, committed as one unit of work."""
        schedule = load_schedule(self._settings.retention.schedule)
        provider = build_key_provider(self._settings)
        with unit_of_work(self._sessions) as session:
            now = utcnow()
            due = service.plan(session, schedule=schedule, as_of=now)
            return service.apply(
                session,
                items=due,
                schedule=schedule,
                provider=provider,
                config=self._settings.reporting,
                now=now,
            )

    def _run(self) -> None:
        while not self._stop.wait(self._interval.total_seconds()):
            try:
                result = self.run_once()
                log.info("retention applied %d actions", sum(result.applied.values()))
            except Exception as exc:  # keep the schedule running after a transient failure
                log.error("retention run failed: %s", type(exc).__name__)
