"""Times typed into forms: the 12- and 24-hour clock, with either separator."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeshare.web.formatters import parse_clock


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9:30am", time(9, 30)),
        ("9.30", time(9, 30)),
        ("21:30", time(21, 30)),
        ("9pm", time(21, 0)),
        ("9 PM", time(21, 0)),
        ("9:30 p.m.", time(21, 30)),
        ("12am", time(0, 0)),
        ("12:15pm", time(12, 15)),
        ("0:05", time(0, 5)),
        ("noon", time(12, 0)),
        ("Midnight", time(0, 0)),
    ],
)
def test_times_people_type_are_understood(typed: str, expected: time) -> None:
    assert parse_clock(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "9", "25:00", "13pm", "0am", "9:60", "9m", "half nine", "9:3", "21:30pm"]
)
def test_what_names_no_real_time_is_refused(typed: str) -> None:
    assert parse_clock(typed) is None


@given(st.times().map(lambda t: t.replace(second=0, microsecond=0)))
def test_every_minute_of_the_day_reads_back_in_each_style(when: time) -> None:
    twelve = f"{when.hour % 12 or 12}:{when.minute:02d}{'am' if when.hour < 12 else 'pm'}"
    for typed in (f"{when:%H:%M}", f"{when.hour}.{when.minute:02d}", twelve):
        assert parse_clock(typed) == when, typed
