"""Capture the domain events oversight publishes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from safeshare import events
from safeshare.events import DomainEvent


@pytest.fixture
def published() -> Iterator[list[DomainEvent]]:
    seen: list[DomainEvent] = []

    def record(_session: Session, event: DomainEvent) -> None:
        seen.append(event)

    events.subscribe(record)
    try:
        yield seen
    finally:
        events.unsubscribe(record)
