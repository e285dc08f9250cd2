"""Benchmark: `policy prove` over every regime of the shipped pack in <= 60 s on 2 cores.

Prints, per regime, how many request classes it can tell apart (after projection and the
invariants' own refinements), how long the proof took, and the total. Also prints the size
of the unprojected space, which is why the proof enumerates classes, not requests.

    python -m bench.policy_prove
    python -m bench.policy_prove --budget 0      # report only

Exit status 1 if an invariant fails or the proof misses the time budget.
"""

from __future__ import annotations

import argparse
import sys
import time

from safeshare.policy.classes import ClassSpace
from safeshare.policy.prove import load_invariants, prove_regime
from safeshare.policy.regimes import compile_pack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds; 0 = no limit")
    args = parser.parse_args(argv)
    invariants = load_invariants()
    started = time.perf_counter()
    ok = True
    for regime in compile_pack().values():
        proof = prove_regime(regime, invariants)
        ok = ok and proof.ok
        print(
            f"{regime.name:14} {proof.classes:>7,} classes  {proof.seconds:6.1f} s  "
            f"{'all hold' if proof.ok else 'VIOLATED'}"
        )
    total = time.perf_counter() - started
    unprojected = ClassSpace([], projected=False).size_bound()
    print(f"total: {total:.1f} s for the whole pack (unprojected space: {unprojected:,} requests)")
    if args.budget and total > args.budget:
        print(f"over budget ({args.budget:.0f} s)", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
