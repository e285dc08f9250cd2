"""Start-up cannot half-work: development creates every key, production refuses bad keys.

The refusals run the real `safeshare serve` process, as an operator would, and require one
line on stderr and a non-zero exit before anything listens.
"""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeshare import startup
from safeshare.cli import app
from safeshare.config import Settings, get_settings
from safeshare.errors import ConfigurationError
from safeshare.ledger import keys as ledger_keys
from safeshare.vault.keys import FileKeyProvider

SAFESHARE = Path(sys.executable).with_name("safeshare")


def _production_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFESHARE_")}
    env.update(
        SAFESHARE_ENV="production",
        SAFESHARE_VAR_DIR=str(var_dir),
        SAFESHARE_SECRET_KEY=secrets.token_urlsafe(48),
    )
    env.update(extra)
    return env


def _provision(var_dir: Path) -> None:
    """Keys as an operator would provision them: owner-only files."""
    FileKeyProvider.create(var_dir / "vault.key")
    ledger_keys.generate_key_file(var_dir / "ledger.key", name="safeshare.example/ledger")


def _serve(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SAFESHARE), "serve", "--port", "1"],  # port 1: it must fail before binding
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _loosen(path: Path) -> None:
    path.chmod(0o640)


def _world(path: Path) -> None:
    path.chmod(0o604)


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _garbage(path: Path) -> None:
    path.write_text("not a key\n")
    path.chmod(0o600)


BAD_KEYS: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "vault key missing": (Path.unlink, "vault.key", "Vault key"),
    "vault key group-readable": (_loosen, "vault.key", "Vault key"),
    "vault key world-readable": (_world, "vault.key", "Vault key"),
    "vault key unreadable (a directory)": (_directory, "vault.key", "Vault key"),
    "vault key unreadable (not a key)": (_garbage, "vault.key", "Vault key"),
    "ledger key missing": (Path.unlink, "ledger.key", "Ledger signing key"),
    "ledger key group-readable": (_loosen, "ledger.key", "Ledger signing key"),
    "ledger key unreadable (not a key)": (_garbage, "ledger.key", "Ledger signing key"),
}


def _assert_refused(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert "SafeShare on http" not in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BAD_KEYS))
def test_production_refuses_to_start_with_a_bad_key(tmp_path: Path, case: str) -> None:
    damage, name, label = BAD_KEYS[case]
    _provision(tmp_path)
    damage(tmp_path / name)
    _assert_refused(_serve(_production_env(tmp_path), tmp_path), label, name)


@pytest.mark.slow
def test_production_refuses_the_in_memory_vault(tmp_path: Path) -> None:
    _provision(tmp_path)
    env = _production_env(tmp_path, SAFESHARE_VAULT__PROVIDER="memory")
    _assert_refused(_serve(env, tmp_path), "in-memory")


@pytest.mark.slow
@pytest.mark.parametrize("secret", ["a" * 64, "changeme" * 8, "", "0123456789abcdef" * 3])
def test_production_refuses_a_weak_secret_key(tmp_path: Path, secret: str) -> None:
    _provision(tmp_path)
    env = _production_env(tmp_path, SAFESHARE_SECRET_KEY=secret)
    _assert_refused(_serve(env, tmp_path), "SAFESHARE_SECRET_KEY")


def test_development_creates_every_key_owner_only(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var")
    created = startup.require_ready(settings)
    names = {path.name for path in created}
    assert names == {"secret_key", "vault.key", "ledger.key"}
    for path in created:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert all(check.ok for check in startup.key_checks(settings))
    # Nothing is replaced on the next start.
    assert startup.require_ready(settings) == []


def test_production_never_creates_keys(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, env="production", secret_key=secrets.token_hex(32))  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="Vault key"):
        startup.require_ready(settings)
    assert not (tmp_path / "vault.key").exists() and not (tmp_path / "ledger.key").exists()


runner = CliRunner()


def test_doctor_says_what_to_fix_then_passes(cli_env: Path) -> None:
    first = runner.invoke(app, ["doctor"])
    assert first.exit_code == 1
    assert "safeshare vault keygen" in first.output
    assert "safeshare db upgrade" in first.output

    startup.require_ready(get_settings())
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    second = runner.invoke(app, ["doctor"])
    assert second.exit_code == 0, second.output
    assert "Everything checked is in order" in second.output


def test_doctor_tells_missing_key_from_tampering(cli_env: Path) -> None:
    startup.require_ready(get_settings())
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["demo", "load"]).exit_code == 0
    assert runner.invoke(app, ["ledger", "checkpoint"]).exit_code == 0
    assert runner.invoke(app, ["doctor"]).exit_code == 0

    # The private key may live elsewhere: the public key alone verifies.
    key = cli_env / "ledger.key"
    backup = key.read_text()
    key.unlink()
    public_only = runner.invoke(app, ["doctor"])
    assert "latest checkpoints verify with the public key" in public_only.output
    # No key at all: "not configured", not "tampering".
    ledger_keys.public_key_path(key).rename(cli_env / "elsewhere.pub")
    missing = runner.invoke(app, ["doctor"])
    assert "no ledger key is configured" in missing.output
    assert "tampering" not in missing.output
    key.write_text(backup)
    key.chmod(0o600)
    (cli_env / "elsewhere.pub").rename(ledger_keys.public_key_path(key))
