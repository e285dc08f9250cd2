"""Group commit: queued units share one transaction, fail alone, and resolve after commit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from threading import Event
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, func, select
from sqlalchemy.orm import Session

from safeshare import events
from safeshare.auth.roles import Role
from safeshare.db.group_commit import GroupCommitter
from safeshare.db.session import make_session_factory
from safeshare.events import DomainEvent
from safeshare.ledger import service as ledger
from safeshare.policy import service as policy_service
from safeshare.policy.models import PolicyDecision
from safeshare.policy.schemas import Agency, Category, Purpose, RecordShareRequest, Requester

ACTOR = "group-commit-test"


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


@pytest.mark.usefixtures("_forget_staged_decisions")
def test_staged_decisions_of_a_batch_go_in_as_one_insert_and_a_failing_one_alone_is_undone(
    committer: GroupCommitter, db_engine: Engine
) -> None:
    """Staged units are flushed together: the batch's decisions are one INSERT, yet each
    gets its own id and ledger entry; a unit failing after the flush takes nothing with it
    but itself (the batch is run again, a savepoint per unit)."""
    committer.batch_scope = ledger.deferred_appends
    ledger.subscribe_to_events()
    inserts: list[str] = []

    def count_inserts(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO POLICY_DECISIONS"):
            inserts.append(statement)

    started, release = Event(), Event()

    def blocker(_session: Session) -> None:
        started.set()
        release.wait(10)

    def enquiry(case: int) -> Callable[[Session], Callable[[], tuple[int, int]]]:
        def stage(session: Session) -> Callable[[], tuple[int, int]]:
            prepared = policy_service.prepare_decision(
                session,
                request=RecordShareRequest(
                    report_ref=None,
                    requester=Requester(agency=Agency.police, purpose=Purpose.safeguarding),
                    categories=[Category.contact],
                    status_doubt_only=False,
                ),
                actor=f"{ACTOR}-{case}",
                actor_role=Role.officer,
            )
            publish = policy_service.stage_decision(session, prepared=prepared)

            def finish() -> tuple[int, int]:
                record = publish()
                if case == 2:
                    raise ValueError("case 2 fails once its row is in")
                return case, record.id

            return finish

        return stage

    before = _size(db_engine)
    event.listen(db_engine, "before_cursor_execute", count_inserts)
    try:
        committer.submit(blocker)
        assert started.wait(10)
        futures = [committer.submit_staged(enquiry(case)) for case in range(5)]
        release.set()
        done = [f.result(10) for f in futures if f.exception(10) is None]
        assert isinstance(futures[2].exception(10), ValueError)
    finally:
        event.remove(db_engine, "before_cursor_execute", count_inserts)
        ledger.unsubscribe_from_events()
    assert [case for case, _ in done] == [0, 1, 3, 4]
    # The first try sends one INSERT for all five rows; case 2 fails after it, so the batch
    # is run again, unit by unit (five more).
    assert len(inserts) == 1 + 5
    ids = [decision_id for _, decision_id in done]
    with make_session_factory(db_engine)() as session:
        stored = [policy_service.get_decision_or_raise(session, decision_id=i) for i in ids]
        entries = [ledger.get_entry_or_raise(session, seq=s) for s in range(before, before + 4)]
        assert ledger.tree_size(session) == before + 4
        assert (
            session.scalar(
                select(func.count())
                .select_from(PolicyDecision)
                .where(PolicyDecision.requested_by == f"{ACTOR}-2")
            )
            == 0
        )
    assert [d.requested_by for d in stored] == [f"{ACTOR}-{case}" for case in (0, 1, 3, 4)]
    assert [e["data"]["decision_id"] for e in entries] == ids


@pytest.fixture
def _forget_staged_decisions(db_engine: Engine) -> Iterator[None]:
    """The committed decisions go again afterwards: other tests list the shared database's."""
    yield
    with make_session_factory(db_engine)() as session, session.begin():
        session.execute(
            delete(PolicyDecision).where(PolicyDecision.requested_by.like(f"{ACTOR}-%"))
        )
