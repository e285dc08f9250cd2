"""Fixtures for reporting and vault database tests: a key provider, fast config, an event log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from safeshare import events
from safeshare.events import DomainEvent
from safeshare.reporting.config import ReportingConfig
from safeshare.vault.keys import InMemoryKeyProvider
from tests.factories.reporting import reporting_config


@pytest.fixture
def provider() -> InMemoryKeyProvider:
    return InMemoryKeyProvider()


@pytest.fixture
def config() -> ReportingConfig:
    return reporting_config()


@pytest.fixture
def published() -> Iterator[list[DomainEvent]]:
    """Every domain event published during the test, in order."""
    seen: list[DomainEvent] = []

    def record(_session: Session, event: DomainEvent) -> None:
        seen.append(event)

    events.subscribe(record)
    try:
        yield seen
    finally:
        events.unsubscribe(record)
