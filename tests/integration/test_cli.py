"""The `safeshare` command: migrations, demo data, users and tokens."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from safeshare.cli import app
from safeshare.runtime import get_runtime

runner = CliRunner()


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


def test_account_lifecycle_commands(cli_env: Path) -> None:
    """Offboarding from the command line: deactivate (tokens die), roles, resets, tokens."""
    from safeshare.auth import lifecycle
    from safeshare.auth import service as auth_service

    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(app, ["users", "create", "pc-cli", "--role", "officer"])
    assert created.exit_code == 0, created.output
    issued = runner.invoke(app, ["users", "token", "pc-cli", "--name", "nightly export"])
    token = issued.output.strip()
    listing = runner.invoke(app, ["users", "tokens", "pc-cli"])
    assert "nightly export" in listing.output and "live" in listing.output
    assert token not in listing.output

    def resolves() -> bool:
        with get_runtime().session() as session:
            return auth_service.user_for_token(session, token=token) is not None

    assert resolves()
    assert runner.invoke(app, ["users", "deactivate", "pc-cli"]).exit_code == 0
    assert not resolves()
    assert runner.invoke(app, ["users", "reactivate", "pc-cli"]).exit_code == 0
    assert not resolves()  # revoked tokens stay revoked
    role = runner.invoke(app, ["users", "set-role", "pc-cli", "supervisor"])
    assert role.exit_code == 0, role.output
    reset = runner.invoke(app, ["users", "reset-password", "pc-cli"])
    assert reset.exit_code == 0 and "shown once" in reset.output
    second = runner.invoke(app, ["users", "token", "pc-cli"]).output.strip()
    token_id = runner.invoke(app, ["users", "tokens", "pc-cli"]).output
    assert second not in token_id
    with get_runtime().session() as session:
        user = auth_service.get_user_by_username(session, username="pc-cli")
        assert user is not None and user.role == "supervisor"
        latest = max(t.id for t in lifecycle.list_tokens(session, user_id=user.id))
    assert runner.invoke(app, ["users", "revoke-token", str(latest)]).exit_code == 0
    assert runner.invoke(app, ["users", "deactivate", "nobody"]).exit_code == 1
