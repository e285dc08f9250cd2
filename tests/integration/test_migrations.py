"""Migrations run up and down on both back ends and end at the recorded heads."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from safeshare.db import migrate
from safeshare.db.models import load_all_models
from safeshare.db.session import make_engine

RECORDED_HEADS = Path(migrate.MIGRATIONS_DIR, "heads.txt")


def test_script_heads_match_the_recorded_heads() -> None:
    """A new migration must update heads.txt, so branch changes are deliberate."""
    recorded = set(RECORDED_HEADS.read_text().split())
    assert migrate.script_heads() == recorded


def test_revision_ids_equal_file_names() -> None:
    for path in (migrate.MIGRATIONS_DIR / "versions").glob("*.py"):
        assert f'revision = "{path.stem}"' in path.read_text(), path.name


def test_upgrade_reaches_every_head_and_every_table(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert migrate.is_up_to_date(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(load_all_models().metadata.tables) <= tables
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'roundtrip.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


def test_downgrade_to_base_and_back(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "base")
        assert migrate.current_heads(engine) == set()
        leftover = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert leftover == set()
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()
