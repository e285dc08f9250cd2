"""Tampering as a malicious DBA, on both back ends: verify names the first bad entry."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, exc, insert, select, text, update
from sqlalchemy.orm import Session

from safeshare.ledger import service
from safeshare.ledger.audit import AuditReport
from safeshare.ledger.checkpoint import Checkpoint, sign_checkpoint
from safeshare.ledger.models import LedgerCheckpoint
from safeshare.ledger.note import Ed25519NoteSigner

from . import tamper
from .conftest import ORIGIN

checkpoints = LedgerCheckpoint.__table__


@pytest.fixture
def log(ledger_session: Session, signer: Ed25519NoteSigner) -> Session:
    """20 entries with checkpoints #1 at 8, #2 at 16 and #3 at 20."""
    for upto in (8, 16, 20):
        while service.tree_size(ledger_session) < upto:
            n = service.tree_size(ledger_session)
            service.append_entry(
                ledger_session,
                kind="policy.decision",
                actor="officer1",
                data={"case": f"C-{n}", "share": False},
            )
        service.create_checkpoint(ledger_session, signer=signer, origin=ORIGIN)
    return ledger_session


def verify(session: Session, signer: Ed25519NoteSigner) -> AuditReport:
    return service.verify_log(session, verifiers=[signer.verifier], origin=ORIGIN)


def failure(session: Session, signer: Ed25519NoteSigner) -> tuple[int | None, str]:
    report = verify(session, signer)
    assert not report.ok
    assert report.first_problem is not None
    return report.first_problem.seq, report.summary()


def test_untouched_log_verifies(log: Session, signer: Ed25519NoteSigner) -> None:
    report = verify(log, signer)
    assert report.ok, report.problems
    assert report.summary().startswith("Ledger verified: 20 entries")


def test_edited_entry(log: Session, signer: Ed25519NoteSigner) -> None:
    tamper.disable_append_only(log)
    tamper.set_entry(log, 11, tamper.edit_json(tamper.raw_entry(log, 11), share=True))
    seq, summary = failure(log, signer)
    assert seq == 11 and "entry 11 was altered" in summary


def test_edited_entry_with_its_leaf_hash_recomputed(
    log: Session, signer: Ed25519NoteSigner
) -> None:
    tamper.disable_append_only(log)
    tamper.set_entry(log, 11, tamper.edit_json(tamper.raw_entry(log, 11), share=True), leaf=True)
    seq, summary = failure(log, signer)
    assert seq == 11 and "entry 12 records a different hash" in summary


def test_consistently_rewritten_log_is_caught_by_the_signed_checkpoints(
    log: Session, signer: Ed25519NoteSigner
) -> None:
    tamper.disable_append_only(log)
    tamper.rewrite_log(log, 11, {"case": "C-11", "share": True})
    seq, summary = failure(log, signer)
    assert seq == 8
    assert "within 8..15" in summary and "checkpoint #2" in summary


def test_deleted_entry(log: Session, signer: Ed25519NoteSigner) -> None:
    tamper.disable_append_only(log)
    tamper.delete_entry(log, 5)
    seq, summary = failure(log, signer)
    assert seq == 5 and "entry 5 is missing" in summary


def test_reordered_entries(log: Session, signer: Ed25519NoteSigner) -> None:
    tamper.disable_append_only(log)
    tamper.swap_entries(log, 9, 10)
    seq, summary = failure(log, signer)
    assert seq == 9 and "position 9 holds entry 10" in summary


def test_inserted_entry(log: Session, signer: Ed25519NoteSigner) -> None:
    tamper.disable_append_only(log)
    tamper.insert_entry(log, 6, {"case": "C-forged", "share": False})
    seq, summary = failure(log, signer)
    assert seq == 6 and "inserted" in summary


def test_forged_checkpoint_note(log: Session, signer: Ed25519NoteSigner) -> None:
    tamper.disable_append_only(log)
    note = (
        log.connection()
        .execute(select(checkpoints.c.note).where(checkpoints.c.number == 2))
        .scalar_one()
    )
    log.connection().execute(
        update(checkpoints)
        .where(checkpoints.c.number == 2)
        .values(note=note.replace("\n16\n", "\n15\n"))
    )
    _, summary = failure(log, signer)
    assert "checkpoint #2 is forged" in summary


def test_checkpoint_signed_by_another_key(log: Session, signer: Ed25519NoteSigner) -> None:
    intruder = Ed25519NoteSigner.generate(ORIGIN)
    root = bytes.fromhex(service.inclusion_proof(log, leaf_index=0)["root_hash"])
    note = sign_checkpoint(Checkpoint(ORIGIN, 20, root), intruder)
    log.connection().execute(
        insert(checkpoints).values(
            number=4, tree_size=20, root_hash=root, note=note, created_at=service.utcnow()
        )
    )
    _, summary = failure(log, signer)
    assert "checkpoint #4 is forged" in summary


def test_deleted_checkpoint(log: Session, signer: Ed25519NoteSigner) -> None:
    tamper.disable_append_only(log)
    log.connection().execute(delete(checkpoints).where(checkpoints.c.number == 1))
    _, summary = failure(log, signer)
    assert "checkpoint #1 is missing" in summary


def test_altered_subtree_hash_is_caught(log: Session, signer: Ed25519NoteSigner) -> None:
    tamper.disable_append_only(log)
    log.connection().execute(
        update(tamper.nodes)
        .where(tamper.nodes.c.level == 2, tamper.nodes.c.idx == 1)
        .values(hash=bytes(32))
    )
    seq, summary = failure(log, signer)
    assert seq == 4 and "level 2, index 1" in summary


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entries SET actor = 'x' WHERE seq = 1",
        "DELETE FROM ledger_entries WHERE seq = 19",
        "UPDATE ledger_nodes SET hash = hash",
        "DELETE FROM ledger_nodes",
        "UPDATE ledger_checkpoints SET note = note",
        "DELETE FROM ledger_checkpoints",
        "DELETE FROM ledger_head",
    ],
)
def test_database_rejects_rewriting_history(log: Session, statement: str) -> None:
    with pytest.raises(exc.DatabaseError, match="append-only"), log.begin_nested():
        log.connection().execute(text(statement))


@pytest.mark.parametrize(
    ("truncate", "delete_all"),
    [
        ("TRUNCATE ledger_entries", "DELETE FROM ledger_entries"),
        ("TRUNCATE ledger_nodes", "DELETE FROM ledger_nodes"),
        ("TRUNCATE ledger_checkpoints", "DELETE FROM ledger_checkpoints"),
        ("TRUNCATE ledger_head", "DELETE FROM ledger_head"),
    ],
)
def test_database_rejects_emptying_a_table(log: Session, truncate: str, delete_all: str) -> None:
    """TRUNCATE on PostgreSQL; SQLite has none, its equivalent is an unqualified DELETE."""
    postgres = log.connection().dialect.name == "postgresql"
    with pytest.raises(exc.DatabaseError, match="append-only"), log.begin_nested():
        log.connection().execute(text(truncate if postgres else delete_all))
