"""The policy migration creates its tables and its downgrade removes them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from safeshare.db import migrate
from safeshare.db.session import make_engine

TABLES = {
    "policy_sets",
    "policy_decisions",
    "policy_reviews",
    "policy_review_rulings",
    "policy_regime_assignments",
}


def test_upgrade_creates_the_policy_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_downgrade_removes_them_and_upgrade_restores_them(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'policy.db'}")
    try:
        migrate.upgrade(engine)
        migrate.downgrade(engine, "0001_foundation")
        assert not TABLES & set(inspect(engine).get_table_names())
        migrate.upgrade(engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()
