"""Concurrent appenders (threads and processes) and a SIGKILLed appender, on both back ends."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy.orm import Session

from safeshare.db.session import make_engine, make_session_factory, unit_of_work
from safeshare.ledger import service
from safeshare.ledger.appender import Appender
from safeshare.ledger.keys import generate_key_file
from safeshare.ledger.note import Ed25519NoteSigner

from .conftest import ORIGIN

CHILD = Path(__file__).with_name("child.py")
SRC = Path(__file__).resolve().parents[3] / "src"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(SRC)}


def _verified(url: str, signer: Ed25519NoteSigner | None = None) -> tuple[Session, int]:
    engine = make_engine(url)
    session = Session(engine)
    verifiers = [signer.verifier] if signer else []
    report = service.verify_log(session, verifiers=verifiers, origin=ORIGIN)
    assert report.ok, report.lines()
    return session, report.tree_size


def test_concurrent_threads_give_a_gapless_verifiable_log(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    sessions = make_session_factory(engine)
    errors: list[BaseException] = []

    def direct(worker: int) -> None:
        try:
            for i in range(15):
                with unit_of_work(sessions) as session:
                    service.append_entry(session, kind="test", actor=f"t{worker}", data={"i": i})
        except BaseException as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)

    with Appender(sessions, max_batch=32) as appender:
        threads = [threading.Thread(target=direct, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        futures = [appender.submit(kind="test", actor="grouped", data={"i": i}) for i in range(300)]
        seqs = [f.result(timeout=60).seq for f in futures]
        for t in threads:
            t.join()
    engine.dispose()
    assert not errors
    assert len(set(seqs)) == 300
    session, size = _verified(fresh_url)
    assert size == 360
    session.close()


def test_concurrent_processes_give_a_gapless_verifiable_log(fresh_url: str) -> None:
    children = [
        subprocess.Popen([sys.executable, str(CHILD), fresh_url, "direct", "25"], env=_env())
        for _ in range(3)
    ]
    assert [c.wait(timeout=120) for c in children] == [0, 0, 0]
    session, size = _verified(fresh_url)
    assert size == 75
    actors = {e["data"]["i"] for e in service.search_entries(session, limit=500)}
    assert actors == set(range(25))
    session.close()


def test_sigkilled_appender_loses_no_acknowledged_entry(fresh_url: str, tmp_path: Path) -> None:
    key_file = tmp_path / "ledger.key"
    signer = generate_key_file(key_file, name=ORIGIN)
    child = subprocess.Popen(
        [sys.executable, str(CHILD), fresh_url, "group", str(key_file)],
        stdout=subprocess.PIPE,
        env=_env(),
    )
    assert child.stdout is not None
    first = child.stdout.readline()  # wait until it is appending
    assert first
    time.sleep(random.uniform(0.2, 1.0))
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate(timeout=30)
    acked = [line.split() for line in (first + rest).decode().splitlines() if line.strip()]
    acked = [a for a in acked if len(a) == 2]  # the kill may cut the last line short
    assert child.returncode == -signal.SIGKILL
    print(f"acknowledged {len(acked)} entries before SIGKILL")
    session, size = _verified(fresh_url, signer)
    for seq, leaf in acked:
        assert int(seq) < size
        assert service.get_entry_or_raise(session, seq=int(seq))["leaf_hash"] == leaf
    assert service.latest_checkpoint(session) is not None
    session.close()
