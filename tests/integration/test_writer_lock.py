"""The group commit's writer lock: one holder across processes, freed when its holder dies."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

from sqlalchemy import create_engine

from safeshare.db.writer_lock import WriterLock

HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_only_a_sqlite_file_has_a_lock_file() -> None:
    assert WriterLock(create_engine("postgresql+psycopg://u@h/db")).path is None
    assert WriterLock(create_engine("sqlite://")).path is None
    with WriterLock(create_engine("sqlite://")).hold():
        pass  # nothing to wait for


def test_another_process_waits_until_the_holder_dies(tmp_path: Path) -> None:
    lock = WriterLock(create_engine(f"sqlite:///{tmp_path / 'safeshare.db'}"))
    assert lock.path == f"{tmp_path / 'safeshare.db'}.writer-lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, lock.path], stdout=subprocess.PIPE, text=True
    )
    acquired = threading.Event()

    def take() -> None:
        with lock.hold():
            acquired.set()

    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        waiter = threading.Thread(target=take, daemon=True)
        waiter.start()
        assert not acquired.wait(0.5)  # the other process holds it
        holder.send_signal(signal.SIGKILL)  # dies holding it: the kernel lets go
        assert acquired.wait(10)
        waiter.join(10)
        with lock.hold():  # and it is free again once released
            pass
    finally:
        holder.kill()
        holder.wait(10)
        lock.close()
    assert (Path(lock.path).stat().st_mode & 0o777) == 0o600
