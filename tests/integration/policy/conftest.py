"""Capture the domain events the policy service publishes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from safeshare import events
from safeshare.events import DomainEvent


@pytest.fixture
def published() -> Iterator[list[DomainEvent]]:
    """Every event published during the test, in order."""
    seen: list[DomainEvent] = []

    def record(_session: Session, event: DomainEvent) -> None:
        seen.append(event)

    events.subscribe(record)
    try:
        yield seen
    finally:
        events.unsubscribe(record)
