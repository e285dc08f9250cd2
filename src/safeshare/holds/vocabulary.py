"""The kinds of hold and their names."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class HoldKind(StrEnum):
    # Retention deletes and shreds nothing tied to the report (reviews still fall due).
    legal_hold = "legal_hold"
    # UK GDPR Art.18 / DPA 2018 s.47(2): the record takes part in no new share decision.
    restriction = "restriction"


HOLD_NAMES: Mapping[HoldKind, str] = {
    HoldKind.legal_hold: "Legal hold",
    HoldKind.restriction: "Restriction of processing",
}
