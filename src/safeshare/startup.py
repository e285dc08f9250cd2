"""Keys a process needs before it accepts requests: created in development, checked in production.

A service that starts without its vault key takes a victim's report and then fails on the
last page. So `serve` either has every key before it listens (development creates missing
ones, owner-only) or refuses to start with one line saying what to fix (production).
`safeshare doctor` runs the same checks and more.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from safeshare.config import Settings, is_strong_secret
from safeshare.errors import ConfigurationError, SafeShareError
from safeshare.ledger import keys as ledger_keys
from safeshare.vault.keys import FileKeyProvider, Keyring

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """One start-up condition: what was checked, whether it holds, and what to do if not."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        """The one line `serve` prints when it refuses to start."""
        return f"{self.name}: {self.detail}" + (f"; {self.fix}" if self.fix else "")


_RANDOM_VALUE_HINT = "set it to a random value, e.g. the output of `openssl rand -base64 48`"


def secret_key_check(settings: Settings) -> Check:
    """The cookie-signing secret: set, long and not repetitive (production only requires it)."""
    name = "Secret key"
    value = settings.secret_key.get_secret_value() if settings.secret_key else ""
    if not value:
        if settings.is_production:
            return Check(name, False, "SAFESHARE_SECRET_KEY is not set", _RANDOM_VALUE_HINT)
        return Check(name, True, "development key generated in the var directory")
    if not is_strong_secret(value):
        detail = "SAFESHARE_SECRET_KEY is too short or too predictable"
        return Check(name, False, detail, _RANDOM_VALUE_HINT)
    return Check(name, True, "set")


_TOO_OPEN = "is readable by other users (it must be mode 0600)"


def _key_file_problem(path: Path) -> str | None:
    """Why a key file cannot be used as it is, or None when it exists and is owner-only."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "is missing"
    except OSError:
        return "cannot be read"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        return _TOO_OPEN
    if not os.access(path, os.R_OK):
        return "cannot be read by this user"
    return None


def _fix_for(problem: str, path: Path, create_hint: str) -> str:
    if problem == _TOO_OPEN:
        return f"run `chmod 600 {path}` and make sure only the service's user owns it"
    return create_hint


def vault_key_check(settings: Settings) -> Check:
    """The vault's key-encryption keys: a real, owner-only, well-formed key file."""
    name = "Vault key"
    if settings.vault.provider == "memory":
        if settings.is_production:
            return Check(
                name,
                False,
                "the in-memory key provider would lose every sealed field on restart",
                "set SAFESHARE_VAULT__PROVIDER=file",
            )
        return Check(name, True, "in-memory provider (tests only)")
    path = settings.vault_key_file
    assert path is not None  # filled in by Settings
    problem = _key_file_problem(path)
    if problem is None:
        try:
            Keyring.from_json(path.read_text(encoding="utf-8"))
        except (SafeShareError, OSError, UnicodeDecodeError):
            problem = "cannot be read as a vault key file"
    if problem is not None:
        return Check(name, False, f"{path} {problem}", _fix_for(problem, path, _VAULT_FIX))
    return Check(name, True, str(path))


_VAULT_FIX = "create it with `safeshare vault keygen` (chmod 600); keep it out of database backups"


def ledger_key_check(settings: Settings) -> Check:
    """The checkpoint signing key: owner-only, and named after the configured log origin."""
    name = "Ledger signing key"
    path = settings.ledger_key_file
    assert path is not None  # filled in by Settings
    problem = _key_file_problem(path)
    if problem is None:
        try:
            ledger_keys.load_signer(path, origin=settings.ledger_origin)
        except (SafeShareError, OSError, ValueError, UnicodeDecodeError):
            problem = "cannot be read as the signing key for this ledger origin"
    if problem is not None:
        fix = _fix_for(problem, path, "create it with `safeshare ledger keygen`")
        return Check(name, False, f"{path} {problem}", fix)
    return Check(name, True, str(path))


def key_checks(settings: Settings) -> list[Check]:
    """Every key condition, in the order an operator should fix them."""
    return [secret_key_check(settings), vault_key_check(settings), ledger_key_check(settings)]


def create_development_keys(settings: Settings) -> list[Path]:
    """Create every missing key (owner-only) so a development service never half-works.

    Returns the files created. Refused in production: there keys are provisioned, not made.
    """
    if settings.is_production:
        raise ConfigurationError("keys are never generated in production")
    created: list[Path] = []
    settings.var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret_file = settings.var_dir / "secret_key"
    if settings.secret_key is None and not secret_file.exists():
        settings.session_secret()  # generates it, mode 0600
        created.append(secret_file)
    vault_file = settings.vault_key_file
    assert vault_file is not None  # filled in by Settings
    if settings.vault.provider == "file" and not vault_file.exists():
        FileKeyProvider.create(vault_file)
        created.append(vault_file)
    ledger_file = settings.ledger_key_file
    assert ledger_file is not None  # filled in by Settings
    if not ledger_file.exists():
        ledger_keys.generate_key_file(ledger_file, name=settings.ledger_origin)
        created.append(ledger_file)
    for path in created:
        log.warning("Generated a development key in %s (never use it in production)", path)
    return created


def require_ready(settings: Settings) -> list[Path]:
    """Make sure every key is in place before serving; raise with one line if one cannot be.

    Development creates missing keys first; production only checks, and a failed check is a
    `ConfigurationError` whose message names the first thing to fix.
    """
    created = [] if settings.is_production else create_development_keys(settings)
    failed = [check for check in key_checks(settings) if not check.ok]
    if failed:
        raise ConfigurationError(failed[0].line())
    return created
