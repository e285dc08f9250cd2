"""Benchmark: does a password-guessing flood slow everyone else down? (issue 14)

Starts the real service (`safeshare serve`, PostgreSQL by default), then measures `/healthz`
and `POST /api/v1/decisions` latency with wrk at light load, first on a quiet service and
then while 8 clients post wrong passwords to `/login` as fast as the service answers them
(each with its own CSRF cookie and token, half of them guessing at a real account, half at
names that do not exist). Prints p50/p99 for both, the flood's attempts per second and the
answers it got (the throttle's 429s included: they are the defence working).

Needs wrk (Debian package): `apt-get install -y wrk`.

    python -m bench.login_flood                       # PostgreSQL, 8 flooding clients, 15 s
    python -m bench.login_flood --backend sqlite --clients 16 --duration 10

Goal (issue 14): during the flood, /healthz and the decision endpoint keep p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import re
import secrets
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import httpx

from bench.http_decisions import wrk
from bench.serving import DECISIONS, Service, postgres_database

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def wrk_get(url: str, *, connections: int, seconds: int) -> dict[str, float]:
    """p50/p99 (ms) and errors of plain GETs."""
    done = subprocess.run(
        ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = {"errors": 0.0}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("50%", "99%"):
            figures["p50" if parts[0] == "50%" else "p99"] = _ms(parts[1])
        if line.strip().startswith("Non-2xx") or line.strip().startswith("Socket errors"):
            figures["errors"] += sum(int(n) for n in re.findall(r"\d+", line))
    return figures


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


class Flood:
    """`clients` threads posting wrong passwords until stopped; counts answers by status."""

    def __init__(self, base_url: str, clients: int) -> None:
        self.base_url, self.clients = base_url, clients
        self.answers: Counter[int] = Counter()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._guess, args=(n,)) for n in range(clients)]

    def _guess(self, number: int) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            token = CSRF.search(client.get("/login").text)
            assert token, "no CSRF token on /login"
            while not self.stop.is_set():
                username = "officer" if number % 2 == 0 else f"nobody-{secrets.token_hex(4)}"
                response = client.post(
                    "/login",
                    data={
                        "csrf_token": token.group(1),
                        "username": username,
                        "password": secrets.token_urlsafe(12),
                    },
                )
                with self.lock:
                    self.answers[response.status_code] += 1

    @contextmanager
    def running(self) -> Iterator[Flood]:
        started = time.monotonic()
        for thread in self.threads:
            thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            for thread in self.threads:
                thread.join()
            self.seconds = time.monotonic() - started


def measure(service: Service, seconds: int, flood: Flood | None) -> list[str]:
    token = service.officer_token()
    ref = service.create_report(token)
    assert service.process is not None
    pid = service.process.pid
    label = f"flood x{flood.clients}" if flood else "quiet"
    context = flood.running() if flood else nullcontext()
    with context:
        time.sleep(1 if flood else 0)  # let the flood get going
        health = wrk_get(f"{service.base_url}/healthz", connections=2, seconds=seconds)
        decisions = wrk(
            f"{service.base_url}{DECISIONS}",
            token=token,
            connections=2,
            seconds=seconds,
            pid=pid,
            report_ref=ref,
        )
    rows = [
        f"{label:<12} /healthz      p50 {health['p50']:7.1f} ms  p99 {health['p99']:7.1f} ms"
        f"  errors {health['errors']:.0f}",
        f"{label:<12} decisions     p50 {decisions['p50']:7.1f} ms  p99 {decisions['p99']:7.1f} ms"
        f"  errors {decisions['errors']:.0f}",
    ]
    if flood:
        total = sum(flood.answers.values())
        answers = ", ".join(f"{code}: {n}" for code, n in sorted(flood.answers.items()))
        rows.append(
            f"{label:<12} sign-in guesses {total / flood.seconds:7.1f}/s  answers {answers}"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--clients", type=int, default=8, help="flooding clients")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        database = (
            postgres_database()
            if args.backend == "postgres"
            else nullcontext(f"sqlite:///{Path(tmp, 'bench.db')}")
        )
        with database as url:
            service = Service(Path(tmp, "var"), url).start()
            try:
                print(f"backend {args.backend}, {args.duration} s per measurement")
                for line in measure(service, args.duration, None):
                    print(line, flush=True)
                for line in measure(service, args.duration, Flood(service.base_url, args.clients)):
                    print(line, flush=True)
            finally:
                service.stop()
    print("goal: during the flood, p99 <= 50 ms for /healthz and decisions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
