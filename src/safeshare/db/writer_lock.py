"""One group commit at a time across worker processes sharing a SQLite file.

SQLite lets one connection write at a time. A second writer's BEGIN IMMEDIATE does not wait
in a queue: its busy handler sleeps and retries (1, 2, 5 ... 100 ms), so with two worker
processes each group commit could sleep far longer than the other's transaction lasted
(p99 4 s at 64 connections). An exclusive `flock` on a file beside the database is a real
queue: the waiting process wakes the moment the other releases it, and the kernel drops
the lock of a process that dies, so a `kill -9` never leaves it held.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from sqlalchemy import Engine


class WriterLock:
    """An exclusive lock on `<database>.writer-lock`; a no-op for any other database."""

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
        self.path = f"{database}.writer-lock" if database and database != ":memory:" else None
        self._fd: int | None = None
        self._opening = threading.Lock()

    def hold(self) -> AbstractContextManager[None]:
        """Held for the block: waits, off the GIL, for any other process's group commit."""
        return nullcontext() if self.path is None else self._held()

    @contextmanager
    def _held(self) -> Iterator[None]:
        fd = self._file()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _file(self) -> int:
        with self._opening:
            if self._fd is None:
                assert self.path is not None
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            return self._fd

    def close(self) -> None:
        with self._opening:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
