"""The `safeshare` command: migrations, demo data, users and tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeshare.cli import app
from safeshare.config import get_settings
from safeshare.runtime import get_runtime

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SAFESHARE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    get_runtime.cache_clear()
    yield tmp_path
    get_runtime().engine.dispose()
    get_settings.cache_clear()
    get_runtime.cache_clear()


def test_db_upgrade_demo_load_and_users(cli_env: Path) -> None:
    result = runner.invoke(app, ["demo", "load"])
    assert result.exit_code == 1 and "db upgrade" in result.output

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert (cli_env / "safeshare.db").exists()

    demo = runner.invoke(app, ["demo", "load"])
    assert demo.exit_code == 0, demo.output
    for role in ("officer", "disclosure_officer", "advocate", "inspector", "admin"):
        assert role in demo.output
    again = runner.invoke(app, ["demo", "load"])
    assert "already exist" in again.output

    created = runner.invoke(
        app, ["users", "create", "pc-new", "--role", "officer", "--name", "PC New"]
    )
    assert created.exit_code == 0, created.output
    assert "Password (shown once)" in created.output

    bad_role = runner.invoke(app, ["users", "create", "x-user", "--role", "chief"])
    assert bad_role.exit_code == 2

    advocate = runner.invoke(app, ["users", "create", "adv-new", "--role", "advocate"])
    assert advocate.exit_code == 1 and "support organisation" in advocate.output

    listing = runner.invoke(app, ["users", "list"])
    assert "pc-new" in listing.output and "$argon2" not in listing.output

    token = runner.invoke(app, ["users", "token", "pc-new"])
    assert token.exit_code == 0 and token.output.strip().startswith("ss_")
    assert runner.invoke(app, ["users", "token", "nobody"]).exit_code == 1
