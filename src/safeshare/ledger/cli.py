"""`safeshare ledger ...`: keys, proofs, checkpoints, verification and export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from safeshare.config import Settings, get_settings
from safeshare.errors import SafeShareError
from safeshare.ledger import keys, service
from safeshare.ledger.note import NoteVerifier
from safeshare.runtime import get_runtime

app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)
console = Console(soft_wrap=True)
err_console = Console(stderr=True)


@contextmanager
def _errors() -> Iterator[None]:
    """Show domain errors as one line and exit 1, instead of a traceback."""
    try:
        yield
    except SafeShareError as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}")
        raise typer.Exit(1) from exc


def _key_file(settings: Settings) -> Path:
    assert settings.ledger_key_file is not None  # filled in by Settings
    return settings.ledger_key_file


def _verifier(settings: Settings, vkey: str | None) -> NoteVerifier:
    if vkey:
        return NoteVerifier.from_vkey(vkey)
    return keys.verifier_for_key_file(_key_file(settings))


def _print_json(value: dict[str, Any]) -> None:
    typer.echo(json.dumps(value, indent=2))


@app.command()
def keygen(
    force: Annotated[bool, typer.Option("--force", help="Replace an existing key.")] = False,
) -> None:
    """Create the checkpoint signing key (named after the origin); print its public key."""
    settings = get_settings()
    with _errors():
        signer = keys.generate_key_file(
            _key_file(settings), name=settings.ledger_origin, overwrite=force
        )
    console.print(f"Wrote the ledger signing key to {_key_file(settings)} (keep it secret).")
    console.print("Publish this verifier key for inspectors:")
    typer.echo(signer.verifier.to_vkey())


@app.command()
def prove(
    index: Annotated[int, typer.Option("--index", help="Leaf index (entry sequence number).")],
    size: Annotated[int | None, typer.Option("--size", help="Tree size (default: now).")] = None,
) -> None:
    """Print an RFC 9162 inclusion proof for one entry."""
    with _errors(), get_runtime().session() as session:
        _print_json(service.inclusion_proof(session, leaf_index=index, size=size))


@app.command()
def consistency(
    first: Annotated[int, typer.Option("--from", help="Earlier tree size.")],
    second: Annotated[
        int | None, typer.Option("--to", help="Later tree size (default: now).")
    ] = None,
) -> None:
    """Print an RFC 9162 consistency proof between two tree sizes."""
    with _errors(), get_runtime().session() as session:
        _print_json(service.consistency_proof(session, first=first, second=second))


@app.command()
def checkpoint() -> None:
    """Sign a checkpoint of the current tree now and print it."""
    settings = get_settings()
    with _errors():
        signer = keys.load_signer(_key_file(settings), origin=settings.ledger_origin)
        with get_runtime().session() as session:
            info = service.create_checkpoint(session, signer=signer, origin=settings.ledger_origin)
    typer.echo(info.note, nl=False)


@app.command()
def verify(
    vkey: Annotated[
        str | None, typer.Option("--vkey", help="Trusted verifier key (default: the key file).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Recompute the log from stored entries and check every checkpoint; exit 1 on tampering."""
    settings = get_settings()
    with _errors(), get_runtime().session() as session:
        verifier = _verifier(settings, vkey)
        total = service.count_entries(session)
        with Progress(
            TextColumn("Verifying ledger"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
            disable=as_json or total < 50_000,
        ) as bar:
            task = bar.add_task("entries", total=total)
            report = service.verify_log(
                session,
                verifiers=[verifier],
                origin=settings.ledger_origin,
                progress=lambda done: bar.update(task, completed=done),
            )
    if as_json:
        _print_json(report.as_dict())
    else:
        style = "green" if report.ok else "red"
        for line in report.lines():
            console.print(line, style=style, markup=False, highlight=False)
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def export(
    out: Annotated[Path, typer.Argument(help="Bundle directory, or a path ending in .zip.")],
    sign: Annotated[
        bool, typer.Option("--checkpoint/--no-checkpoint", help="Sign a checkpoint first.")
    ] = True,
) -> None:
    """Write a self-contained bundle that `safeshare-verify` checks offline."""
    settings = get_settings()
    with _errors():
        if sign:
            signer = keys.load_signer(_key_file(settings), origin=settings.ledger_origin)
            with get_runtime().session() as session:
                service.create_checkpoint(session, signer=signer, origin=settings.ledger_origin)
        verifier = _verifier(settings, None)
        with get_runtime().session() as session:
            count = service.export_bundle(
                session, out=out, verifier=verifier, origin=settings.ledger_origin
            )
    console.print(f"Exported {count} entries to {out}. Verify with: safeshare-verify {out}")
