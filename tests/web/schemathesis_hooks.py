"""Schemathesis hooks for rules JSON Schema cannot state (loaded via SCHEMATHESIS_HOOKS).

A report's dates are relative to today and to each other, and consents are unique by
purpose and agency regardless of case. Positive cases that break these are not generated;
negative cases and every check are left as they are.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import schemathesis

REPORT_BODIES = {("POST", "/api/v1/reports")}


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _dates_hold(body: dict[str, Any]) -> bool:
    today = date.today() - timedelta(days=1)  # the service allows a day of slack; stay inside
    start, end = _day(body.get("occurred_from")), _day(body.get("occurred_to"))
    if any(d is not None and d > today for d in (start, end)):
        return False
    if start and end and end < start:
        return False
    details = body.get("details")
    born = _day(details.get("date_of_birth")) if isinstance(details, dict) else None
    return born is None or date(1900, 1, 1) <= born <= today


def _consents_unique(body: dict[str, Any]) -> bool:
    consents = body.get("consents")
    if not isinstance(consents, list):
        return True
    keys = [
        (c.get("purpose"), str(c.get("agency_name") or "").strip().casefold())
        for c in consents
        if isinstance(c, dict)
    ]
    return len(set(keys)) == len(keys)


@schemathesis.hook
def filter_case(context: schemathesis.HookContext, case: schemathesis.Case) -> bool:
    operation = context.operation
    if operation is None or (operation.method.upper(), operation.path) not in REPORT_BODIES:
        return True
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return True
    body = case.body
    return not isinstance(body, dict) or (_dates_hold(body) and _consents_unique(body))
