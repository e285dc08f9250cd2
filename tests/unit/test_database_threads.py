"""`in_database_thread`: a cancelled caller still waits for the thread, without spinning, and
the thread's late error is retrieved rather than logged with its message."""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import pytest

from safeshare.config import Settings
from safeshare.web.concurrency import Slots, in_database_thread


def _request(tmp_path: Path) -> Any:
    settings = Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(slots=Slots(settings))))


def _run(coroutine: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """On its own thread: a browser test may have left a loop running on this one."""
    failure: list[BaseException] = []

    def main() -> None:
        try:
            asyncio.run(coroutine())
        except BaseException as exc:  # reported on the test's thread
            failure.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join(30)
    if failure:
        raise failure[0]


def test_a_cancelled_caller_waits_for_the_thread_without_spinning(tmp_path: Path) -> None:
    request = _request(tmp_path)
    finished = threading.Event()

    def slow() -> None:
        time.sleep(0.5)
        finished.set()

    async def scenario() -> None:
        cpu, started = time.process_time(), time.monotonic()
        with anyio.move_on_after(0.05):  # anyio re-delivers this cancellation every turn
            await in_database_thread(request, slow)
        assert finished.is_set()  # the caller went on only once the thread was done
        assert time.monotonic() - started >= 0.45
        assert time.process_time() - cpu < 0.25  # waited, did not spin

    _run(scenario)


def test_a_thread_error_after_cancellation_is_not_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    request = _request(tmp_path)

    def fails_late() -> None:
        time.sleep(0.2)
        raise RuntimeError("SELECT ... WHERE name = 'a secret'")

    async def scenario() -> None:
        with anyio.move_on_after(0.05):
            await in_database_thread(request, fails_late)
        gc.collect()  # an unretrieved future's error is logged when it is collected

    with caplog.at_level(logging.ERROR):
        _run(scenario)
        gc.collect()
    assert "a secret" not in caplog.text
