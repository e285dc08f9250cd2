"""The public form's per-minute limit counts in the database (SQLite and PostgreSQL), so every
worker process shares it: at most `limit` hits per client per window, refused hits not
counted, and ended windows cleared away."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeshare.auth.models import ThrottleCounter
from safeshare.auth.throttle_store import WINDOW_KIND, DatabaseRateWindow

START = 60 * 16_667 + 20.0  # 20 s into a 60 s window


def _window(session: Session, limit: int) -> DatabaseRateWindow:
    return DatabaseRateWindow(session, namespace="public_post", limit=limit, window=60)


def test_the_limit_holds_until_the_window_turns(db_session: Session) -> None:
    window = _window(db_session, 3)
    assert [window.hit("a", now=START) for _ in range(3)] == [None, None, None]
    assert window.hit("a", now=START + 10) == pytest.approx(30)
    assert window.hit("b", now=START + 10) is None  # per client
    assert window.hit("a", now=START + 40) is None  # the next window


def test_refused_hits_are_not_counted(db_session: Session) -> None:
    window = _window(db_session, 1)
    assert window.hit("a", now=START) is None
    for step in range(5):
        assert window.hit("a", now=START + step) is not None
    counts = db_session.scalars(
        select(ThrottleCounter.failures).where(ThrottleCounter.kind == WINDOW_KIND)
    ).all()
    assert counts == [1]


def test_two_workers_share_one_allowance(db_session: Session) -> None:
    """Each worker process builds its own window object; the count is the table's."""
    first, second = _window(db_session, 2), _window(db_session, 2)
    assert first.hit("a", now=START) is None
    assert second.hit("a", now=START) is None
    assert first.hit("a", now=START) is not None
    assert second.hit("a", now=START) is not None


def test_ended_windows_are_cleared(db_session: Session) -> None:
    window = _window(db_session, 5)
    for client in ("a", "b", "c"):
        window.hit(client, now=START)
    window.hit("d", now=START + 60)
    rows = db_session.scalar(
        select(func.count()).select_from(ThrottleCounter).where(ThrottleCounter.kind == WINDOW_KIND)
    )
    assert rows == 1


def test_a_limit_below_one_is_refused(db_session: Session) -> None:
    with pytest.raises(ValueError):
        _window(db_session, 0)
