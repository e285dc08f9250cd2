"""Fixtures for the command-line tests: a fresh var directory the process-wide settings use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from safeshare.config import get_settings
from safeshare.runtime import get_runtime


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """SAFESHARE_VAR_DIR pointed at a temporary directory, settings and runtime rebuilt."""
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SAFESHARE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    get_runtime.cache_clear()
    yield tmp_path
    get_runtime().engine.dispose()
    get_settings.cache_clear()
    get_runtime.cache_clear()
