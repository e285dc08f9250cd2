"""Group commit: many producers' entries share one transaction, acknowledged after it commits.

One fsync per entry caps a durable log at a few hundred entries a second; batching whatever
is queued while the previous commit runs turns that into thousands, and every producer still
learns its entry's sequence number only once the entry is on disk.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from safeshare.db.session import unit_of_work
from safeshare.ledger.service import AppendedEntry, EntryInput, append_entries

_Item = tuple[EntryInput, "Future[AppendedEntry]"]
_STOP = object()


class Appender:
    """A background writer that appends queued entries in batches (one transaction each).

    `after_batch(session)` runs inside each batch's transaction, e.g. `checkpoint_if_due`.
    Entries written this way are their own transaction; to record something atomically with
    other changes, use `service.append_entry` in the caller's session instead.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        max_batch: int = 2_000,
        after_batch: Callable[[Session], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        self._after_batch = after_batch
        self._queue: queue.SimpleQueue[_Item | object] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="ledger-appender", daemon=True)
        self._thread.start()

    def submit(
        self,
        *,
        kind: str,
        actor: str,
        data: Mapping[str, Any],
        at: datetime | None = None,
    ) -> Future[AppendedEntry]:
        """Queue an entry; the future resolves once its batch has committed."""
        if self._closed:
            raise RuntimeError("the ledger appender is closed")
        future: Future[AppendedEntry] = Future()
        self._queue.put((EntryInput(kind, actor, data, at), future))
        return future

    def append(
        self,
        *,
        kind: str,
        actor: str,
        data: Mapping[str, Any],
        at: datetime | None = None,
        timeout: float | None = None,
    ) -> AppendedEntry:
        """Append and wait until committed (raises what the commit raised)."""
        return self.submit(kind=kind, actor=actor, data=data, at=at).result(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Commit everything already queued, then stop the writer thread."""
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join(timeout)

    def __enter__(self) -> Appender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            self._write([item for item in batch if isinstance(item, tuple)])

    def _write(self, batch: list[_Item]) -> None:
        live = [
            (record, future) for record, future in batch if future.set_running_or_notify_cancel()
        ]
        if not live:
            return
        try:
            with unit_of_work(self._sessions) as session:
                appended = append_entries(session, records=[record for record, _ in live])
                if self._after_batch is not None:
                    self._after_batch(session)
        except Exception as exc:  # every producer in the batch learns its entry was not written
            for _, future in live:
                future.set_exception(exc)
            return
        for (_, future), result in zip(live, appended, strict=True):
            future.set_result(result)
