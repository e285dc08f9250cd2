"""Run as a child process by the concurrency and crash tests.

python child.py URL direct COUNT      append COUNT entries, one transaction each
python child.py URL group KEYFILE     group-commit loop until killed; prints every
                                      acknowledged entry as "seq leafhash", flushed
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from safeshare.db.session import make_engine, make_session_factory, unit_of_work
from safeshare.ledger import service
from safeshare.ledger.appender import Appender
from safeshare.ledger.keys import load_signer

ORIGIN = "test.example/ledger"


def direct(url: str, count: int) -> None:
    sessions = make_session_factory(make_engine(url))
    for i in range(count):
        with unit_of_work(sessions) as session:
            service.append_entry(session, kind="test.direct", actor="child", data={"i": i})


def group(url: str, key_file: str) -> None:
    signer = load_signer(Path(key_file), origin=ORIGIN)
    sessions = make_session_factory(make_engine(url))
    lock = threading.Lock()

    def checkpoint(session: service.Session) -> None:
        service.checkpoint_if_due(session, signer=signer, origin=ORIGIN, max_entries=50)

    appender = Appender(sessions, max_batch=64, after_batch=checkpoint)

    def produce(worker: int) -> None:
        i = 0
        while True:
            done = appender.append(kind="test.group", actor=f"w{worker}", data={"i": i})
            with lock:
                sys.stdout.write(f"{done.seq} {done.leaf_hash.hex()}\n")
                sys.stdout.flush()
            i += 1

    threads = [threading.Thread(target=produce, args=(w,), daemon=True) for w in range(8)]
    for t in threads:
        t.start()
    threading.Event().wait()


if __name__ == "__main__":
    if sys.argv[2] == "direct":
        direct(sys.argv[1], int(sys.argv[3]))
    else:
        group(sys.argv[1], sys.argv[3])
