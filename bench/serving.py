"""Start the real service (`safeshare serve`) for load tests and benchmarks, and drive it.

The service runs as its own process group on a free port with a throwaway var directory, so
a test can kill one worker or the whole service and start it again on the same database.
Shared by `tests/integration/load/` and `bench/http_decisions.py`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import create_engine, make_url, text

from safeshare.auth import service as auth_service
from safeshare.config import Settings
from safeshare.ledger import service as ledger_service
from safeshare.ledger.audit import AuditReport
from safeshare.ledger.startup import ledger_verifier
from safeshare.runtime import Runtime
from safeshare.vault.keys import FileKeyProvider

PG_ADMIN_URL = os.environ.get(
    "SAFESHARE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SAFESHARE = str(Path(sys.executable).with_name("safeshare"))
T = TypeVar("T")
DECISIONS = "/api/v1/decisions"


# Police asking for a victim's identity in an investigation: decided at once under every
# regime (no review queue), the commonest request. Bound to a real report, as the API requires.
def decision_body(report_ref: str) -> dict[str, Any]:
    return {
        "report_ref": report_ref,
        "requester": {"agency": "police", "purpose": "criminal_investigation"},
        "categories": ["identity"],
        "status_doubt_only": False,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards); its SQLAlchemy URL."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"safeshare_load_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Service:
    """A `safeshare serve` process group and how to reach it."""

    var_dir: Path
    database_url: str
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SAFESHARE_VAR_DIR": str(self.var_dir),
            "SAFESHARE_DATABASE_URL": self.database_url,
            "SAFESHARE_LOG_LEVEL": "WARNING",
        }

    def cli(self, *args: str) -> str:
        """Run a `safeshare` command against this service's database; its output."""
        done = subprocess.run(
            [SAFESHARE, *args], env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"safeshare {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done.stdout

    def start(self, *, timeout: float = 60.0) -> Service:
        """Start serving (loading demo users into an empty database) and wait until ready."""
        self.var_dir.mkdir(parents=True, exist_ok=True)
        if not (self.var_dir / "vault.key").exists():
            FileKeyProvider.create(self.var_dir / "vault.key")
        log = (self.var_dir / "serve.log").open("ab")
        self.process = subprocess.Popen(
            [
                SAFESHARE,
                "serve",
                "--demo",
                "--scale",
                "0",  # demo users only: load tests need no history
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes every worker
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"safeshare serve exited: {self.log_tail()}")
            try:
                if httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()  # leave no server behind
        raise RuntimeError(f"safeshare serve did not answer: {self.log_tail()}")

    def log_tail(self) -> str:
        path = self.var_dir / "serve.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (children of the supervisor)."""
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()]
        # Not multiprocessing's resource tracker, the other child.
        return [pid for pid in pids if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        """Signal the whole process group and wait for the supervisor to exit."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)
        except ProcessLookupError:
            pass

    @property
    def settings(self) -> Settings:
        return Settings(var_dir=self.var_dir, database_url=self.database_url)

    def officer_token(self) -> str:
        """A bearer token for the demo officer (in-process: faster than `users token`)."""
        runtime = Runtime(self.settings)
        try:
            with runtime.session() as session:
                user = auth_service.get_user_by_username(session, username="officer")
                assert user is not None, "the demo users were not loaded"
                return auth_service.issue_token(session, user_id=user.id, label="load")
        finally:
            runtime.engine.dispose()

    def verify_ledger(self) -> AuditReport:
        """What `safeshare ledger verify` checks, in-process (the CLI takes seconds to start)."""
        settings = self.settings
        runtime = Runtime(settings)
        try:
            with runtime.session() as session:
                return ledger_service.verify_log(
                    session, verifiers=[ledger_verifier(settings)], origin=settings.ledger_origin
                )
        finally:
            runtime.engine.dispose()

    def create_report(self, token: str) -> str:
        """A real report to bind decisions to; its reference."""
        response = httpx.post(
            self.base_url + "/api/v1/reports",
            json={"crime_type": "domestic_abuse"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        response.raise_for_status()
        reference: str = response.json()["reference"]
        return reference


@contextmanager
def served(var_dir: Path, database_url: str, *, workers: int = 1) -> Iterator[Service]:
    service = Service(var_dir, database_url, workers).start()
    try:
        yield service
    finally:
        service.stop()


@dataclass(frozen=True)
class Outcome:
    """One request: its status (0 when no answer came) and the decision id it was given."""

    status: int
    decision_id: int | None
    seconds: float


async def _decide(client: httpx.AsyncClient, report_ref: str) -> Outcome:
    started = time.perf_counter()
    try:
        response = await client.post(DECISIONS, json=decision_body(report_ref))
    except httpx.HTTPError:
        return Outcome(0, None, time.perf_counter() - started)
    decision_id = None
    if response.status_code == 201:
        decision_id = int(response.headers["location"].rsplit("/", 1)[1])
    return Outcome(response.status_code, decision_id, time.perf_counter() - started)


async def decide_concurrently(
    base_url: str,
    token: str,
    report_ref: str,
    *,
    connections: int,
    requests: int,
    timeout: float = 30.0,
    stop_after: float | None = None,
) -> list[Outcome]:
    """`requests` decisions over `connections` concurrent keep-alive connections.

    With `stop_after`, each connection keeps asking until that many seconds have passed.
    """
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"Authorization": f"Bearer {token}"}
    outcomes: list[Outcome] = []
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=timeout
    ) as client:

        async def loop(share: int) -> None:
            ends = None if stop_after is None else time.monotonic() + stop_after
            done = 0
            while (done < share) if ends is None else (time.monotonic() < ends):
                outcomes.append(await _decide(client, report_ref))
                done += 1

        share, extra = divmod(requests, connections)
        shares = [share + (i < extra) for i in range(connections)]
        await asyncio.gather(*(loop(share) for share in shares))
    return outcomes


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion on a fresh event loop in its own thread.

    The caller's thread may already be running a loop (Playwright's sync API keeps one
    alive in the test process once a browser test has run), where `asyncio.run` refuses.
    """
    results: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            results.append(asyncio.run(coroutine))
        except BaseException as exc:  # handed back to the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


def decide(
    base_url: str, token: str, report_ref: str, *, connections: int, requests: int
) -> list[Outcome]:
    return run_in_own_loop(
        decide_concurrently(base_url, token, report_ref, connections=connections, requests=requests)
    )


def statuses(outcomes: Sequence[Outcome]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts
