"""Group commit: queued units share one transaction, fail alone, and resolve after commit."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from threading import Event

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safeshare import events
from safeshare.db.group_commit import GroupCommitter
from safeshare.db.session import make_session_factory
from safeshare.events import DomainEvent
from safeshare.ledger import service as ledger


@pytest.fixture
def committer(db_engine: Engine) -> Iterator[GroupCommitter]:
    committer = GroupCommitter(make_session_factory(db_engine), max_batch=8)
    yield committer
    committer.close(timeout=10)


def _append(kind: str) -> object:
    def work(session: Session) -> int:
        return ledger.append_entry(session, kind=kind, actor="test", data={}).seq

    return work


def _fail(session: Session) -> int:
    ledger.append_entry(session, kind="test.doomed", actor="test", data={})
    raise ValueError("this unit fails")


def _size(db_engine: Engine) -> int:
    with make_session_factory(db_engine)() as session:
        return ledger.tree_size(session)


def test_units_commit_together_and_a_failing_one_is_rolled_back_alone(
    committer: GroupCommitter, db_engine: Engine
) -> None:
    before = _size(db_engine)
    started, release = Event(), Event()

    def blocker(_session: Session) -> None:
        started.set()
        release.wait(10)

    first = committer.submit(blocker)  # holds the thread while the next units queue up
    assert started.wait(10)
    futures: list[Future[int]] = [committer.submit(_append("test.group")) for _ in range(3)]
    doomed = committer.submit(_fail)
    futures.append(committer.submit(_append("test.group")))
    assert not any(f.done() for f in futures)  # nothing is acknowledged before its commit
    release.set()
    first.result(10)
    seqs = [f.result(10) for f in futures]
    with pytest.raises(ValueError, match="this unit fails"):
        doomed.result(10)
    assert seqs == list(range(before, before + 4))  # the failed unit left no gap
    assert _size(db_engine) == before + 4


def test_close_commits_what_is_queued_and_a_later_submit_restarts(
    committer: GroupCommitter, db_engine: Engine
) -> None:
    future = committer.submit(_append("test.close"))
    committer.close(timeout=10)
    assert future.done()
    assert committer.submit(_append("test.again")).result(10) == future.result() + 1


def test_ledger_entries_of_a_batch_are_appended_together_and_a_failed_unit_leaves_none(
    committer: GroupCommitter, db_engine: Engine
) -> None:
    committer.batch_scope = ledger.deferred_appends
    ledger.subscribe_to_events()
    before = _size(db_engine)
    started, release = Event(), Event()

    def blocker(_session: Session) -> None:
        started.set()
        release.wait(10)

    def decide(case: int) -> object:
        def work(session: Session) -> int:
            events.publish(session, DomainEvent("test.decision", "officer", {"case": case}))
            if case == 2:
                raise ValueError("case 2 is refused")
            return case

        return work

    try:
        committer.submit(blocker)
        assert started.wait(10)
        futures = [committer.submit(decide(case)) for case in range(4)]
        release.set()
        assert [f.result(10) for f in futures if f.exception(10) is None] == [0, 1, 3]
    finally:
        ledger.unsubscribe_from_events()
    with make_session_factory(db_engine)() as session:
        found = [ledger.get_entry_or_raise(session, seq=seq) for seq in range(before, before + 3)]
        assert ledger.tree_size(session) == before + 3
    assert [e["data"]["case"] for e in found] == [0, 1, 3]
