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
from safeshare.ledger import service, verification, witnessing
from safeshare.ledger.keyprovider import key_provider
from safeshare.ledger.note import NoteVerifier
from safeshare.ledger.startup import ledger_verifier
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


def _verifier(settings: Settings, vkey: str | None) -> NoteVerifier:
    if vkey:
        return NoteVerifier.from_vkey(vkey)
    return ledger_verifier(settings)


def _print_json(value: dict[str, Any]) -> None:
    typer.echo(json.dumps(value, indent=2))


@app.command()
def keygen(
    force: Annotated[bool, typer.Option("--force", help="Replace an existing key file.")] = False,
) -> None:
    """Create the checkpoint signing key (named after the origin) in the configured provider
    (a key file, or an HSM via PKCS#11); print its public key."""
    settings = get_settings()
    provider = key_provider(settings)
    with _errors():
        verifier = provider.generate(overwrite=force)
    console.print(f"Created the ledger signing key in {provider.describe()} (keep it secret).")
    console.print("Publish this verifier key for inspectors (SAFESHARE_LEDGER_VKEY):")
    typer.echo(verifier.to_vkey())


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
        signer = key_provider(settings).signer()
        with get_runtime().session() as session:
            info = service.create_checkpoint(session, signer=signer, origin=settings.ledger_origin)
        endpoints = verification.witness_endpoints(settings)
        with get_runtime().session() as session:
            if endpoints:
                witnessing.witness_checkpoint(
                    session,
                    witnesses=endpoints,
                    transport=witnessing.HttpTransport(
                        timeout=settings.ledger_witness_timeout_seconds
                    ),
                    number=info.number,
                )
            note = service.cosigned_note(session, info)
    typer.echo(note, nl=False)


@app.command()
def verify(
    vkey: Annotated[
        str | None,
        typer.Option("--vkey", help="The log's verifier key (default: SAFESHARE_LEDGER_VKEY)."),
    ] = None,
    witness: Annotated[
        list[str] | None,
        typer.Option("--witness", help="A witness's cosigner vkey (repeat; default: settings)."),
    ] = None,
    quorum: Annotated[
        int | None,
        typer.Option("--quorum", min=0, help="Cosignatures the newest checkpoint needs."),
    ] = None,
    checkpoint_files: Annotated[
        list[Path] | None,
        typer.Option("--checkpoint", help="A cosigned checkpoint kept outside (repeat)."),
    ] = None,
    ask_witnesses: Annotated[
        bool,
        typer.Option(
            "--ask-witnesses/--no-ask-witnesses",
            help="Fetch each configured witness's latest checkpoint (catches rollback).",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Recompute the log and check it with public keys only; exit 1 on tampering or too few
    witness cosignatures, 2 when no verifier key is configured."""
    settings = get_settings()
    with _errors():
        policy = verification.trust_policy(
            settings, vkey=vkey, witness_vkeys=witness, quorum=quorum
        )
        try:
            outside = [path.read_text() for path in checkpoint_files or []]
        except OSError as exc:
            err_console.print(f"[red]Error:[/red] cannot read a checkpoint file ({exc.strerror})")
            raise typer.Exit(2) from exc
        with get_runtime().session() as session:
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
                result = verification.verify_ledger(
                    session,
                    settings=settings,
                    policy=policy,
                    outside=outside,
                    consult_witnesses=ask_witnesses,
                    progress=lambda done: bar.update(task, completed=done),
                )
    if as_json:
        report = result.report.as_dict() if result.report else {"ok": False}
        _print_json({**report, "status": result.status, "summary": result.message})
    else:
        style = "green" if result.ok else "red"
        for line in result.lines():
            console.print(line, style=style, markup=False, highlight=False)
    raise typer.Exit(0 if result.ok else 2 if result.status == "not_configured" else 1)


@app.command("witness")
def witness_now() -> None:
    """Ask the configured witnesses to cosign the latest checkpoint now."""
    settings = get_settings()
    endpoints = verification.witness_endpoints(settings)
    if not endpoints:
        err_console.print("No witnesses configured (SAFESHARE_LEDGER_WITNESSES).")
        raise typer.Exit(1)
    with _errors(), get_runtime().session() as session:
        outcomes = witnessing.witness_checkpoint(
            session,
            witnesses=endpoints,
            transport=witnessing.HttpTransport(timeout=settings.ledger_witness_timeout_seconds),
        )
    for outcome in outcomes:
        console.print(f"{outcome.witness}: {outcome.detail}", markup=False)
    if any(not o.ok for o in outcomes):
        raise typer.Exit(1)


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
            signer = key_provider(settings).signer()
            with get_runtime().session() as session:
                service.create_checkpoint(session, signer=signer, origin=settings.ledger_origin)
        verifier = _verifier(settings, None)
        with get_runtime().session() as session:
            count = service.export_bundle(
                session, out=out, verifier=verifier, origin=settings.ledger_origin
            )
    console.print(f"Exported {count} entries to {out}. Verify with: safeshare-verify {out}")
