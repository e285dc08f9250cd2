"""How long the demo history takes to load, as `safeshare serve --demo` does on first start.

    python bench/demo_history.py [--scale 1.0] [--seed N] [--database-url URL]

Loads into a fresh SQLite database in a temporary directory (or the empty database at
`--database-url`), then prints wall-clock and CPU time, what was loaded and the rate. CPU
time is printed because on a shared machine the wall clock mostly measures the neighbours.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from safeshare import demo_history, startup
from safeshare.config import Settings
from safeshare.db import migrate
from safeshare.runtime import Runtime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=demo_history.DEFAULT_SEED)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        var = Path(directory)
        settings = Settings(
            var_dir=var,
            database_url=args.database_url or f"sqlite:///{var / 'demo.db'}",
        )
        startup.require_ready(settings)
        runtime = Runtime(settings)
        migrate.upgrade(runtime.engine)
        cpu = time.process_time()
        wall = time.perf_counter()
        result = demo_history.load_history(runtime, seed=args.seed, scale=args.scale)
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
        runtime.engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    actions = sum(result.counts.values())
    print(f"demo history at scale {args.scale} (seed {args.seed}) on {os.cpu_count()} CPUs")
    for kind, n in result.counts.items():
        print(f"  {kind:28s} {n:8,d}")
    print(f"wall {wall:.1f} s, CPU {cpu:.1f} s, peak memory {peak} MB")
    print(f"{actions:,} service actions, {actions / wall:,.0f} per second (wall)")


if __name__ == "__main__":
    main()
