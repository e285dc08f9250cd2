"""Jinja filters for dates and times in the configured zone: `date`, `datetime`, `time`,
`relative` and `duration` (`{{ report.reported_at | datetime }}`).

Registered once per app by `register` with `Settings.zone`; the older template globals
(`format_date`, `format_time`, `format_datetime`, `format_duration`) are the same functions,
so every page formats alike. The wording lives in `safeshare.dates`. `parse_clock` reads a
time of day the way people type it ("14:30", "9.30", "9:30am", "9pm", "noon"): GOV.UK's
guidance is to accept the 12- and 24-hour clock with either separator, since refusing
"9:30am" made people guess the format.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from jinja2 import Environment

from safeshare import dates
from safeshare.db.base import utcnow


def register(env: Environment, zone: ZoneInfo) -> None:
    """Install the filters (and their global aliases) for `zone` in `env`."""

    def date_filter(value: date | None) -> str:
        return dates.date_text(value, zone)

    def datetime_filter(value: datetime | None) -> str:
        return dates.datetime_text(value, zone)

    def time_filter(value: datetime | None) -> str:
        return dates.time_text(value, zone)

    def relative_filter(value: date | None) -> str:
        local = value.astimezone(zone).date() if isinstance(value, datetime) else value
        return dates.relative_text(local, utcnow().astimezone(zone).date())

    env.filters.update(
        {
            "date": date_filter,
            "datetime": datetime_filter,
            "time": time_filter,
            "relative": relative_filter,
            "duration": dates.duration_text,
        }
    )
    env.globals.update(
        {
            "format_date": date_filter,
            "format_time": datetime_filter,
            "format_datetime": datetime_filter,
            "format_duration": dates.duration_text,
        }
    )


_CLOCK = re.compile(
    r"(?P<hour>\d{1,2})(?:\s*[:.]\s*(?P<minute>\d{2}))?(?:\s*(?P<half>[ap])\.?\s*m?\.?)?",
    re.IGNORECASE,
)
_WORDS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}


def parse_clock(text: str) -> time | None:
    """The time `text` names, or None if it names no real time.

    Without am/pm it is the 24-hour clock; with it, hours run 1 to 12 ("12am" is midnight).
    A bare hour needs am/pm ("9" alone is ambiguous)."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    match = _CLOCK.fullmatch(cleaned)
    if match is None:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = match["half"]
    if minute > 59 or (half is None and match["minute"] is None):
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    elif hour > 23:
        return None
    return time(hour, minute)
