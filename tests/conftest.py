"""Shared fixtures: throwaway SQLite and PostgreSQL databases, migrated once per session.

PostgreSQL tests skip with the reason when the server cannot be reached, unless
SAFESHARE_REQUIRE_POSTGRES=1 (set by .ci/run), in which case they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from safeshare import events
from safeshare.db import migrate
from safeshare.db.session import make_engine
from safeshare.events import DomainEvent

PG_ADMIN_URL = os.environ.get(
    "SAFESHARE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("SAFESHARE_REQUIRE_POSTGRES") == "1"


def _pg_unavailable(reason: str) -> None:
    message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {reason}"
    if REQUIRE_POSTGRES:
        pytest.fail(message + " (SAFESHARE_REQUIRE_POSTGRES=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh PostgreSQL database created for this test session and dropped after."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    name = f"safeshare_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any connection failure means: no PostgreSQL here
        admin.dispose()
        _pg_unavailable(type(exc).__name__ + ": " + str(exc).splitlines()[0])
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """An empty PostgreSQL database of its own, for tests that migrate up and down."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"safeshare_fresh_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "safeshare.db"
    return f"sqlite:///{path}"


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated database URL, once per back end."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def db_engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    pysqlite defers BEGIN until the first write, so without an explicit BEGIN the session's
    SAVEPOINT would be the outermost transaction and `session.commit()` would really commit.
    """
    connection = db_engine.connect()
    transaction = connection.begin()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def published() -> Iterator[list[DomainEvent]]:
    """Every domain event published during the test, in order."""
    seen: list[DomainEvent] = []

    def record(_session: Session, event: DomainEvent) -> None:
        seen.append(event)

    events.subscribe(record)
    try:
        yield seen
    finally:
        events.unsubscribe(record)


SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
SOFTHSM_PIN = "246810"
SOFTHSM_TOKENS = 12  # raise it if a test session needs more fresh tokens


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """A factory of fresh SoftHSM2 tokens (user PIN `SOFTHSM_PIN`), returning their labels.

    One token directory per test session: SoftHSM reads SOFTHSM2_CONF once, when the module is
    first initialised in the process. Skips without Debian's softhsm2 unless
    SAFESHARE_REQUIRE_SOFTHSM=1 (set by .ci/run), in which case it fails.
    """
    if not SOFTHSM_MODULE.exists() or shutil.which("softhsm2-util") is None:
        message = f"SoftHSM2 not installed ({SOFTHSM_MODULE}): apt-get install softhsm2"
        if os.environ.get("SAFESHARE_REQUIRE_SOFTHSM") == "1":
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)

    # SoftHSM lists tokens when it is initialised, so create every token a session needs first.
    labels = [f"safeshare-{uuid.uuid4().hex[:8]}" for _ in range(SOFTHSM_TOKENS)]
    for label in labels:
        subprocess.run(
            [
                "softhsm2-util",
                "--init-token",
                "--free",
                "--label",
                label,
                "--pin",
                SOFTHSM_PIN,
                "--so-pin",
                "13579",
            ],
            check=True,
            capture_output=True,
        )
    unused = iter(labels)

    def make() -> str:
        return next(unused)

    yield make
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous
