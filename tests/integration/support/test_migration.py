"""The 0006_support migration matches the models, and comes down and up again on its own."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from safeshare.db import migrate
from safeshare.db.models import load_all_models
from safeshare.db.session import make_engine

SUPPORT_PREFIX = "support_"


def _support_differences(engine: Engine) -> list[object]:
    def mentions_support(diff: object) -> bool:
        return SUPPORT_PREFIX in repr(diff)

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [
            d for d in compare_metadata(context, load_all_models().metadata) if mentions_support(d)
        ]


def test_models_and_migration_agree(db_engine: Engine) -> None:
    assert _support_differences(db_engine) == []


def test_the_support_branch_downgrades_alone(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'support.db'}")
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "0006_support-1")
        assert "0006_support" not in migrate.current_heads(engine)
        tables = set(inspect(engine).get_table_names())
        assert not {t for t in tables if t.startswith(SUPPORT_PREFIX)}
        assert "users" in tables
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()
