"""Keep blocking work off the event loop, and bound how much of it runs at once.

The event loop must never wait on the database or burn CPU: while it waits, no other request
can finish, including the ones holding what it waits for. (Issue 14: the sign-in check ran a
query on the loop; the 16th concurrent request waited there for a pooled connection that only
the blocked loop could give back, so the whole service stopped for the 30 s pool timeout.)

- Database slots: a request first takes one of `db_pool_size` slots, waiting asynchronously
  (holding no thread), and only then its connection, in a worker thread. The pool has a
  connection for every slot, so nothing ever waits for a connection. The hot paths' slot
  holders (sign-in check, commit, the decision's read) have their own threads, one per
  slot (`in_database_thread`), so they never wait for a thread, and a hop costs a plain
  executor hand-off rather than anyio's machinery (its limiter and cancel scopes were a
  tenth of a decision's CPU). Unlike anyio's, these threads do not copy context variables.
- Hashing slots: argon2 checks (sign-in, anonymous passphrases) run in worker threads, at most
  `password_hash_concurrency` at once; requests beyond that wait for a slot before they take a
  database slot, so a flood of sign-ins cannot take every connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from safeshare.config import Settings
from safeshare.db.group_commit import Finish
from safeshare.runtime import Runtime

T = TypeVar("T")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


class Slots:
    """The process's limiters (created with the app, shared by its requests)."""

    def __init__(self, settings: Settings) -> None:
        self._pool_size = settings.db_pool_size
        self._database: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self.database_threads = ThreadPoolExecutor(
            settings.db_pool_size, thread_name_prefix="safeshare-db"
        )
        self.hashing = anyio.CapacityLimiter(settings.password_hash_concurrency)

    @property
    def database(self) -> asyncio.Semaphore:
        """The database slots: a plain semaphore (cheaper than anyio's limiter), one per
        event loop, as an asyncio semaphore belongs to the loop it first made wait (a
        worker has one loop; tests start a new one per client)."""
        loop = asyncio.get_running_loop()
        if self._database is None or self._database[0] is not loop:
            self._database = (loop, asyncio.Semaphore(self._pool_size))
        return self._database[1]


def slots(request: Request) -> Slots:
    found: Slots = request.app.state.slots
    return found


async def in_thread(func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run blocking `func` in a worker thread (anyio's takes no keyword arguments)."""
    return await anyio.to_thread.run_sync(partial(func, *args, **kwargs))


async def in_database_thread(request: Request, func: Callable[..., T], /, *args: Any) -> T:
    """Run blocking `func` on one of the database slots' threads; only while holding a slot.

    Cannot be cancelled half-way: a cancelled caller still waits for the thread to finish,
    so its clean-up (a rollback, say) never runs beside it on the same session.
    """
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(slots(request).database_threads, partial(func, *args))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        # Shielded from anyio, which would deliver its scope's cancellation again on every
        # turn of the loop, and this wait would spin.
        with anyio.CancelScope(shield=True):
            await asyncio.wait([future])
        if not future.cancelled():
            future.exception()  # retrieved: else asyncio logs it, message (and SQL) and all
        raise


_READ_ONLY = "__safeshare_read_only__"


def read_only(endpoint: F) -> F:
    """Declare that a route writes nothing in its request's own session (its writes, if
    any, go to the group commit): its reads then run without a transaction."""
    setattr(endpoint, _READ_ONLY, True)
    return endpoint


def is_read_only(endpoint: object) -> bool:
    return getattr(endpoint, _READ_ONLY, False) is True


class ReadOnlyRouteWroteError(RuntimeError):
    """A route declared `read_only` wrote in its own session: a bug, refused before it runs
    (without a transaction, its writes would be committed one statement at a time)."""


def refuse_writes(connection: Connection) -> None:
    """Make `connection` (a read-only route's) refuse every statement but a SELECT."""

    def check(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            raise ReadOnlyRouteWroteError("a read-only route tried to write")

    event.listen(connection, "before_cursor_execute", check)


async def read_then_group_commit(
    request: Request,
    db: Session,
    read: Callable[[Session], R],
    stage: Callable[[Session, R], Finish[T]],
) -> T:
    """`read` on the request's session in a worker thread, then `stage` with its result in
    the next group commit (see `GroupCommitter.submit_staged`); returns what its finishing
    function returns, once the batch is committed.

    Only the writing is serialised, so requests do their reading side by side. The request's
    transaction is ended before the write is queued, and its connection is back in the pool
    (or idle) while it waits: the committer must never wait for what the request holds.
    """

    def read_and_commit() -> R:
        found = read(db)
        db.commit()
        return found

    found = await in_database_thread(request, read_and_commit)
    runtime: Runtime = request.app.state.runtime
    staged = runtime.group_commit.submit_staged(lambda session: stage(session, found))
    return await asyncio.wrap_future(staged)


async def _hashing_slot(request: Request) -> AsyncIterator[None]:
    async with slots(request).hashing:
        yield


# Declare first on a route that checks a password, so it waits before taking a database slot.
HashingSlot = Annotated[None, Depends(_hashing_slot, scope="function")]
