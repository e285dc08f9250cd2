"""Ledger service on both back ends: appends, proofs, checkpoints, search, export."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from uuid import UUID

import pytest
import rfc8785
from sqlalchemy.orm import Session

from safeshare import events
from safeshare.db import migrate
from safeshare.db.session import make_engine, make_session_factory, unit_of_work
from safeshare.db.writer_lock import WriterLock
from safeshare.events import DomainEvent
from safeshare.ledger import merkle, offline, service
from safeshare.ledger.appender import Appender
from safeshare.ledger.errors import EntryNotFoundError, InvalidEntryError, ProofRequestError
from safeshare.ledger.note import Ed25519NoteSigner
from safeshare.ledger.periodic import PeriodicCheckpointer

from .conftest import ORIGIN

h = bytes.fromhex


def _fill(session: Session, count: int, kind: str = "policy.decision") -> None:
    service.append_entries(
        session,
        records=[service.EntryInput(kind, "officer1", {"case": f"C-{i}"}) for i in range(count)],
    )


def _stored_tree(session: Session) -> merkle.MemoryTree:
    entries = [
        service.get_entry_or_raise(session, seq=i) for i in range(service.tree_size(session))
    ]
    return merkle.MemoryTree([h(e["leaf_hash"]) for e in entries])


def test_appends_are_gapless_canonical_and_chained(ledger_session: Session) -> None:
    first = service.append_entry(ledger_session, kind="auth.sign_in", actor="admin", data={})
    _fill(ledger_session, 5)
    assert first.seq == 0
    assert service.tree_size(ledger_session) == 6
    prev = "0" * 64
    for seq in range(6):
        entry = service.get_entry_or_raise(ledger_session, seq=seq)
        assert entry["seq"] == seq and entry["prev"] == prev
        prev = entry["leaf_hash"]
    raw = (
        ledger_session.connection()
        .exec_driver_sql("SELECT entry FROM ledger_entries WHERE seq = 3")
        .scalar_one()
    )
    assert rfc8785.dumps(json.loads(raw)) == bytes(raw)


def test_every_proof_verifies_against_the_stored_tree(ledger_session: Session) -> None:
    _fill(ledger_session, 37)
    tree = _stored_tree(ledger_session)
    for size in (1, 2, 13, 32, 37):
        root = tree.root(size)
        for index in range(size):
            proof = service.inclusion_proof(ledger_session, leaf_index=index, size=size)
            assert proof["root_hash"] == root.hex()
            merkle.verify_inclusion(
                index, size, h(proof["leaf_hash"]), [h(p) for p in proof["audit_path"]], root
            )
        for first in range(size + 1):
            c = service.consistency_proof(ledger_session, first=first, second=size)
            assert c["second_root"] == root.hex()
            merkle.verify_consistency(
                first, size, h(c["first_root"]), root, [h(p) for p in c["proof"]]
            )
    assert service.inclusion_proof(ledger_session, leaf_index=3)["tree_size"] == 37


def test_bad_proof_requests_are_refused(ledger_session: Session) -> None:
    _fill(ledger_session, 4)
    with pytest.raises(ProofRequestError):
        service.inclusion_proof(ledger_session, leaf_index=4)
    with pytest.raises(ProofRequestError):
        service.inclusion_proof(ledger_session, leaf_index=0, size=5)
    with pytest.raises(ProofRequestError):
        service.consistency_proof(ledger_session, first=3, second=2)


def test_checkpoints_are_signed_stored_and_consistent(
    ledger_session: Session, signer: Ed25519NoteSigner
) -> None:
    assert service.latest_checkpoint(ledger_session) is None
    _fill(ledger_session, 5)
    first = service.create_checkpoint(ledger_session, signer=signer, origin=ORIGIN)
    assert service.create_checkpoint(ledger_session, signer=signer, origin=ORIGIN) == first
    _fill(ledger_session, 6)
    second = service.create_checkpoint(ledger_session, signer=signer, origin=ORIGIN)
    assert (first.number, second.number, second.tree_size) == (1, 2, 11)
    assert second.note.startswith(f"{ORIGIN}\n11\n")
    assert service.list_checkpoints(ledger_session) == [first, second]
    assert service.latest_checkpoint(ledger_session) == second
    assert service.latest_checkpoint(ledger_session).as_dict()["tree_size"] == 11  # type: ignore[union-attr]


def test_checkpoint_if_due(ledger_session: Session, signer: Ed25519NoteSigner) -> None:
    due = service.checkpoint_if_due
    assert due(ledger_session, signer=signer, origin=ORIGIN) is None  # nothing to sign
    _fill(ledger_session, 3)
    made = due(ledger_session, signer=signer, origin=ORIGIN)
    assert made is not None and made.tree_size == 3
    _fill(ledger_session, 3)
    assert due(ledger_session, signer=signer, origin=ORIGIN, max_entries=10) is None
    assert due(ledger_session, signer=signer, origin=ORIGIN, max_entries=3) is not None
    _fill(ledger_session, 1)
    later = made.created_at + timedelta(hours=1)
    assert due(ledger_session, signer=signer, origin=ORIGIN, now=later) is not None


def test_domain_events_become_entries_in_the_same_transaction(ledger_session: Session) -> None:
    service.subscribe_to_events()
    try:
        events.publish(ledger_session, DomainEvent("vault.read", "officer1", {"field": 7}))
        nested = ledger_session.begin_nested()
        events.publish(ledger_session, DomainEvent("policy.decision", "officer1", {"case": 1}))
        nested.rollback()
    finally:
        service.unsubscribe_from_events()
    assert service.tree_size(ledger_session) == 1
    entry = service.get_entry_or_raise(ledger_session, seq=0)
    assert (entry["kind"], entry["actor"], entry["data"]) == (
        "vault.read",
        "officer1",
        {"field": 7},
    )


def test_search_and_lookup(ledger_session: Session) -> None:
    _fill(ledger_session, 3, kind="policy.decision")
    service.append_entry(ledger_session, kind="vault.read", actor="officer2", data={"f": 1})
    service.append_entry(ledger_session, kind="policy", actor="admin", data={})
    assert [e["seq"] for e in service.search_entries(ledger_session, kind="policy")] == [4, 2, 1, 0]
    assert [e["seq"] for e in service.search_entries(ledger_session, actor="officer2")] == [3]
    page = service.search_entries(ledger_session, before_seq=2, limit=1)
    assert [e["seq"] for e in page] == [1]
    assert service.get_entry(ledger_session, seq=99) is None
    with pytest.raises(EntryNotFoundError):
        service.get_entry_or_raise(ledger_session, seq=99)


@pytest.mark.parametrize("data", [{"x": float("nan")}, {"x": 2**64}, {"x": object()}])
def test_unencodable_data_is_refused(ledger_session: Session, data: dict[str, object]) -> None:
    with pytest.raises(InvalidEntryError):
        service.append_entry(ledger_session, kind="k", actor="a", data=data)


def test_verify_status_and_export(
    ledger_session: Session, signer: Ed25519NoteSigner, tmp_path: Path
) -> None:
    _fill(ledger_session, 9)
    service.create_checkpoint(ledger_session, signer=signer, origin=ORIGIN)
    _fill(ledger_session, 4)
    service.create_checkpoint(ledger_session, signer=signer, origin=ORIGIN)
    report = service.verify_log(ledger_session, verifiers=[signer.verifier], origin=ORIGIN)
    assert report.ok, report.problems
    assert (report.tree_size, report.checkpoints, report.covered_size) == (13, 2, 13)
    status = service.verification_status(ledger_session, verifiers=[signer.verifier], origin=ORIGIN)
    assert status["ok"] and status["uncovered_entries"] == 0
    other = Ed25519NoteSigner.generate(ORIGIN).verifier
    assert not service.verification_status(ledger_session, verifiers=[other], origin=ORIGIN)["ok"]
    count = service.export_bundle(
        ledger_session, out=tmp_path / "b.zip", verifier=signer.verifier, origin=ORIGIN
    )
    assert count == 13
    assert offline.verify_bundle(tmp_path / "b.zip", trusted_vkey=signer.verifier.to_vkey()).ok


def test_common_non_json_values_are_recorded_as_text(ledger_session: Session) -> None:
    class Regime(Enum):
        full = "full_firewall"

    when = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    ref = UUID(int=7)
    service.append_entry(
        ledger_session,
        kind="k",
        actor="a",
        data={"at": when, "ref": ref, "regime": Regime.full, "ids": (1, 2)},
    )
    data = service.get_entry_or_raise(ledger_session, seq=0)["data"]
    assert data == {
        "at": "2025-03-01T12:00:00.000000Z",
        "ref": str(ref),
        "regime": "full_firewall",
        "ids": [1, 2],
    }


def test_periodic_checkpointer(fresh_url: str, signer: Ed25519NoteSigner) -> None:
    engine = make_engine(fresh_url)
    sessions = make_session_factory(engine)
    checkpointer = PeriodicCheckpointer(sessions, signer=signer, origin=ORIGIN, poll=0.05)
    checkpointer.run_once()  # nothing to sign yet
    with unit_of_work(sessions) as session:
        _fill(session, 3)
    checkpointer.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sessions() as session:
            latest = service.latest_checkpoint(session)
        if latest is not None:
            break
        time.sleep(0.05)
    checkpointer.stop()
    engine.dispose()
    assert latest is not None and latest.tree_size == 3


def test_the_periodic_checkpointer_queues_with_the_group_commits_on_sqlite(
    tmp_path: Path, signer: Ed25519NoteSigner
) -> None:
    """It takes the writer lock the group commits queue on, rather than sleeping in SQLite's
    busy handler, where back-to-back group commits of other workers could starve it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    with unit_of_work(sessions) as session:
        _fill(session, 3)
    checkpointer = PeriodicCheckpointer(
        sessions, signer=signer, origin=ORIGIN, writer_lock=WriterLock(engine)
    )
    another_worker = WriterLock(engine)
    done = threading.Event()
    try:
        with another_worker.hold():
            runner = threading.Thread(target=lambda: (checkpointer.run_once(), done.set()))
            runner.start()
            assert not done.wait(0.5)  # waits for the lock, not in SQLite
        assert done.wait(10)
        runner.join(10)
        with sessions() as session:
            latest = service.latest_checkpoint(session)
        assert latest is not None and latest.tree_size == 3
    finally:
        another_worker.close()
        checkpointer.stop()
        engine.dispose()


def test_appender_reports_failures_per_batch(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    with Appender(make_session_factory(engine)) as appender:
        with pytest.raises(InvalidEntryError):
            appender.append(kind="k", actor="a", data={"x": float("inf")})
        assert appender.append(kind="k", actor="a", data={}).seq == 0
    with pytest.raises(RuntimeError):
        appender.submit(kind="k", actor="a", data={})
    engine.dispose()


@pytest.mark.parametrize(
    ("kind", "actor", "data"),
    [("", "a", {}), ("k", "", {}), ("k" * 101, "a", {}), ("k", "a" * 201, {}), ("k", "a", [])],
)
def test_entries_need_a_kind_an_actor_and_a_mapping(
    ledger_session: Session, kind: str, actor: str, data: object
) -> None:
    with pytest.raises(InvalidEntryError):
        service.append_entry(ledger_session, kind=kind, actor=actor, data=data)  # type: ignore[arg-type]
    assert service.tree_size(ledger_session) == 0
