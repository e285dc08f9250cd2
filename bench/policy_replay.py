"""Benchmark: replay 1,000,000 synthetic requests under the four regimes in <= 30 s.

Requests are generated and validated in chunks (timed separately: that is input parsing,
not deciding), then decided under every regime through the memoised fast path that
`safeshare policy simulate` uses. A random sample is then decided again by plain
per-request Cedar evaluation, and every decision must be identical, field for field.

    python -m bench.policy_replay                    # the full benchmark
    python -m bench.policy_replay --count 50000 --sample 2000 --budget 0

Exit status 1 if any sampled decision differs, or the replay misses the time budget.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
from collections import Counter
from itertools import islice

from bench.synthetic_requests import synthetic_history
from safeshare.policy.fastpath import FastDecider, request_key
from safeshare.policy.regimes import load_regimes
from safeshare.policy.schemas import ShareRequest

REGIMES = ("firewall", "hmicfrs-rec1", "npcc-2020", "iemvp")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20201215)
    parser.add_argument("--sample", type=int, default=20_000, help="requests re-checked")
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--budget", type=float, default=30.0, help="seconds; 0 = no limit")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    regimes = [load_regimes()[name] for name in REGIMES]
    deciders = [FastDecider(regime) for regime in regimes]
    load_seconds = time.perf_counter() - started
    gc.freeze()  # the compiled regimes never die: keep them out of every collection

    rng = random.Random(args.seed ^ 0x5EED)
    wanted = set(rng.sample(range(args.count), min(args.sample, args.count)))
    sample: list[ShareRequest] = []
    outcomes = [Counter[str]() for _ in regimes]
    generate_seconds = replay_seconds = 0.0
    history = synthetic_history(args.count, seed=args.seed)
    position = 0
    while True:
        t0 = time.perf_counter()
        chunk = [ShareRequest.model_validate(data) for data in islice(history, args.chunk)]
        t1 = time.perf_counter()
        if not chunk:
            break
        for request in chunk:
            key = request_key(request)
            for decider, counts in zip(deciders, outcomes, strict=True):
                counts[decider.decide_key(key).outcome] += 1
        t2 = time.perf_counter()
        generate_seconds += t1 - t0
        replay_seconds += t2 - t1
        sample.extend(r for i, r in enumerate(chunk, start=position) if i in wanted)
        position += len(chunk)

    t0 = time.perf_counter()
    mismatches = 0
    for request in sample:
        for regime, decider in zip(regimes, deciders, strict=True):
            if regime.decide(request) != decider.decide(request):
                mismatches += 1
    verify_seconds = time.perf_counter() - t0

    decisions = position * len(regimes)
    checked = len(sample) * len(regimes)
    within = args.budget <= 0 or replay_seconds <= args.budget
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"regimes                 {', '.join(REGIMES)} (compiled in {load_seconds:.2f} s)")
    print(f"requests                {position:,} ({decisions:,} decisions)")
    print(f"generate + validate     {generate_seconds:8.2f} s  (input parsing, not timed below)")
    print(
        f"replay (fast path)      {replay_seconds:8.2f} s  "
        f"{decisions / replay_seconds:,.0f} decisions/s  "
        f"budget {args.budget:g} s: {'PASS' if within else 'FAIL'}"
    )
    for regime, decider, counts in zip(regimes, deciders, outcomes, strict=True):
        shares = "  ".join(f"{o} {counts[o]:>9,}" for o in ("permit", "deny", "review"))
        print(f"  {regime.name:<13} {shares}  Cedar batches {decider.cedar_batches:,}")
    print(
        f"verify (plain Cedar)    {verify_seconds:8.2f} s  {checked:,} decisions on "
        f"{len(sample):,} sampled requests: {mismatches} differ"
    )
    print(f"peak memory             {peak_mb:,.0f} MB")
    return 0 if mismatches == 0 and within else 1


if __name__ == "__main__":
    sys.exit(main())
