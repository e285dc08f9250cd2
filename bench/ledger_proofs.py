"""Inclusion and consistency proof latency on a 1,000,000-entry log (target: <= 5 ms each).

    python bench/ledger_proofs.py [--backend sqlite|postgres|both] [--size N] [--samples K]

The log is built once through the real append path and kept (bench/out, or a PostgreSQL
database named safeshare_bench_ledger_N) so reruns are quick.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from ledger_common import persistent_database

from safeshare.db.session import make_engine, make_session_factory
from safeshare.ledger import merkle, service


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (
        f"mean {statistics.fmean(ordered) * 1e3:.2f} ms, p50 {ordered[len(ordered) // 2] * 1e3:.2f}"
        f" ms, p95 {p95 * 1e3:.2f} ms, max {ordered[-1] * 1e3:.2f} ms"
    )


def measure(url: str, samples: int) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    rng = random.Random(9162)
    with sessions() as session:
        size = service.tree_size(session)
        inclusion, consistency = [], []
        for _ in range(samples):
            index = rng.randrange(size)
            started = time.perf_counter()
            proof = service.inclusion_proof(session, leaf_index=index)
            inclusion.append(time.perf_counter() - started)
            merkle.verify_inclusion(
                index,
                size,
                bytes.fromhex(proof["leaf_hash"]),
                [bytes.fromhex(p) for p in proof["audit_path"]],
                bytes.fromhex(proof["root_hash"]),
            )
            first = rng.randrange(1, size)
            started = time.perf_counter()
            c = service.consistency_proof(session, first=first)
            consistency.append(time.perf_counter() - started)
            merkle.verify_consistency(
                first,
                size,
                bytes.fromhex(c["first_root"]),
                bytes.fromhex(c["second_root"]),
                [bytes.fromhex(p) for p in c["proof"]],
            )
    engine.dispose()
    print(f"  tree size {size:,}, {samples} random proofs each, every one verified")
    print(f"  inclusion proof:   {_ms(inclusion)}")
    print(f"  consistency proof: {_ms(consistency)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=1_000)
    args = parser.parse_args()
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        url = persistent_database(backend, args.size)
        print(f"{backend}:")
        measure(url, args.samples)


if __name__ == "__main__":
    main()
