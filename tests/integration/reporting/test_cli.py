"""`safeshare vault ...` and `safeshare reports ...` against a throwaway SQLite deployment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeshare import config as settings_module
from safeshare import runtime as runtime_module
from safeshare.db import migrate
from safeshare.db.session import make_engine
from safeshare.reporting import cli as reports_cli
from safeshare.reporting.schemas import SealedDetails
from safeshare.vault import cli as vault_cli
from safeshare.vault.config import VaultConfig
from safeshare.vault.keys import FileKeyProvider
from tests.factories.reporting import create_public_report, reporting_config

runner = CliRunner()


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings pointing at a fresh migrated database and key file under `tmp_path`."""
    url = f"sqlite:///{tmp_path / 'safeshare.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SAFESHARE_DATABASE_URL", url)
    no_grace = VaultConfig(retire_grace_seconds=0)
    monkeypatch.setattr(vault_cli, "get_vault_config", lambda: no_grace)
    monkeypatch.setattr(reports_cli, "get_vault_config", lambda: no_grace)
    settings_module.get_settings.cache_clear()
    runtime_module.get_runtime.cache_clear()
    try:
        yield tmp_path
    finally:
        runtime_module.get_runtime().engine.dispose()
        settings_module.get_settings.cache_clear()
        runtime_module.get_runtime.cache_clear()


def _run(app: object, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))  # type: ignore[arg-type]
    return result.exit_code, result.output


def test_keygen_list_erase_rotate(deployment: Path) -> None:
    code, out = _run(vault_cli.app, "keygen")
    assert code == 0 and "Keep it out of backups" in out
    key_file = deployment / "vault.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert _run(vault_cli.app, "keygen")[0] == 1  # never overwrites

    provider = FileKeyProvider(key_file)
    config = reporting_config()
    with runtime_module.get_runtime().session() as session:
        doomed = create_public_report(
            session,
            provider=provider,
            config=config,
            details=SealedDetails(name="Secret Person"),
        )
        kept = create_public_report(session, provider=provider, config=config)

    code, out = _run(reports_cli.app, "list")
    assert code == 0
    assert doomed.reference in out and kept.reference in out
    assert "Secret Person" not in out and "2 reports" in out
    first_key = provider.current_key_id()
    assert f"{first_key} (current): 2 data keys" in _run(vault_cli.app, "status")[1]

    code, out = _run(
        reports_cli.app, "erase", doomed.reference, "--reason", "Victim asked", "--yes"
    )
    assert code == 0, out
    assert f"Erased {doomed.reference}." in out and f"Retired {first_key}" in out
    code, out = _run(vault_cli.app, "status")
    # The kept report's key, and the sealed erasure reason's (the ledger holds its reference).
    assert first_key not in out and "(current): 2 data keys" in out
    assert doomed.reference not in _run(reports_cli.app, "list")[1]
    assert doomed.reference in _run(reports_cli.app, "list", "--include-erased")[1]

    code, out = _run(vault_cli.app, "rotate", "--grace", "0")
    assert code == 0 and "re-wrapped 2 data keys" in out and "Retired kek-" in out
    assert _run(vault_cli.app, "retire", "--grace", "0")[1].strip() == "No key to retire."

    code, out = _run(
        reports_cli.app, "erase", "SS-00000-00000", "--reason", "Victim asked", "--yes"
    )
    assert code == 1 and "does not exist" in out


@pytest.mark.parametrize("command", [["status"], ["rotate"], ["retire"]])
def test_missing_key_file_fails_cleanly(deployment: Path, command: list[str]) -> None:
    code, out = _run(vault_cli.app, *command)
    assert code == 1 and "create it with `safeshare vault keygen`" in out
