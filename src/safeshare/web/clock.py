"""Times of day as people type them: "14:30", "9.30", "9:30am", "9pm", "noon".

GOV.UK's guidance on asking for times is to accept the 12- and 24-hour clock with either
separator; refusing "9:30am" made people guess the format.
"""

from __future__ import annotations

import re
from datetime import time

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
