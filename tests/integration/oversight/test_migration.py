"""The 0008_oversight migration matches the models, and comes down and up again on its own."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from safeshare.db import migrate
from safeshare.db.models import load_all_models
from safeshare.db.session import make_engine

PREFIX = "oversight_"


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, load_all_models().metadata)
        return [d for d in diffs if PREFIX in repr(d)]


def test_models_and_migration_agree(db_engine: Engine) -> None:
    assert _differences(db_engine) == []


def test_the_oversight_branch_downgrades_alone(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'oversight.db'}")
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "0008_oversight-1")
        assert "0008_oversight" not in migrate.current_heads(engine)
        tables = set(inspect(engine).get_table_names())
        assert not {t for t in tables if t.startswith(PREFIX)}
        assert "users" in tables
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()
