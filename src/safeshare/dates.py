"""Dates and times as GOV.UK writes them ('14 March 2025', '2:05pm'), in the force's zone.

The one implementation: the web registers these as Jinja filters (`web/formatters.py`) and
domain messages (policy's) use them directly. The zone is the configured one
(`SAFESHARE_REPORTING__TIMEZONE`, `Settings.zone`), never hard-coded.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.astimezone(zone)


def date_text(value: date | None, zone: ZoneInfo) -> str:
    """'14 March 2025'; an instant shows its date in `zone`. '' for nothing."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value, zone).date()
    return f"{value.day} {value:%B} {value.year}"


def time_text(value: datetime | None, zone: ZoneInfo) -> str:
    """'2:05pm' in `zone` (GOV.UK style: no leading zero, am/pm). '' for nothing."""
    if value is None:
        return ""
    local = _local(value, zone)
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def datetime_text(value: datetime | None, zone: ZoneInfo) -> str:
    """'14 March 2025 at 2:05pm' in `zone`. '' for nothing."""
    if value is None:
        return ""
    return f"{date_text(value, zone)} at {time_text(value, zone)}"


def relative_text(value: date | None, today: date) -> str:
    """'today', 'yesterday', 'tomorrow', '3 days ago' or 'in 3 days', against `today`."""
    if value is None:
        return ""
    days = (value - today).days
    if days == 0:
        return "today"
    if days == -1:
        return "yesterday"
    if days == 1:
        return "tomorrow"
    return f"{-days} days ago" if days < 0 else f"in {days} days"


def duration_text(value: timedelta | None) -> str:
    """'2 days 3 hours', '5 hours 10 minutes' or '45 minutes'; 'Not yet' for nothing."""
    if value is None:
        return "Not yet"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)

    def part(count: int, unit: str) -> str:
        return f"{count} {unit}{'' if count == 1 else 's'}"

    if days:
        return " ".join([part(days, "day")] + ([part(hours, "hour")] if hours else []))
    if hours:
        return " ".join([part(hours, "hour")] + ([part(minutes, "minute")] if minutes else []))
    return part(minutes, "minute")
