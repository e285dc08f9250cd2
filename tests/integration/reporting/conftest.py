"""Fixtures for reporting and vault database tests: a key provider, fast config, an event log."""

from __future__ import annotations

import pytest

from safeshare.reporting.config import ReportingConfig
from safeshare.vault.keys import InMemoryKeyProvider
from tests.factories.reporting import reporting_config


@pytest.fixture
def provider() -> InMemoryKeyProvider:
    return InMemoryKeyProvider()


@pytest.fixture
def config() -> ReportingConfig:
    return reporting_config()
