"""`safeshare vault ...`: create the key file, rotate and retire key-encryption keys, show usage."""

from __future__ import annotations

import contextlib
import getpass
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import typer

from safeshare.config import get_settings
from safeshare.db.base import utcnow
from safeshare.errors import SafeShareError
from safeshare.runtime import Runtime, get_runtime
from safeshare.vault import service
from safeshare.vault.hsm import Pkcs11KeyProvider
from safeshare.vault.keys import FileKeyProvider, KeyProvider
from safeshare.vault.providers import build_key_provider, get_vault_config

app = typer.Typer(help="Manage the vault's key-encryption keys.", no_args_is_help=True)

GRACE_HELP = "Seconds the current key must have existed before old keys go (default: config)."


def cli_actor() -> str:
    """Who the ledger records for CLI actions: the operating-system user."""
    return f"cli:{getpass.getuser()}"


@contextlib.contextmanager
def exit_on_error() -> Iterator[None]:
    """Turn a domain error into its safe message and exit status 1, never a traceback."""
    try:
        yield
    except SafeShareError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None


def _grace(seconds: int | None) -> timedelta:
    return get_vault_config().retire_grace if seconds is None else timedelta(seconds=seconds)


def _retire(runtime: Runtime, provider: KeyProvider, *, grace: timedelta) -> list[str]:
    with runtime.session() as session:
        return service.retire_unused_keys(
            session, provider=provider, actor=cli_actor(), grace=grace
        )


def retire_after_grace(runtime: Runtime, provider: KeyProvider, *, grace: timedelta) -> list[str]:
    """Wait until the current KEK is `grace` old, then retire unused KEKs in their own unit of work.

    Call only after the rotation that freed them has committed (in its own unit of work).
    """
    created = provider.key_created_at(provider.current_key_id())
    remaining = (created + grace - utcnow()).total_seconds() if created else 0.0
    if remaining > 0:
        typer.echo(f"Waiting {remaining:.0f} s for in-flight requests before retiring old keys...")
        time.sleep(remaining)
    return _retire(runtime, provider, grace=grace)


def _echo_retired(retired: list[str]) -> None:
    typer.echo("\n".join(f"Retired {key_id}." for key_id in retired) or "No key to retire.")


@app.command()
def keygen(
    key_file: Path | None = typer.Option(None, help="Where to write it (default: settings)."),
) -> None:
    """Create the vault's first key-encryption key (never overwrites): in the key file, or
    in the PKCS#11 token when SAFESHARE_VAULT__PROVIDER=pkcs11."""
    settings = get_settings()
    if get_vault_config().provider == "pkcs11":
        with exit_on_error():
            token = settings.pkcs11_token()
            created = Pkcs11KeyProvider.create(token).current_key_id()
        typer.echo(f"Created key {created} in PKCS#11 token {token.token_label!r}.")
        return
    path = key_file or settings.vault_key_file
    assert path is not None  # Settings fills it in
    with exit_on_error():
        provider = FileKeyProvider.create(path)
    typer.echo(f"Created {path} with key {provider.current_key_id()}. Keep it out of backups.")


@app.command()
def rotate(
    retire: bool = typer.Option(True, help="Destroy old keys once nothing uses them."),
    grace: int | None = typer.Option(None, min=0, help=GRACE_HELP),
) -> None:
    """Make a new key-encryption key current and re-wrap every data key under it."""
    provider = build_key_provider(get_settings(), get_vault_config())
    runtime = get_runtime()
    with exit_on_error():
        with runtime.session() as session:
            result = service.rotate(session, provider=provider, actor=cli_actor())
        typer.echo(f"Current key {result.key_id}; re-wrapped {result.rewrapped} data keys.")
        if retire:
            _echo_retired(retire_after_grace(runtime, provider, grace=_grace(grace)))


@app.command(name="retire")
def retire_keys(grace: int | None = typer.Option(None, min=0, help=GRACE_HELP)) -> None:
    """Destroy old key-encryption keys that no data key uses any more (no waiting)."""
    provider = build_key_provider(get_settings(), get_vault_config())
    with exit_on_error():
        _echo_retired(_retire(get_runtime(), provider, grace=_grace(grace)))


@app.command()
def status() -> None:
    """List key-encryption keys and how many data keys each wraps."""
    provider = build_key_provider(get_settings(), get_vault_config())
    with exit_on_error(), get_runtime().session() as session:
        current = provider.current_key_id()
        usage = service.key_usage(session)
    for key_id in sorted(provider.key_ids()):
        marker = " (current)" if key_id == current else ""
        typer.echo(f"{key_id}{marker}: {usage.get(key_id, 0)} data keys")
    for key_id in sorted(set(usage) - provider.key_ids()):
        typer.echo(f"{key_id} (MISSING from provider): {usage[key_id]} data keys")
