"""The differencing attack: a reader subtracts statistics for overlapping periods (January to
March minus February to March) or filters (every force minus one force) to work out a count
that disclosure control hid. With periods on a fixed calendar-month grid and every figure
rounded, no subtraction pins down a count below the threshold (issue 19)."""

from __future__ import annotations

from datetime import date
from itertools import product
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from safeshare.config import Settings
from safeshare.errors import ConfigurationError
from safeshare.oversight import service
from safeshare.oversight.presentation import Section
from safeshare.oversight.schemas import StatisticsFilters
from tests.factories import oversight as rows
from tests.factories.oversight import at

NOW = at(2024, 4, 10)
THRESHOLD = 10
BASE = 5
SECTIONS = ("sharing", "disclosures")
# Whole months and day-shifted versions of them: the grid makes the latter the same query.
PERIODS = {
    "jan-mar": (date(2024, 1, 1), date(2024, 3, 31)),
    "feb-mar": (date(2024, 2, 1), date(2024, 3, 31)),
    "jan-feb": (date(2024, 1, 1), date(2024, 2, 29)),
    "feb": (date(2024, 2, 1), date(2024, 2, 29)),
    "jan-2-mar": (date(2024, 1, 2), date(2024, 3, 30)),
    "jan-3-mar-15": (date(2024, 1, 3), date(2024, 3, 15)),
}
FORCES = (None, "Force A", "Force B")
Cell = tuple[str, str, str, int]  # section and table key, row heading, column index


@pytest.fixture
def world(db_session: Session) -> Session:
    """Counts chosen so many subtractions would land on 1 to 9 without protection."""
    s = db_session
    plan = [
        # (force, month, day, outcome, how many)
        ("Force A", 1, 2, "permit", 13),
        ("Force A", 1, 20, "deny", 3),
        ("Force A", 2, 5, "permit", 11),
        ("Force A", 2, 9, "deny", 12),
        ("Force A", 3, 1, "permit", 2),
        ("Force A", 3, 20, "deny", 14),
        ("Force B", 1, 2, "permit", 1),
        ("Force B", 2, 10, "permit", 16),
        ("Force B", 3, 10, "deny", 12),
    ]
    for force, month, day, outcome, n in plan:
        for i in range(n):
            rows.decision(
                s, requested_at=at(2024, month, day, 9 + i % 8), force=force, outcome=outcome
            )
    for force, month, day, n in [("Force A", 1, 3, 12), ("Force A", 2, 4, 3), ("Force B", 1, 2, 2)]:
        for _ in range(n):
            rows.disclosure(s, sent_at=at(2024, month, day), force=force)
    s.flush()
    return s


def publish(
    s: Session, tmp_path: Path, threshold: int, base: int
) -> dict[tuple[str, str | None], Section]:
    settings = Settings(
        var_dir=tmp_path,
        force_name="Force A",
        small_count_threshold=threshold,
        statistics_rounding_base=base,
    )
    pages = {}
    for (name, (start, end)), force, key in product(PERIODS.items(), FORCES, SECTIONS):
        filters = StatisticsFilters(start=start, end=end, force=force)
        pages[(f"{name}|{key}", force)] = service.statistics_section(
            s, section=key, filters=filters, settings=settings, now=NOW
        )
    return pages


def count_cells(page: Section, key: str) -> dict[Cell, str]:
    """Every count a page shows, by table, row and column."""
    found = {}
    for table in page.tables:
        counted = [i for i, c in enumerate(table.columns) if c.kind == "count"]
        for row in table.rows:
            for i in counted:
                found[(key, table.key, row.heading, i)] = row.figures[i].label
    return found


def possible(label: str) -> tuple[int, int | None]:
    """The true counts a published label allows: [low, high], None for no upper bound."""
    if label == f"fewer than {THRESHOLD}":
        return 1, THRESHOLD - 1
    if not label.isdigit():
        return 0, None  # withheld: anything
    shown = int(label)
    if shown == 0:
        return 0, 0  # 1 to 9 are hidden, and 1 or 2 would round to 0
    return max(THRESHOLD, shown - BASE // 2), shown + (BASE - 1) // 2


def covers(outer: str, inner: str) -> bool:
    (start_a, end_a), (start_b, end_b) = PERIODS[outer], PERIODS[inner]
    return start_a <= start_b and end_b <= end_a


def pairs() -> list[tuple[str, str | None, str, str | None]]:
    """(wider period, its force, narrower period, its force): the subtractions to try."""
    found = []
    for (wide, narrow), (f_wide, f_narrow) in product(
        product(PERIODS, PERIODS), product(FORCES, FORCES)
    ):
        if (wide, f_wide) == (narrow, f_narrow) or not covers(wide, narrow):
            continue
        if f_wide is not None and f_wide != f_narrow:
            continue
        found.append((wide, f_wide, narrow, f_narrow))
    return found


def test_no_subtraction_recovers_a_suppressed_count(world: Session, tmp_path: Path) -> None:
    exact = publish(world, tmp_path, threshold=1, base=1)
    shown = publish(world, tmp_path, threshold=THRESHOLD, base=BASE)
    attempts = small_differences = 0
    for wide, f_wide, narrow, f_narrow in pairs():
        for key in SECTIONS:
            true_wide = count_cells(exact[(f"{wide}|{key}", f_wide)], key)
            true_narrow = count_cells(exact[(f"{narrow}|{key}", f_narrow)], key)
            seen_wide = count_cells(shown[(f"{wide}|{key}", f_wide)], key)
            seen_narrow = count_cells(shown[(f"{narrow}|{key}", f_narrow)], key)
            for cell in set(true_wide) & set(true_narrow):
                if not (true_wide[cell].isdigit() and true_narrow[cell].isdigit()):
                    continue  # text cells (a force's regime, say)
                difference = int(true_wide[cell]) - int(true_narrow[cell])
                attempts += 1
                if not 0 < difference < THRESHOLD:
                    continue
                small_differences += 1
                low_w, high_w = possible(seen_wide[cell])
                low_n, high_n = possible(seen_narrow[cell])
                low = max(0, low_w - (high_n if high_n is not None else low_w))
                high = None if high_w is None else high_w - low_n
                assert high is None or high > low, (
                    f"{wide}/{f_wide} minus {narrow}/{f_narrow} pins {cell} at {low}"
                )
    # The attack had something to find: without protection these differences are exact.
    assert attempts > 500
    assert small_differences > 20


def test_day_shifted_periods_are_the_same_query(world: Session, tmp_path: Path) -> None:
    """Off-grid periods snap outward to whole months, so a one-day shift subtracts to zero."""
    shown = publish(world, tmp_path, threshold=1, base=1)
    for key in SECTIONS:
        month = count_cells(shown[(f"jan-mar|{key}", "Force A")], key)
        shifted = count_cells(shown[(f"jan-2-mar|{key}", "Force A")], key)
        assert month == shifted
        assert month == count_cells(shown[(f"jan-3-mar-15|{key}", "Force A")], key)
    snapped = StatisticsFilters(start=date(2024, 1, 17), end=date(2024, 2, 3))
    assert (snapped.start, snapped.end) == (date(2024, 1, 1), date(2024, 2, 29))


def test_suppression_without_rounding_is_refused(tmp_path: Path) -> None:
    """Without rounding, overlapping figures subtract exactly: the setting is refused."""
    with pytest.raises(ConfigurationError, match="ROUNDING_BASE"):
        Settings(var_dir=tmp_path, small_count_threshold=10, statistics_rounding_base=1)
    Settings(var_dir=tmp_path, small_count_threshold=1, statistics_rounding_base=1)
