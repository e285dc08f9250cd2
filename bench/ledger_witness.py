"""What witnessing adds to publishing a checkpoint, per witness, on loopback.

    python bench/ledger_witness.py [--backend sqlite|postgres|both] [--rounds N] [--witnesses W]

Each round appends 100 entries (untimed), then times publishing one checkpoint: sign and
commit it, then (with witnesses) collect and store each witness's cosignature: one HTTP
round trip with a consistency proof to a real `safeshare witness serve` process per witness.
The figure is the median time with W witnesses minus the median with none, divided by W.
Witnesses are asked in parallel, and each must fsync its state before answering (the spec's
"persist before responding"), so the disk's fsync latency, printed first, bounds the figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ledger_common import ORIGIN, temp_database

from safeshare.db.session import make_engine, make_session_factory, unit_of_work
from safeshare.ledger import service, witnessing
from safeshare.ledger.cosignature import CosignatureSigner, CosignatureVerifier
from safeshare.ledger.note import Ed25519NoteSigner

WITNESS = [sys.executable, "-m", "safeshare.ledger.witness_cli"]


def start_witness(tmp: Path, n: int, log_vkey: str) -> tuple[subprocess.Popen[str], str, str]:
    signer = CosignatureSigner.generate(f"w{n}.bench.example")
    key = tmp / f"w{n}.key"
    key.write_text(signer.to_skey() + "\n")
    process = subprocess.Popen(
        [
            *WITNESS,
            "serve",
            "--key",
            str(key),
            "--state",
            str(tmp / f"w{n}.db"),
            "--log",
            log_vkey,
            "--port",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().split("listening on ")[1].strip()
    return process, url, signer.verifier.to_vkey()


def publish_times(
    url: str,
    rounds: int,
    endpoints: list[witnessing.WitnessEndpoint],
    signer: Ed25519NoteSigner,
) -> list[float]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    transport = witnessing.HttpTransport(timeout=5)
    times = []
    for _ in range(rounds + 3):  # 3 warm-up rounds
        with unit_of_work(sessions) as session:
            service.append_entries(
                session,
                records=[service.EntryInput("bench.k", "bench", {"i": i}) for i in range(100)],
            )
        started = time.perf_counter()
        with unit_of_work(sessions) as session:
            service.create_checkpoint(session, signer=signer, origin=ORIGIN)
        if endpoints:
            with unit_of_work(sessions) as session:
                outcomes = witnessing.witness_checkpoint(
                    session, witnesses=endpoints, transport=transport
                )
            assert all(o.ok for o in outcomes), outcomes
        times.append((time.perf_counter() - started) * 1000)
    engine.dispose()
    return times[3:]


def run(backend: str, rounds: int, count: int, state_dir: str | None) -> None:
    medians: dict[int, float] = {}
    for witnesses in (0, count):
        signer = Ed25519NoteSigner.generate(ORIGIN)
        with (
            tempfile.TemporaryDirectory(dir=state_dir) as tmp_name,
            temp_database(backend) as url,
        ):
            tmp = Path(tmp_name)
            procs = [start_witness(tmp, n, signer.verifier.to_vkey()) for n in range(witnesses)]
            endpoints = [
                witnessing.WitnessEndpoint(u, CosignatureVerifier.from_vkey(v)) for _, u, v in procs
            ]
            try:
                times = publish_times(url, rounds, endpoints, signer)
            finally:
                for process, _, _ in procs:
                    process.terminate()
                    process.wait()
        medians[witnesses] = statistics.median(times)
        p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
        print(
            f"{backend}: {witnesses} witness(es): median {medians[witnesses]:.2f} ms, "
            f"p95 {p95:.2f} ms to publish a checkpoint ({rounds} rounds)"
        )
    per = (medians[count] - medians[0]) / count
    print(f"{backend}: witnessing adds {per:.2f} ms per witness (difference of medians)")


def fsync_latency(directory: Path, rounds: int = 30) -> float:
    """Median time of a small write + fsync in `directory` (what a witness commit waits on)."""
    path = directory / "fsync.probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    times = []
    try:
        for _ in range(rounds):
            os.write(fd, b"x" * 100)
            started = time.perf_counter()
            os.fsync(fd)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        os.close(fd)
        path.unlink()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--witnesses", type=int, default=2)
    parser.add_argument(
        "--state-dir",
        help="where the witnesses keep their state (e.g. /dev/shm to leave out their disk "
        "flush and see the protocol's own cost)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.state_dir) as probe:
        print(f"witness state fsync latency: median {fsync_latency(Path(probe)):.2f} ms")
    for backend in ("sqlite", "postgres") if args.backend == "both" else (args.backend,):
        run(backend, args.rounds, args.witnesses, args.state_dir)


if __name__ == "__main__":
    main()
