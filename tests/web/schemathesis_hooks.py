"""Schemathesis hooks for rules JSON Schema cannot state (loaded via SCHEMATHESIS_HOOKS).

A report's dates are relative to today and to each other, and consents are unique by
purpose and agency regardless of case: positive cases that break these are not generated.
A directory import's body is "a CSV" to JSON Schema; its positive cases are a valid CSV
with one fictional service. Negative cases and every check are left as they are.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import schemathesis

REPORT_BODIES = {("POST", "/api/v1/reports")}
IMPORT = ("POST", "/api/v1/support/services/import")
DIRECTORY_ROW = {
    "organisation": "Support Org B",
    "name": "Contract Test Helpline",
    "service_types": "helpline",
    "languages": "Somali",
    "is_area_wide": "yes",
    "referral_method": "phone",
    "referral_contact": "0808 000 0001",
    "has_nrpf_support": "no",
}
DIRECTORY_CSV = ",".join(DIRECTORY_ROW) + "\n" + ",".join(DIRECTORY_ROW.values()) + "\n"


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
    if _key(context) not in REPORT_BODIES:
        return True
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return True
    body = case.body
    return not isinstance(body, dict) or (_dates_hold(body) and _consents_unique(body))


def _key(context: schemathesis.HookContext) -> tuple[str, str] | None:
    operation = context.operation
    return None if operation is None else (operation.method.upper(), operation.path)


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    if _key(context) == IMPORT and not (case.meta and case.meta.generation.mode.is_negative):
        case.body = DIRECTORY_CSV
    return case
