"""Keep blocking work off the event loop, and bound how much of it runs at once.

The event loop must never wait on the database or burn CPU: while it waits, no other request
can finish, including the ones holding what it waits for. (Issue 14: the sign-in check ran a
query on the loop; the 16th concurrent request waited there for a pooled connection that only
the blocked loop could give back, so the whole service stopped for the 30 s pool timeout.)

- Database slots: a request first takes one of `db_pool_size` slots, waiting asynchronously
  (holding no thread), and only then its connection, in a worker thread. The pool has a
  connection for every slot, so nothing ever waits for a connection; and the slot holders
  have their own threads, one per slot (`in_database_thread`), so nothing waits for a
  thread either, and a hop costs a plain executor hand-off rather than anyio's machinery
  (its limiter and cancel scopes were a tenth of a decision's CPU).
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
        self.database = asyncio.Semaphore(settings.db_pool_size)
        self.database_threads = ThreadPoolExecutor(
            settings.db_pool_size, thread_name_prefix="safeshare-db"
        )
        self.hashing = anyio.CapacityLimiter(settings.password_hash_concurrency)


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
        while not future.done():
            try:
                await asyncio.wait([future])
            except asyncio.CancelledError:
                continue  # anyio delivers a scope's cancellation again and again
        raise


_READ_ONLY = "__safeshare_read_only__"


def read_only(endpoint: F) -> F:
    """Declare that a route writes nothing in its request's own session (its writes, if
    any, go to the group commit): its reads then run without a transaction."""
    setattr(endpoint, _READ_ONLY, True)
    return endpoint


def is_read_only(endpoint: object) -> bool:
    return getattr(endpoint, _READ_ONLY, False) is True


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
    transaction is committed before the write is queued: the committer must never wait for
    a lock the request holds (on SQLite, the write lock a token's last-used time takes).
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
