"""Fixed vectors for the pure ledger modules (tests/vectors)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


@pytest.fixture(scope="session")
def merkle_vectors() -> dict[str, Any]:
    return json.loads((VECTORS / "rfc9162_merkle.json").read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def note_vectors() -> dict[str, Any]:
    return json.loads((VECTORS / "signed_note.json").read_text())  # type: ignore[no-any-return]
