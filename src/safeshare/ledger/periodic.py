"""Periodic checkpoints for a long-running process (the web app), on a background thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from safeshare.db.session import unit_of_work
from safeshare.db.writer_lock import WriterLock
from safeshare.ledger.note import NoteSigner
from safeshare.ledger.service import checkpoint_if_due
from safeshare.ledger.witnessing import (
    HttpTransport,
    WitnessEndpoint,
    WitnessTransport,
    witness_checkpoint,
)

log = logging.getLogger(__name__)


class PeriodicCheckpointer:
    """Every `poll` seconds, sign a checkpoint if `checkpoint_if_due` says one is due, then
    ask the witnesses that have not cosigned the latest checkpoint yet (retrying each poll).

    A failure is logged (type only: messages could echo data) and retried next time, so a
    database outage does not stop checkpointing for good.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        signer: NoteSigner,
        origin: str,
        max_age: timedelta = timedelta(minutes=5),
        max_entries: int = 10_000,
        poll: float = 30.0,
        witnesses: Sequence[WitnessEndpoint] = (),
        transport: WitnessTransport | None = None,
        writer_lock: WriterLock | None = None,
    ) -> None:
        self._sessions, self._signer, self._origin = sessions, signer, origin
        # On SQLite, queue with the group commits (`db.writer_lock`) rather than sleep in
        # SQLite's busy handler, where back-to-back group commits could starve it for long.
        self._writer_lock = writer_lock
        self._witnesses = tuple(witnesses)
        self._transport = transport or HttpTransport()
        self._max_age, self._max_entries, self._poll = max_age, max_entries, poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ledger-checkpoints", daemon=True)

    def start(self) -> PeriodicCheckpointer:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        if self._writer_lock is not None and not self._thread.is_alive():
            self._writer_lock.close()

    def run_once(self) -> None:
        """One check (also what the thread runs); a checkpoint commits on its own."""
        with (
            self._writer_lock.hold() if self._writer_lock else nullcontext(),
            unit_of_work(self._sessions) as session,
        ):
            checkpoint_if_due(
                session,
                signer=self._signer,
                origin=self._origin,
                max_age=self._max_age,
                max_entries=self._max_entries,
            )
        if self._witnesses:  # after the checkpoint commits: no lock held over the network
            with unit_of_work(self._sessions) as session:
                witness_checkpoint(session, witnesses=self._witnesses, transport=self._transport)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception as exc:  # keep checkpointing after a transient failure
                log.error("ledger checkpoint failed: %s", type(exc).__name__)
            self._stop.wait(self._poll)
