"""Group commit for units of work: many callers' changes share one transaction and one fsync.

A unit that appends to the ledger holds the ledger head lock until its transaction commits,
so such transactions run one after another, each waiting for its own fsync (6 ms on the
benchmark machine: at most ~165 decisions a second, however many workers). A committer
thread instead runs whatever units are queued inside one transaction and commits once. A
unit that fails is rolled back alone (the batch is run again, each unit in its own
savepoint) and its caller gets the error; every caller learns its result only after the
commit, so an acknowledged unit is on disk together with the ledger entries its events
created.

A unit may also be staged (`submit_staged`): it adds its rows without flushing and returns a
function that finishes it. The committer flushes once for the whole batch, so the ORM
inserts each table's new rows in one statement (ids returned) instead of one per unit, and
then finishes every unit in order.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from safeshare.db.session import unit_of_work
from safeshare.db.sqlite_ids import assign_new_row_ids
from safeshare.db.writer_lock import WriterLock

T = TypeVar("T")
Finish = Callable[[], T]
_Unit = tuple[Callable[[Session], Finish[Any]], "Future[Any]"]
_Outcome = tuple["Future[Any]", Any, BaseException | None]
_CLOSE = object()


class GroupCommitter:
    """A background thread committing queued units of work in batches of up to `max_batch`.

    A unit is `work(session) -> result`; it must return plain values, not ORM objects (the
    session is the committer's, and moves on to the next batch).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        max_batch: int = 64,
        writer_lock: WriterLock | None = None,
    ) -> None:
        self._sessions = sessions
        self._max_batch = max_batch
        # Other processes' group commits on the same SQLite file wait here, not in SQLite.
        self._writer_lock = writer_lock
        # Wraps a batch run without savepoints, e.g. the ledger's `deferred_appends`
        # (set by the app, which knows the features; db/ imports none of them).
        self.batch_scope: Callable[[Session], AbstractContextManager[None]] = _no_scope
        self._queue: queue.SimpleQueue[_Unit | object] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, work: Callable[[Session], T]) -> Future[T]:
        """Queue `work`; the future resolves after its batch commits (or with its error)."""

        def stage(session: Session) -> Finish[T]:
            result = work(session)
            return lambda: result

        return self.submit_staged(stage)

    def submit_staged(self, stage: Callable[[Session], Finish[T]]) -> Future[T]:
        """Queue a staged unit: `stage(session)` adds rows (it need not flush) and returns
        `finish()`, called once the batch is flushed (ids assigned); the future resolves to
        what `finish` returns, after the batch commits."""
        future: Future[T] = Future()
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
                self._thread.start()
            self._queue.put((stage, future))
        return future

    def close(self, timeout: float | None = None) -> None:
        """Commit what is already queued, then stop the thread (a later `submit` restarts it)."""
        with self._lock:  # a `submit` meanwhile waits, so two threads never share the queue
            if self._thread is not None:
                self._queue.put(_CLOSE)
                self._thread.join(timeout)
                stopped = not self._thread.is_alive()
                self._thread = None
                if stopped and self._writer_lock is not None:
                    # Never while a batch still holds it; the next batch reopens it.
                    self._writer_lock.close()

    def _next_batch(self) -> tuple[list[_Unit], bool]:
        batch: list[_Unit] = []
        item = self._queue.get()
        while item is not _CLOSE:
            batch.append(item)  # type: ignore[arg-type]
            if len(batch) >= self._max_batch:
                return batch, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False
        return batch, True

    def _run(self) -> None:
        closing = False
        while not closing:
            batch, closing = self._next_batch()
            live = [
                (stage, future) for stage, future in batch if future.set_running_or_notify_cancel()
            ]
            if live:
                self._commit(live)

    def _commit(self, batch: list[_Unit]) -> None:
        """Commit the batch; if any unit fails, run it again with one savepoint per unit.

        Units seldom fail (bad requests are refused before they are queued), so the first
        attempt spares every unit its SAVEPOINT and RELEASE round trips.
        """
        try:
            outcomes = self._run_units(batch, isolated=False)
        except Exception:  # all rolled back; find the failing units
            try:
                outcomes = self._run_units(batch, isolated=True)
            except Exception as exc:  # the commit failed: nothing in the batch was stored
                outcomes = [(future, None, exc) for _, future in batch]
        for future, result, error in outcomes:
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    def _run_units(self, batch: list[_Unit], *, isolated: bool) -> list[_Outcome]:
        outcomes: list[_Outcome] = []
        with (
            self._writer_lock.hold() if self._writer_lock else nullcontext(),
            unit_of_work(self._sessions) as session,
        ):
            connection = session.connection()
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # pysqlite defers BEGIN to the first write: without it, the first unit's
                # SAVEPOINT would be the outermost transaction and commit on release.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            if not isolated:
                with self.batch_scope(session):
                    finishes = [stage(session) for stage, _ in batch]
                    if sqlite:
                        assign_new_row_ids(session)  # else one INSERT per row (see there)
                    session.flush()  # every unit's rows, a statement per table
                    for (_, future), finish in zip(batch, finishes, strict=True):
                        outcomes.append((future, finish(), None))
                return outcomes
            for stage, future in batch:
                try:
                    with session.begin_nested():
                        finish = stage(session)
                        session.flush()
                        outcomes.append((future, finish(), None))
                except Exception as exc:  # this unit alone is rolled back
                    outcomes.append((future, None, exc))
        return outcomes


@contextmanager
def _no_scope(_session: Session) -> Iterator[None]:
    yield
