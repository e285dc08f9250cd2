"""Dates and times read the GOV.UK way, in the configured zone (one implementation)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from jinja2 import Environment

from safeshare import dates
from safeshare.web import formatters

LONDON = ZoneInfo("Europe/London")
SUMMER = datetime(2025, 6, 3, 13, 30, tzinfo=UTC)  # 2:30pm in London (BST)


def test_gov_uk_style_in_the_given_zone() -> None:
    assert dates.datetime_text(SUMMER, LONDON) == "3 June 2025 at 2:30pm"
    assert dates.time_text(SUMMER.replace(hour=8, minute=5), LONDON) == "9:05am"
    assert dates.date_text(datetime(2025, 6, 2, 23, 30, tzinfo=UTC), LONDON) == "3 June 2025"
    assert dates.datetime_text(SUMMER, ZoneInfo("UTC")) == "3 June 2025 at 1:30pm"
    assert dates.date_text(date(2025, 3, 14), LONDON) == "14 March 2025"
    assert dates.datetime_text(None, LONDON) == dates.date_text(None, LONDON) == ""


def test_relative_and_duration() -> None:
    today = date(2025, 6, 3)
    assert [dates.relative_text(today + timedelta(days=n), today) for n in (-3, -1, 0, 1, 2)] == [
        "3 days ago",
        "yesterday",
        "today",
        "tomorrow",
        "in 2 days",
    ]
    assert dates.duration_text(timedelta(days=2, hours=3)) == "2 days 3 hours"
    assert dates.duration_text(timedelta(minutes=1)) == "1 minute"
    assert dates.duration_text(None) == "Not yet"


def test_filters_use_the_registered_zone() -> None:
    env = Environment(autoescape=True)
    formatters.register(env, ZoneInfo("America/New_York"))
    rendered = env.from_string("{{ t | datetime }}|{{ t | date }}|{{ format_time(t) }}").render(
        t=SUMMER
    )
    assert rendered == "3 June 2025 at 9:30am|3 June 2025|3 June 2025 at 9:30am"
