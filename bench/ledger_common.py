"""Shared set-up for the ledger benchmarks: throwaway databases and fast log building."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from safeshare.db import migrate
from safeshare.db.session import make_engine, make_session_factory, unit_of_work
from safeshare.ledger import service

PG_ADMIN_URL = os.environ.get(
    "SAFESHARE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
OUT = Path(__file__).resolve().parent / "out"
ORIGIN = "bench.example/ledger"


def migrated(url: str) -> str:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


@contextmanager
def temp_database(backend: str) -> Iterator[str]:
    """A fresh migrated database, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(dir=OUT if OUT.exists() else None) as tmp:
            yield migrated(f"sqlite:///{tmp}/ledger.db")
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"safeshare_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield migrated(
            make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def persistent_database(backend: str, size: int) -> str:
    """A database holding `size` entries, built once and reused (bench/out or a PG db)."""
    if backend == "sqlite":
        OUT.mkdir(exist_ok=True)
        url = f"sqlite:///{OUT / f'ledger_{size}.db'}"
    else:
        name = f"safeshare_bench_ledger_{size}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).scalar():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    migrated(url)
    build_log(url, size)
    return url


def build_log(url: str, size: int, batch: int = 20_000) -> None:
    """Append entries through the real append path, in large transactions, up to `size`."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with unit_of_work(sessions) as session:
        have = service.tree_size(session)
    if have < size:
        print(f"building a {size:,}-entry log at {engine.url.render_as_string()} ...", flush=True)
    started = time.perf_counter()
    while have < size:
        n = min(batch, size - have)
        records = [
            service.EntryInput(
                "policy.decision",
                f"officer{i % 97}",
                {"case": f"C-{have + i}", "decision": "refuse", "regime": "full"},
            )
            for i in range(n)
        ]
        with unit_of_work(sessions) as session:
            service.append_entries(session, records=records)
        have += n
        if have % 100_000 == 0 or have == size:
            rate = have / (time.perf_counter() - started)
            print(f"  {have:,} entries ({rate:,.0f}/s)", flush=True)
    engine.dispose()
