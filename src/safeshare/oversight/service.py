"""Oversight services the web layer and CLI call: statistics pages and exports (always after
disclosure control), outcomes after a share, and the recommendations tracker.

Plain functions, session first, keyword-only (STYLE.md); they flush and never commit.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy.orm import Session

from safeshare import events
from safeshare.config import Settings
from safeshare.db.base import utcnow
from safeshare.errors import NotFoundError
from safeshare.events import DomainEvent, EventKind
from safeshare.oversight import sections, statistics
from safeshare.oversight.dialect import without_jit
from safeshare.oversight.outcomes import (
    DisclosureFollowUp,
    FollowUpList,
    follow_up_list,
    get_follow_up,
    record_outcome,
)
from safeshare.oversight.presentation import Section, StatTable
from safeshare.oversight.recommendations import (
    create_recommendation,
    get_recommendation,
    get_recommendation_or_raise,
    list_recommendations,
    seed_safe_to_share,
    update_recommendation,
)
from safeshare.oversight.schemas import StatisticsFilters

__all__ = [
    "SECTION_TITLES",
    "DisclosureFollowUp",
    "FollowUpList",
    "create_recommendation",
    "follow_up_list",
    "get_follow_up",
    "get_recommendation",
    "get_recommendation_or_raise",
    "known_forces",
    "list_recommendations",
    "record_event",
    "record_outcome",
    "seed_safe_to_share",
    "statistics_section",
    "subscribe_to_events",
    "table_csv",
    "unsubscribe_from_events",
    "update_recommendation",
]

SECTION_TITLES = sections.SECTION_TITLES


class SectionNotFoundError(NotFoundError):
    code = "statistics_section_not_found"


def record_event(session: Session, event: DomainEvent) -> None:
    """Events about a report (its items or case may have changed), and disclosures naming
    one (its share group may have), mark it for the rollups' next catch-up, in the same
    transaction as the change."""
    report_id = event.data.get("report_id")
    if event.kind.startswith("report.") and isinstance(report_id, int):
        statistics.mark_report_changed(session, report_id=report_id)
    report_ref, agency = event.data.get("report_ref"), event.data.get("agency")
    if event.kind == EventKind.POLICY_DISCLOSURE and isinstance(report_ref, str):
        statistics.mark_reference_shared(session, report_ref=report_ref, agency=str(agency))


def subscribe_to_events() -> None:
    """Call once at startup (the web app and CLI), as for the ledger and support."""
    events.subscribe(record_event)


def unsubscribe_from_events() -> None:
    events.unsubscribe(record_event)


def statistics_section(
    session: Session,
    *,
    section: str,
    filters: StatisticsFilters,
    settings: Settings,
    now: datetime | None = None,
) -> Section:
    """One statistics page for the filters, every figure after disclosure control."""
    builder = sections.BUILDERS.get(section)
    if builder is None:
        raise SectionNotFoundError(f"no statistics page called {section!r}")
    without_jit(session)
    context = sections.Context(
        period=filters.period,
        policy=settings.disclosure_policy(),
        now=now or utcnow(),
        home_force=settings.force_name,
        follow_up_days=settings.outcome_follow_up_days,
        dimensions=filters.dimensions,
        measure=filters.measure,
    )
    return builder(session, context)


def known_forces(session: Session, *, settings: Settings) -> list[str]:
    """Forces to filter by: any with a decision or disclosure, and this deployment's own."""
    return sorted(set(statistics.known_forces(session)) | {settings.force_name})


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    # Spreadsheets run a cell starting with these as a formula (CSV injection); a force name
    # is data, so guard every text cell, not just the ones we expect.
    return "'" + text if text.startswith(_FORMULA_START) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text.rstrip("%"))
    except ValueError:
        return False
    return True


def table_csv(table: StatTable, *, filters: StatisticsFilters) -> str:
    """One table as CSV: a title line, the header, rows, then the period and the note."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(table.row_heading), *[_cell(c.heading) for c in table.columns]])
    for row in table.rows:
        writer.writerow([_cell(row.heading), *[_cell(f.label) for f in row.figures]])
    writer.writerow([])
    writer.writerow(["Table", _cell(table.title)])
    period = f"{filters.start.isoformat()} to {filters.end.isoformat()}"
    writer.writerow(["Period", period])
    writer.writerow(["Force", _cell(filters.force or "All forces")])
    writer.writerow(["Note", table.note])
    return out.getvalue()
