"""Parameters for the GOV.UK pagination component, shared by every paginated page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def numbered_pagination(
    current: int, pages: int, href: Callable[[int], str], *, window: int = 1
) -> dict[str, Any] | None:
    """First, last and `window` pages either side of `current`, with ellipses; None for 1 page."""
    if pages <= 1:
        return None
    shown = sorted({1, pages, *range(max(1, current - window), min(pages, current + window) + 1)})
    items: list[dict[str, Any]] = []
    for previous, number in zip([0, *shown], shown, strict=False):
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": href(number), "current": number == current})
    return {
        "items": items,
        "previous": {"href": href(current - 1)} if current > 1 else None,
        "next": {"href": href(current + 1)} if current < pages else None,
    }
