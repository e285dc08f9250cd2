"""Share requests for tests: the scenario table's defaults, with per-test overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from safeshare.policy.schemas import ShareRequest

SCENARIOS_FILE = Path(__file__).with_name("scenarios.yaml")
TABLE: dict[str, Any] = yaml.safe_load(SCENARIOS_FILE.read_text(encoding="utf-8"))
DEFAULTS: dict[str, Any] = TABLE["defaults"]


def request_data(
    *,
    requester: dict[str, Any] | None = None,
    subject: dict[str, Any] | None = None,
    categories: list[str] | None = None,
    pause_crime_types: list[str] | None = None,
) -> dict[str, Any]:
    """Contract JSON: the defaults with `requester` and `subject` fields overridden."""
    data = {
        "requester": {**DEFAULTS["requester"], **(requester or {})},
        "subject": {**DEFAULTS["subject"], **(subject or {})},
        "categories": list(categories or DEFAULTS["categories"]),
    }
    if pause_crime_types is not None:
        data["pause_crime_types"] = pause_crime_types
    return data


def share_request(**overrides: Any) -> ShareRequest:
    return ShareRequest.model_validate(request_data(**overrides))
