"""Settings: defaults, production refuses placeholder secrets, development generates one."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import pytest

from safeshare.config import Settings
from safeshare.errors import ConfigurationError


def test_defaults_put_everything_under_var(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path.as_posix()}/safeshare.db"
    assert settings.vault_key_file == tmp_path / "vault.key"
    assert settings.ledger_key_file == tmp_path / "ledger.key"
    assert not settings.is_production


@pytest.mark.parametrize(
    "secret",
    [None, "", "changeme", "short", "x" * 40, "ab" * 32, "changeme" * 8, "0123456789" * 4],
)
def test_production_requires_a_real_secret(tmp_path: Path, secret: str | None) -> None:
    with pytest.raises(ConfigurationError, match="SAFESHARE_SECRET_KEY"):
        Settings(var_dir=tmp_path, env="production", secret_key=secret)  # type: ignore[arg-type]


def test_production_accepts_a_long_random_secret(tmp_path: Path) -> None:
    secret = secrets.token_urlsafe(32)
    settings = Settings(var_dir=tmp_path, env="production", secret_key=secret)  # type: ignore[arg-type]
    assert settings.session_secret() == secret


def test_development_generates_a_secret_once_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(var_dir=tmp_path)
    with caplog.at_level(logging.WARNING):
        first = settings.session_secret()
    assert "generated a development key" in caplog.text
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert Settings(var_dir=tmp_path).session_secret() == first


def test_environment_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SAFESHARE_LOGIN_MAX_WAIT_SECONDS", "30")
    settings = Settings()
    assert settings.var_dir == tmp_path and settings.login_max_wait_seconds == 30


def test_languages_setting_is_a_comma_separated_list_of_shipped_languages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings(var_dir=tmp_path).languages == ("en", "cy", "es", "ar", "pl", "ro", "pt")
    monkeypatch.setenv("SAFESHARE_LANGUAGES", " en, CY ,cy")
    assert Settings(var_dir=tmp_path).languages == ("en", "cy")
    monkeypatch.setenv("SAFESHARE_LANGUAGES", "en,xx")
    with pytest.raises(ConfigurationError, match="no catalogue: xx"):
        Settings(var_dir=tmp_path)
    monkeypatch.setenv("SAFESHARE_LANGUAGES", "cy,es")
    with pytest.raises(ConfigurationError, match="must include en"):
        Settings(var_dir=tmp_path)
