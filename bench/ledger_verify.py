"""Full verification of a 1,000,000-entry log (target: <= 10 s), database and offline bundle.

    python bench/ledger_verify.py [--backend sqlite|postgres|both] [--size N]

Uses the log kept by ledger_proofs.py (built on first use), signs a checkpoint, then times
`verify_log` (recompute every hash, check chain, subtree cache, checkpoints) and the offline
verifier on an exported bundle.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from ledger_common import ORIGIN, OUT, persistent_database

from safeshare.db.session import make_engine, make_session_factory, unit_of_work
from safeshare.ledger import keys, offline, service
from safeshare.ledger.note import Ed25519NoteSigner


def bench_signer() -> Ed25519NoteSigner:
    """One key kept beside the kept logs, so every run's checkpoints verify."""
    key_file = OUT / "ledger.key"
    if not key_file.exists():
        return keys.generate_key_file(key_file, name=ORIGIN)
    return keys.load_signer(key_file, origin=ORIGIN)


def measure(url: str) -> None:
    signer = bench_signer()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with unit_of_work(sessions) as session:
        service.create_checkpoint(session, signer=signer, origin=ORIGIN)
    with sessions() as session:
        started = time.perf_counter()
        report = service.verify_log(session, verifiers=[signer.verifier], origin=ORIGIN)
        elapsed = time.perf_counter() - started
        assert report.ok, report.lines()
        print(
            f"  verify_log: {report.tree_size:,} entries in {elapsed:.2f} s "
            f"({report.tree_size / elapsed:,.0f} entries/s)"
        )
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            bundle = Path(tmp) / "bundle"
            started = time.perf_counter()
            service.export_bundle(session, out=bundle, verifier=signer.verifier, origin=ORIGIN)
            exported = time.perf_counter() - started
            started = time.perf_counter()
            offline_report = offline.verify_bundle(bundle, trusted_vkey=signer.verifier.to_vkey())
            checked = time.perf_counter() - started
    engine.dispose()
    assert offline_report.ok, offline_report.lines()
    print(f"  export bundle: {exported:.2f} s; safeshare-verify (offline): {checked:.2f} s, ok")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--size", type=int, default=1_000_000)
    args = parser.parse_args()
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        url = persistent_database(backend, args.size)
        print(f"{backend}:")
        measure(url)


if __name__ == "__main__":
    main()
