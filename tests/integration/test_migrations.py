"""Migrations run up and down on both back ends and end at the recorded heads."""

from __future__ import annotations

from sqlalchemy import inspect

from safeshare.db import migrate
from safeshare.db.session import make_engine


def test_upgrade_reaches_every_head(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert migrate.is_up_to_date(engine)
        assert {"users", "organisations", "api_tokens"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(sqlite_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'roundtrip.db'}")
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "base")
        assert migrate.current_heads(engine) == set()
        assert "users" not in inspect(engine).get_table_names()
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()
