"""Ledger databases of their own, on SQLite and PostgreSQL.

Tests here commit (concurrency, crashes) or tamper as a DBA would, so they get fresh
databases rather than the shared one; tamper tests still roll back their transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from safeshare.db import migrate
from safeshare.db.session import make_engine
from safeshare.ledger.note import Ed25519NoteSigner

ORIGIN = "test.example/ledger"
FreshDatabase = Callable[[], AbstractContextManager[str]]


@pytest.fixture(scope="session")
def signer() -> Ed25519NoteSigner:
    return Ed25519NoteSigner.generate(ORIGIN)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def fresh_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> FreshDatabase:
    """A factory of migrated, empty databases on this module's back end."""
    if request.param == "sqlite":

        @contextmanager
        def sqlite() -> Iterator[str]:
            path: Path = tmp_path_factory.mktemp("ledger") / "ledger.db"
            url = f"sqlite:///{path}"
            _migrate(url)
            yield url

        return sqlite
    server_url: str = request.getfixturevalue("postgres_url")

    @contextmanager
    def postgres() -> Iterator[str]:
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        name = f"safeshare_ledger_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        try:
            _migrate(url)
            yield url
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    return postgres


def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()


@pytest.fixture
def fresh_url(fresh_database: FreshDatabase) -> Iterator[str]:
    """A database for one test that commits."""
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="module")
def module_engine(fresh_database: FreshDatabase) -> Iterator[Engine]:
    with fresh_database() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def ledger_session(module_engine: Engine) -> Iterator[Session]:
    """A session on an empty ledger whose transaction is rolled back after the test."""
    connection = module_engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()
