"""Load tests start the real service (`safeshare serve`) on each database and check what it
stored: every decision answered 201 has its row and its ledger entry, with no gap."""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.serving import Outcome, Service, decide_concurrently
from safeshare.db.session import make_engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind for one served instance."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'safeshare.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


@dataclass(frozen=True)
class Stored:
    """What the database holds: decision ids, ledger sequence numbers, and the decision ids
    the ledger's `policy.decision` entries record."""

    decision_ids: set[int]
    ledger_seqs: list[int]
    ledgered_decision_ids: list[int]


def stored(database_url: str) -> Stored:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            decisions = set(conn.execute(text("SELECT id FROM policy_decisions")).scalars())
            rows = conn.execute(text("SELECT seq, kind, entry FROM ledger_entries ORDER BY seq"))
            seqs, ledgered = [], []
            for seq, kind, entry in rows:
                seqs.append(seq)
                if kind == "policy.decision":
                    ledgered.append(json.loads(bytes(entry))["data"]["decision_id"])
    finally:
        engine.dispose()
    return Stored(decisions, seqs, ledgered)


def assert_consistent(found: Stored, acknowledged: set[int]) -> None:
    """Every acknowledged decision is stored and ledgered once; the ledger has no gap."""
    assert acknowledged <= found.decision_ids
    assert found.ledger_seqs == list(range(len(found.ledger_seqs))), "gap or duplicate seq"
    assert len(found.ledgered_decision_ids) == len(set(found.ledgered_decision_ids))
    assert set(found.ledgered_decision_ids) == found.decision_ids


class Load:
    """Decision requests from a background thread for `seconds`, over `connections`."""

    def __init__(self, service: Service, *, seconds: float, connections: int = 16) -> None:
        self.token = service.officer_token()
        self.report_ref = service.create_report(self.token)
        self.outcomes: list[Outcome] = []
        self._thread = threading.Thread(
            target=self._run, args=(service.base_url, seconds, connections), daemon=True
        )

    def _run(self, base_url: str, seconds: float, connections: int) -> None:
        self.outcomes = asyncio.run(
            decide_concurrently(
                base_url,
                self.token,
                self.report_ref,
                connections=connections,
                requests=0,
                stop_after=seconds,
                timeout=10,
            )
        )

    def __enter__(self) -> Load:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._thread.join(60)
        assert not self._thread.is_alive(), "the load did not finish"

    @property
    def acknowledged(self) -> set[int]:
        """Decision ids the service answered 201 for."""
        return {o.decision_id for o in self.outcomes if o.decision_id is not None}
