"""Durable append rate: producers wait for commit (acknowledged = committed).

    python bench/ledger_append.py [--backend sqlite|postgres|both] [--entries N] [--producers P]

Group commit: P producer threads each append and wait, the Appender batches whatever is queued
into one transaction. For contrast, the one-transaction-per-entry rate is printed too.
"""

from __future__ import annotations

import argparse
import threading
import time

from ledger_common import temp_database

from safeshare.db.session import make_engine, make_session_factory, unit_of_work
from safeshare.ledger import service
from safeshare.ledger.appender import Appender


def durability(url: str) -> str:
    """The settings that make a commit durable, as the server reports them."""
    engine = make_engine(url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            text = f"journal_mode={mode}, synchronous={sync} (2=FULL)"
        else:
            fsync = conn.exec_driver_sql("SHOW fsync").scalar()
            sync = conn.exec_driver_sql("SHOW synchronous_commit").scalar()
            text = f"fsync={fsync}, synchronous_commit={sync}"
    engine.dispose()
    return text


def group_commit_rate(url: str, entries: int, producers: int) -> tuple[float, int]:
    engine = make_engine(url, pool_size=4) if url.startswith("postgresql") else make_engine(url)
    sessions = make_session_factory(engine)
    per_producer = entries // producers
    with Appender(sessions, max_batch=5_000) as appender:
        appender.append(kind="bench.warmup", actor="bench", data={})

        def produce(worker: int) -> None:
            for i in range(per_producer):
                appender.append(
                    kind="vault.read",
                    actor=f"officer{worker}",
                    data={"case": f"C-{worker}-{i}", "field": "contact"},
                )

        threads = [threading.Thread(target=produce, args=(w,)) for w in range(producers)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    with unit_of_work(sessions) as session:
        size = service.tree_size(session)
        report = service.verify_log(session, verifiers=[], origin="bench")
        assert report.ok, report.lines()
    engine.dispose()
    return per_producer * producers / elapsed, size


def single_transaction_rate(url: str, entries: int) -> float:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    started = time.perf_counter()
    for i in range(entries):
        with unit_of_work(sessions) as session:
            service.append_entry(session, kind="vault.read", actor="officer", data={"i": i})
    elapsed = time.perf_counter() - started
    engine.dispose()
    return entries / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--producers", type=int, default=64)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        with temp_database(backend) as url:
            print(f"{backend:8} durability: {durability(url)}")
            rate, size = group_commit_rate(url, args.entries, args.producers)
            print(
                f"{backend:8} group commit, {args.producers} producers: {rate:,.0f} durable "
                f"entries/s ({size:,} entries, log verified)"
            )
        with temp_database(backend) as url:
            single = single_transaction_rate(url, 1_000)
            print(f"{backend:8} one transaction per entry:       {single:,.0f} entries/s")


if __name__ == "__main__":
    main()
