"""Jinja filters for dates and times in the configured zone: `date`, `datetime`, `time`,
`relative` and `duration` (`{{ report.reported_at | datetime }}`).

Registered once per app by `register` with `Settings.zone`; the older template globals
(`format_date`, `format_time`, `format_datetime`, `format_duration`) are the same functions,
so every page formats alike. The wording lives in `safeshare.dates`.
"""

from __future__ import annotations

from datetime import date, datetime
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
