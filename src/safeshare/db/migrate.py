"""Run Alembic migrations programmatically (used by the CLI, `serve` and tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    # Alembic's ini interpolation treats % specially; escape it in URLs.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "heads", *, totp_key_file: Path | None = None) -> None:
    """Apply every migration up to `revision` (default: all feature heads).

    `totp_key_file`: the key that seals TOTP secrets (0015); the process settings' otherwise.
    """
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        cfg.attributes["totp_key_file"] = totp_key_file
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str, *, totp_key_file: Path | None = None) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        cfg.attributes["totp_key_file"] = totp_key_file
        command.downgrade(cfg, revision)


def script_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def current_heads(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def is_up_to_date(engine: Engine) -> bool:
    return current_heads(engine) == script_heads()
