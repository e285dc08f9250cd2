"""Working-day due dates for England and Wales, hand-checked against the bank holiday calendar.

Convention (victims_code.py): the triggering day is day 0; the due date is the Nth working
day after it. Each expected date below was worked out by hand from gov.uk's bank holidays.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeshare.reporting.config import ReportingConfig
from safeshare.reporting.victims_code import (
    add_working_days,
    is_working_day,
    local_date,
    working_days_after,
)

CONFIG = ReportingConfig()


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Ordinary weeks and weekends.
        (date(2024, 3, 4), 2, date(2024, 3, 6)),  # Mon -> Wed
        (date(2024, 3, 8), 2, date(2024, 3, 12)),  # Fri -> Tue over the weekend
        (date(2024, 3, 9), 2, date(2024, 3, 12)),  # reported on Saturday -> Tue
        (date(2024, 3, 10), 1, date(2024, 3, 11)),  # Sunday -> Mon
        (date(2024, 3, 4), 5, date(2024, 3, 11)),  # Mon -> next Mon
        # Christmas 2020: Fri 25 Christmas, Mon 28 Boxing Day (substitute for Sat 26).
        (date(2020, 12, 24), 1, date(2020, 12, 29)),
        (date(2020, 12, 24), 2, date(2020, 12, 30)),
        # ... and New Year: Fri 1 Jan 2021.
        (date(2020, 12, 23), 5, date(2021, 1, 4)),
        (date(2020, 12, 31), 1, date(2021, 1, 4)),
        (date(2020, 12, 31), 2, date(2021, 1, 5)),
        # Christmas 2022 fell on Sunday: Mon 26 Boxing Day, Tue 27 Christmas substitute,
        # then Mon 2 Jan 2023 New Year substitute.
        (date(2022, 12, 23), 2, date(2022, 12, 29)),
        (date(2022, 12, 23), 5, date(2023, 1, 4)),
        # Easter 2024: Good Friday 29 March, Easter Monday 1 April.
        (date(2024, 3, 28), 1, date(2024, 4, 2)),
        (date(2024, 3, 28), 5, date(2024, 4, 8)),
        # Easter 2025: Good Friday 18 April, Easter Monday 21 April.
        (date(2025, 4, 17), 2, date(2025, 4, 23)),
        # One-off bank holiday: the State Funeral of Queen Elizabeth II, Mon 19 Sep 2022.
        (date(2022, 9, 16), 1, date(2022, 9, 20)),
        # Zero days: the same day if it is a working day, else the next one.
        (date(2024, 3, 4), 0, date(2024, 3, 4)),
        (date(2024, 3, 29), 0, date(2024, 4, 2)),
    ],
)
def test_add_working_days_england_and_wales(start: date, days: int, expected: date) -> None:
    assert add_working_days(start, days, config=CONFIG) == expected


def test_calendar_comes_from_configuration() -> None:
    # Scotland also keeps 2 January (Mon 4 Jan 2021 as substitute); England does not.
    scotland = ReportingConfig(bank_holiday_subdivision="SCT")
    assert add_working_days(date(2020, 12, 31), 2, config=CONFIG) == date(2021, 1, 5)
    assert add_working_days(date(2020, 12, 31), 2, config=scotland) == date(2021, 1, 6)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 12, 25), False),
        (date(2024, 12, 26), False),
        (date(2024, 12, 27), True),
        (date(2024, 12, 28), False),
        (date(2023, 5, 8), False),  # Coronation of King Charles III
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day, config=CONFIG) is working


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2024, 1, 1), -1, config=CONFIG)


@pytest.mark.parametrize(
    ("due", "today", "expected"),
    [
        (date(2024, 3, 4), date(2024, 3, 6), 2),
        (date(2024, 3, 8), date(2024, 3, 11), 1),  # the weekend does not count
        (date(2024, 3, 28), date(2024, 4, 2), 1),  # nor does Easter
        (date(2024, 3, 6), date(2024, 3, 6), 0),
        (date(2024, 3, 6), date(2024, 3, 1), 0),
    ],
)
def test_working_days_after(due: date, today: date, expected: int) -> None:
    assert working_days_after(due, today, config=CONFIG) == expected


def test_today_is_the_london_date() -> None:
    assert local_date(datetime(2024, 7, 1, 23, 30, tzinfo=UTC), config=CONFIG) == date(2024, 7, 2)
    assert local_date(datetime(2024, 1, 1, 23, 30, tzinfo=UTC), config=CONFIG) == date(2024, 1, 1)


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=1, max_value=10),
)
def test_due_date_is_exactly_n_working_days_later(start: date, days: int) -> None:
    due = add_working_days(start, days, config=CONFIG)
    assert is_working_day(due, config=CONFIG)
    between = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(is_working_day(d, config=CONFIG) for d in between) == days
