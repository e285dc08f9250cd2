"""Witnesses for tests: in-process (direct transport) and real `safeshare witness` processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from safeshare.ledger.cosignature import CosignatureSigner
from safeshare.ledger.note import NoteVerifier
from safeshare.ledger.witness import Witness, WitnessStore
from safeshare.ledger.witnessing import WitnessEndpoint

SAFESHARE = str(Path(sys.executable).with_name("safeshare"))
# The same Typer app as `safeshare witness`, started without importing the web service.
WITNESS = [sys.executable, "-m", "safeshare.ledger.witness_cli"]


class DirectTransport:
    """Routes witness URLs to in-process `Witness` objects (no sockets, same code paths)."""

    def __init__(self, witnesses: dict[str, Witness]) -> None:
        self.witnesses = witnesses
        self.down: set[str] = set()

    def _find(self, url: str) -> tuple[Witness, str]:
        for base, witness in self.witnesses.items():
            if url.startswith(base + "/"):
                if base in self.down:
                    raise ConnectionRefusedError(base)
                return witness, url[len(base) :]
        raise ConnectionRefusedError(url)

    def post(self, url: str, body: bytes) -> tuple[int, str, str]:
        witness, _path = self._find(url)
        response = witness.add_checkpoint(body)
        return response.status, response.body, response.content_type

    def post_all(self, requests: list[tuple[str, bytes]]) -> list[tuple[int, str, str] | Exception]:
        results: list[tuple[int, str, str] | Exception] = []
        for url, body in requests:
            try:
                results.append(self.post(url, body))
            except ConnectionError as exc:
                results.append(exc)
        return results

    def get(self, url: str) -> tuple[int, str, str]:
        witness, path = self._find(url)
        response = witness.latest(path.strip("/").split("/")[0])
        return response.status, response.body, response.content_type


def in_process_witness(
    tmp: Path, name: str, log: NoteVerifier
) -> tuple[Witness, WitnessEndpoint, str]:
    signer = CosignatureSigner.generate(name)
    witness = Witness(
        signer=signer, logs=[log], store=WitnessStore(tmp / f"{name.replace('/', '_')}.db")
    )
    url = f"http://{name}"
    return witness, WitnessEndpoint(url, signer.verifier), url


@dataclass
class WitnessProcess:
    """A `safeshare witness serve` subprocess on a free port (port 0, read from its banner)."""

    key: Path
    state: Path
    log_vkey: str
    process: subprocess.Popen[str] | None = None
    url: str = ""

    def start(self) -> WitnessProcess:
        self.process = subprocess.Popen(
            [
                *WITNESS,
                "serve",
                "--key",
                str(self.key),
                "--state",
                str(self.state),
                "--log",
                self.log_vkey,
                "--port",
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert self.process.stdout is not None
        banner = self.process.stdout.readline()
        match = re.search(r"listening on (http://\S+)", banner)
        if match is None:
            self.stop()
            raise RuntimeError(f"witness did not start: {banner!r}")
        self.url = match.group(1)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()
            self.process = None


def witness_keygen(tmp: Path, name: str, *, via_safeshare: bool) -> tuple[Path, str]:
    """Run `safeshare witness keygen` (or the module directly, which starts faster); return
    the key file and the printed vkey."""
    key = tmp / f"{name.replace('/', '_')}.key"
    command = [SAFESHARE, "witness"] if via_safeshare else WITNESS
    done = subprocess.run(
        [*command, "keygen", "--name", name, "--key", str(key)],
        capture_output=True,
        text=True,
        check=True,
    )
    return key, done.stdout.strip()
