"""`safeshare witness ...`: run an independent witness (c2sp.org/tlog-witness).

Meant for a PCC office, the inspectorate or a 'by and for' organisation, on their own
machine: the witness needs only its key file, its SQLite state file and the verifier keys of
the logs it watches, never the force's database or signing key.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from safeshare.ledger.cosignature import CosignatureSigner
from safeshare.ledger.errors import LedgerKeyError
from safeshare.ledger.note import NoteVerifier
from safeshare.ledger.witness import Witness, WitnessStore
from safeshare.ledger.witness_server import make_server

app = typer.Typer(help="An independent witness that cosigns consistent checkpoints.")
console = Console(soft_wrap=True)
err_console = Console(stderr=True)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise LedgerKeyError(f"{path} already exists; refusing to replace a witness key") from exc
    with os.fdopen(fd, "w") as fh:
        fh.write(text + "\n")


@app.command()
def keygen(
    name: Annotated[str, typer.Option("--name", help="Witness name, e.g. pcc.example/witness.")],
    key: Annotated[Path, typer.Option("--key", help="Where to write the private key (0600).")],
) -> None:
    """Create the witness's Ed25519 key; print the vkey logs and verifiers configure."""
    try:
        signer = CosignatureSigner.generate(name)
        _write_private(key, signer.to_skey())
    except LedgerKeyError as exc:
        err_console.print(f"[red]Error:[/red] {exc.message}")
        raise typer.Exit(1) from exc
    typer.echo(signer.verifier.to_vkey())


@app.command()
def serve(
    key: Annotated[Path, typer.Option("--key", help="The witness's private key file.")],
    state: Annotated[Path, typer.Option("--state", help="SQLite file of cosigned checkpoints.")],
    log_keys: Annotated[
        list[str], typer.Option("--log", help="Verifier key of a log to witness (repeat).")
    ],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 7380,
) -> None:
    """Serve POST /add-checkpoint and GET /<origin hash>/checkpoint until interrupted."""
    logging.basicConfig(level=logging.WARNING)
    try:
        signer = CosignatureSigner.from_skey(key.read_text())
        logs = [NoteVerifier.from_vkey(v) for v in log_keys]
    except (OSError, LedgerKeyError) as exc:
        message = exc.message if isinstance(exc, LedgerKeyError) else type(exc).__name__
        err_console.print(f"[red]Error:[/red] {message}")
        raise typer.Exit(1) from exc
    witness = Witness(signer=signer, logs=logs, store=WitnessStore(state))
    server = make_server(witness, host=host, port=port)
    bound_host, bound_port = server.server_address[:2]
    # One parseable line first: tests and supervisors read the port from it.
    print(f"witness {signer.name} listening on http://{bound_host!s}:{bound_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":  # `python -m safeshare.ledger.witness_cli`: starts without the app
    app()
