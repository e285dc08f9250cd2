"""Every label table keyed by an enum gives every member exactly one label (issue 12).

Finds the tables itself: any module-level mapping, in the modules that hold labels, whose
keys are all members of one enum. A new member without a label, or a table keyed by two
enums, fails here rather than showing a raw value (or a KeyError) on a page.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from enum import Enum
from types import ModuleType

import pytest

LABEL_MODULES = (
    "safeshare.auth.roles",
    "safeshare.holds.vocabulary",
    "safeshare.oversight.vocabulary",
    "safeshare.policy.explain",
    "safeshare.policy.lawful_basis",
    "safeshare.reporting.vocabulary",
    "safeshare.retention.vocabulary",
    "safeshare.support.vocabulary",
    "safeshare.web.routes.reporting._forms",
    "safeshare.web.routes.support._common",
    "safeshare.web.routes.victim_view",
)

# Tables that label a chosen subset on purpose (named, with the reason).
PARTIAL: dict[str, str] = {
    "safeshare.web.routes.victim_view.STATUS_LABELS": "an erased report has no view to show",
    "safeshare.web.routes.victim_view.SEALED_LABELS": "only the answers she may see again",
}


def _tables(module: ModuleType) -> list[tuple[str, type[Enum], Mapping[Enum, object]]]:
    found = []
    for name, value in vars(module).items():
        if not isinstance(value, Mapping) or not value or name.startswith("__"):
            continue
        keys = list(value)
        if not all(isinstance(key, Enum) for key in keys):
            continue
        enums = {type(key) for key in keys}
        assert len(enums) == 1, (
            f"{module.__name__}.{name} mixes {sorted(e.__name__ for e in enums)}"
        )
        found.append((name, enums.pop(), value))
    return found


ALL = [
    (f"{module}.{name}", enum, table)
    for module in LABEL_MODULES
    for name, enum, table in _tables(importlib.import_module(module))
]


def test_the_label_tables_are_found() -> None:
    assert len(ALL) >= 20


@pytest.mark.parametrize(("where", "enum", "table"), ALL, ids=[row[0] for row in ALL])
def test_every_member_has_exactly_one_label(
    where: str, enum: type[Enum], table: Mapping[Enum, object]
) -> None:
    if where in PARTIAL:
        pytest.skip(PARTIAL[where])
    missing = [member.name for member in enum if member not in table]
    assert not missing, f"{where} has no label for {enum.__name__}.{', '.join(missing)}"
    assert len(table) == len(enum)  # one each: a mapping cannot hold two for one key


def test_home_office_is_written_one_way() -> None:
    """A proper noun: 'Home Office', never 'home office' or 'Home office'."""
    for _where, _enum, table in ALL:
        for text in table.values():
            if isinstance(text, str) and "home office" in text.lower():
                assert "Home Office" in text, text
