"""Reporting and vault migrations match the models and go down and up on both back ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, Table, inspect

from safeshare.db import migrate
from safeshare.db.models import load_all_models
from safeshare.db.session import make_engine

REPORTING_TABLES = {
    "reports",
    "report_updates",
    "report_consents",
    "report_facts",
    "victims_code_rights",
    "report_drafts",
    "sealed_access_grants",
    "sealed_read_records",
    "access_alerts",
}
VAULT_TABLES = {"vault_data_keys", "vault_sealed_values"}
OURS = REPORTING_TABLES | VAULT_TABLES


def _table_of(diff: object) -> str | None:
    """The table a compare_metadata diff is about (diffs are tuples, or lists of tuples)."""
    first = diff[0] if isinstance(diff, list) else diff
    assert isinstance(first, tuple)
    for item in first[1:]:
        if isinstance(item, Table):
            return str(item.name)
        table = getattr(item, "table", None)
        if isinstance(table, Table):
            return str(table.name)
        if isinstance(item, str):
            return item
    return None


def test_models_match_migrations(db_engine: Engine) -> None:
    metadata = load_all_models().metadata
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, metadata)
    assert [d for d in diffs if _table_of(d) in OURS] == []


@contextmanager
def _throwaway_connection(db_engine: Engine, tmp_path: Path) -> Iterator[Connection]:
    """A migrated database to break: a new SQLite file, or a PostgreSQL transaction rolled back
    at the end (its DDL is transactional), so the shared test database is left untouched."""
    if db_engine.dialect.name == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        migrate.upgrade(engine)
        try:
            with engine.begin() as connection:
                yield connection
        finally:
            engine.dispose()
        return
    with db_engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


def test_branch_downgrade_and_upgrade(db_engine: Engine, tmp_path: Path) -> None:
    with _throwaway_connection(db_engine, tmp_path) as connection:
        config = migrate.alembic_config(db_engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection

        def tables() -> set[str]:
            return set(inspect(connection).get_table_names())

        # The reporting branch: 0004, 0009, 0011, 0012, 0023 and 0024.
        command.downgrade(config, "0024_monitoring_dimensions@-6")
        assert not tables() & REPORTING_TABLES
        assert tables() >= VAULT_TABLES
        command.downgrade(config, "0005_vault@-1")
        assert not tables() & OURS and "organisations" in tables()
        command.upgrade(config, "heads")
        assert tables() >= OURS
