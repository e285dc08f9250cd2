"""Benchmark: POST /api/v1/decisions over HTTP with wrk, against the real service.

Starts `safeshare serve` on a fresh PostgreSQL database and on SQLite, creates an officer's
bearer token and a real report, and runs wrk at 1, 16, 64 and 256 connections (30 s each by
default). The same load goes to a bare FastAPI endpoint in the same run, as the reference for
what this machine can do at all. Prints req/s, p50/p99 latency, error counts (socket errors,
timeouts and non-2xx answers) and the server's CPU time per request (which holds up on a
busy machine), with PostgreSQL's own CPU time per request beside it for that back end.

Needs wrk (Debian package): `apt-get install -y wrk`.

    python -m bench.http_decisions                         # the full benchmark
    python -m bench.http_decisions --duration 5 --backend postgres --connections 64
    python -m bench.http_decisions --workers 2             # two worker processes everywhere

Goals (issue 14, 2 cores): PostgreSQL at 64 connections >= 1,000 decisions/s with p99 <=
50 ms and no errors; at 256, no errors and p99 <= 500 ms; SQLite >= 300/s at 64.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.serving import DECISIONS, Service, decision_body, free_port, postgres_database

LUA = """
wrk.method = "POST"
wrk.body = [[%(body)s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%d, \\"p99\\": %%d, "
    .. "\\"errors\\": %%d, \\"non_2xx\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""

BARE_APP = """
from fastapi import FastAPI
app = FastAPI()
@app.post("/decide", status_code=201)
async def decide(body: dict) -> dict:
    return {"outcome": "permit", "categories": body.get("categories", [])}
"""


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by `pid` and its descendants (the service's workers)."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        pending += [int(child) for child in children]
    return total


def postgres_cpu_seconds() -> float:
    """CPU time used so far by this machine's PostgreSQL processes: its server and the
    service's pooled connections' backends, which live as long as a run (on a machine whose
    database serves others too, their work counts as well)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit() or (entry / "comm").read_text().strip() != "postgres":
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def wrk(
    url: str, *, token: str, connections: int, seconds: int, pid: int, report_ref: str = ""
) -> dict[str, float]:
    """One wrk run; its figures (latencies in ms, server CPU ms per request)."""
    cpu_before, postgres_before = cpu_seconds(pid), postgres_cpu_seconds()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"body": json.dumps(decision_body(report_ref)), "token": token})
    try:
        done = subprocess.run(
            [
                "wrk",
                f"-t{min(2, connections)}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    return {
        "cpu_ms": 1000 * (cpu_seconds(pid) - cpu_before) / max(1, result["requests"]),
        "pg_ms": 1000 * (postgres_cpu_seconds() - postgres_before) / max(1, result["requests"]),
        "rps": result["requests"] / result["seconds"],
        "p50": result["p50"] / 1000,
        "p99": result["p99"] / 1000,
        "errors": result["errors"] + result["non_2xx"],
    }


@contextmanager
def bare_fastapi() -> Iterator[tuple[str, int]]:
    """A bare FastAPI JSON endpoint under uvicorn (same server settings, one worker)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "bare_app.py").write_text(BARE_APP)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bare_app:app",
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=tmp,
        )
        try:
            url = f"http://127.0.0.1:{port}/decide"
            for _ in range(100):
                try:
                    httpx.post(url, json={}, timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield url, process.pid
        finally:
            process.terminate()
            process.wait(10)


def run_service(
    name: str, database_url: str, *, workers: int, connections: list[int], seconds: int
) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        service = Service(Path(tmp, "var"), database_url, workers=workers).start()
        try:
            token = service.officer_token()
            ref = service.create_report(token)
            url = f"{service.base_url}{DECISIONS}"
            assert service.process is not None
            pid = service.process.pid
            # Warm up every worker first.
            wrk(url, token=token, connections=16, seconds=2, pid=pid, report_ref=ref)
            return [
                row(
                    name,
                    c,
                    wrk(url, token=token, connections=c, seconds=seconds, pid=pid, report_ref=ref),
                )
                for c in connections
            ]
        finally:
            service.stop()


def row(name: str, connections: int, figures: dict[str, float]) -> str:
    return (
        f"{name:<22} {connections:>5} {figures['rps']:>9.0f} {figures['p50']:>8.1f} "
        f"{figures['p99']:>8.1f} {figures['errors']:>7.0f} {figures['cpu_ms']:>7.2f}"
        + (f" {figures['pg_ms']:>7.2f}" if name.startswith("postgres") else f" {'-':>7}")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per run")
    parser.add_argument("--connections", default="1,16,64,256")
    parser.add_argument("--backend", default="postgres,sqlite")
    parser.add_argument(
        "--workers", type=int, default=0, help="default: serve's (the number of cores)"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    connections = [int(c) for c in args.connections.split(",")]
    rows = []
    with bare_fastapi() as (url, pid):
        for c in connections:
            figures = wrk(url, token="", connections=c, seconds=args.duration, pid=pid)
            rows.append(row("bare FastAPI", c, figures))
    for backend in args.backend.split(","):
        workers = args.workers or os.cpu_count() or 1  # serve's default
        name = f"{backend} ({workers} workers)"
        if backend == "postgres":
            with postgres_database() as database_url:
                rows += run_service(
                    name,
                    database_url,
                    workers=workers,
                    connections=connections,
                    seconds=args.duration,
                )
        else:
            with tempfile.TemporaryDirectory() as tmp:
                rows += run_service(
                    name,
                    f"sqlite:///{tmp}/safeshare.db",
                    workers=workers,
                    connections=connections,
                    seconds=args.duration,
                )
    heading = ("target", "conns", "req/s", "p50 ms", "p99 ms", "errors", "cpu ms", "pg ms")
    print("{:<22} {:>5} {:>9} {:>8} {:>8} {:>7} {:>7} {:>7}".format(*heading))
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
