"""Issue 14: several worker processes share one ledger, and a crash loses nothing acknowledged.

Two `safeshare serve --workers 2` processes append to the ledger at once (the head row lock
serialises them: a row lock on PostgreSQL, the database file's write lock on SQLite). Then a
worker, and later the whole service, is killed with SIGKILL at a random moment under load.
After each, every request answered 201 has its decision row and its ledger entry, the
ledger has no gap or duplicate, and `safeshare ledger verify` passes after a restart.
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from bench.serving import Service
from tests.integration.load.conftest import Load, assert_consistent, stored

pytestmark = pytest.mark.slow

SECONDS = 2.5


def _kill_during_load(service: Service, victims: list[int] | None) -> Load:
    """Load the service and SIGKILL `victims` (None: the whole process group) mid-way."""
    with Load(service, seconds=SECONDS) as load:
        time.sleep(random.uniform(0.3, SECONDS - 0.5))  # a random moment
        assert service.process is not None
        if victims is None:
            os.killpg(service.process.pid, signal.SIGKILL)
        else:
            for pid in victims:
                os.kill(pid, signal.SIGKILL)
    return load


def test_two_workers_share_the_ledger_and_crashes_lose_nothing_acknowledged(
    database_url: str, tmp_path: Path
) -> None:
    service = Service(tmp_path / "var", database_url, workers=2).start()
    acknowledged: set[int] = set()
    try:
        assert len(service.worker_pids()) == 2

        with Load(service, seconds=SECONDS) as load:
            pass
        assert load.outcomes and {o.status for o in load.outcomes} == {201}
        acknowledged |= load.acknowledged
        assert_consistent(stored(database_url), acknowledged)

        load = _kill_during_load(service, victims=service.worker_pids()[:1])
        assert {o.status for o in load.outcomes} <= {201, 0}  # 0: connection cut by the kill
        acknowledged |= load.acknowledged
        assert_consistent(stored(database_url), acknowledged)

        load = _kill_during_load(service, victims=None)
        service.process.wait(10)  # type: ignore[union-attr]
        acknowledged |= load.acknowledged
        assert load.acknowledged, "the service was killed before it answered anything"
    finally:
        service.stop()

    restarted = Service(tmp_path / "var", database_url, workers=1).start()
    try:
        restarted.cli("ledger", "verify")  # exits 1 (raises) on any problem
    finally:
        restarted.stop()
    assert_consistent(stored(database_url), acknowledged)
