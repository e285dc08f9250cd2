"""What sharing did to the case: hand-checked on both back ends, with disclosure control off
and then on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeshare.events import DomainEvent, EventKind
from safeshare.oversight import service
from safeshare.oversight.models import DirtyReport
from safeshare.oversight.presentation import Section, StatTable
from safeshare.oversight.vocabulary import SHARE_GROUP_LABELS, ShareGroup
from safeshare.reporting.models import Report
from tests.factories import oversight as rows
from tests.factories.oversight import at

NOW = at(2024, 4, 10)
SENT = SHARE_GROUP_LABELS[ShareGroup.shared]


def page(s: Session, tmp_path: Path, *, threshold: int = 1, base: int = 1) -> Section:
    return rows.statistics_page(
        s,
        tmp_path,
        "impact",
        start=date(2024, 1, 1),
        end=date(2024, 3, 31),
        force="Force A",
        threshold=threshold,
        base=base,
        now=NOW,
    )


def grid(table: StatTable) -> dict[str, list[str]]:
    return {row.heading: [f.label for f in row.figures] for row in table.rows}


@pytest.fixture
def world(db_session: Session) -> Session:
    s = db_session
    # Domestic abuse: two shared (one charged), one asked for and refused, three not asked.
    shared_charged = rows.report(s, reported_at=at(2024, 1, 5), status="charged")
    shared_nfa = rows.report(s, reported_at=at(2024, 1, 6), status="no_further_action")
    refused = rows.report(s, reported_at=at(2024, 2, 1), status="under_investigation")
    quiet = [
        rows.report(s, reported_at=at(2024, 2, 2), status="charged"),
        rows.report(s, reported_at=at(2024, 2, 3), status="charged"),
        rows.report(s, reported_at=at(2024, 3, 3), status="closed"),
    ]
    # Theft: nobody asked about any theft report, so theft is left out of the comparison.
    rows.report(s, reported_at=at(2024, 2, 2), crime_type="theft_fraud", status="charged")
    # Outside the period: left out.
    late = rows.report(s, reported_at=at(2024, 4, 2), status="charged")
    for report in (shared_charged, shared_nfa, late):
        rows.disclosure(s, sent_at=at(2024, 3, 10), report_ref=report.reference)
    rows.decision(s, requested_at=at(2024, 2, 5), outcome="deny", report_ref=refused.reference)
    # A request to another agency does not count as Immigration Enforcement asking.
    rows.decision(
        s,
        requested_at=at(2024, 2, 5),
        agency="police",
        purpose="criminal_investigation",
        report_ref=quiet[2].reference,
    )
    # Victims' Code items: referral within 2 working days, updates on decisions.
    rows.right(
        s, shared_charged, number=4, status="met", due_on=date(2024, 1, 9), met_at=at(2024, 1, 12)
    )  # late
    rows.right(s, shared_nfa, number=6, due_on=date(2024, 1, 20))  # overdue by April
    rows.right(s, refused, number=4, status="met", due_on=date(2024, 2, 5), met_at=at(2024, 2, 2))
    for report in quiet:
        rows.right(
            s, report, number=4, status="met", due_on=date(2024, 3, 20), met_at=at(2024, 3, 4)
        )
    rows.right(s, quiet[0], number=6, due_on=date(2024, 5, 1))  # not yet due: left out
    s.flush()
    return s


def test_case_status_by_share_group_exact(world: Session, tmp_path: Path) -> None:
    cases = grid(page(world, tmp_path).table("case_by_group"))
    # Columns: new, under investigation, charged, NFA, closed, total, percentage charged.
    assert cases[SENT] == ["0", "0", "1", "1", "0", "2", "50%"]
    assert cases["Asked for, not sent"] == ["0", "1", "0", "0", "0", "1", "0%"]
    assert cases["No request"] == ["0", "0", "2", "0", "1", "3", "67%"]
    assert cases["Total"][5] == "6"


def test_compliance_by_share_group_exact(world: Session, tmp_path: Path) -> None:
    table = page(world, tmp_path).table("compliance_by_group")
    rights = grid(table)
    # Columns: on time, late, overdue, total, percentage on time.
    assert rights[SENT] == ["0", "1", "1", "2", "0%"]
    assert rights["Asked for, not sent"] == ["1", "0", "0", "1", "100%"]
    assert rights["No request"] == ["3", "0", "0", "3", "100%"]
    # 0/2 against 3/3: Newcombe's interval from the published figures.
    assert f"{SENT} against No request: -100 percentage points" in table.summary


def test_gaps_are_withheld_with_their_figures(world: Session, tmp_path: Path) -> None:
    section = page(world, tmp_path, threshold=10, base=5)
    for table in section.tables:
        assert "Too few published figures to estimate a gap" in table.summary
        assert "percentage points" not in table.summary


def _marked(s: Session) -> set[int]:
    return set(s.scalars(select(DirtyReport.report_id)))


def test_the_rollups_follow_new_requests_shares_and_status_changes(
    world: Session, tmp_path: Path
) -> None:
    """Once counted, the page's rollups move with what changes after: a new request from
    Immigration Enforcement, a disclosure's event and a report's status change."""
    s = world
    assert grid(page(s, tmp_path).table("case_by_group"))["No request"][5] == "3"
    quiet = s.scalars(
        select(Report)
        .where(Report.reported_at == at(2024, 2, 2), Report.crime_type == "domestic_abuse")
        .limit(1)
    ).one()
    rows.decision(s, requested_at=at(2024, 3, 5), outcome="deny", report_ref=quiet.reference)
    cases = grid(page(s, tmp_path).table("case_by_group"))
    assert cases["No request"] == ["0", "0", "1", "0", "1", "2", "50%"]
    assert cases["Asked for, not sent"] == ["0", "1", "1", "0", "0", "2", "50%"]

    quiet.status = "no_further_action"
    service.record_event(
        s, DomainEvent(EventKind.REPORT_UPDATE_ADDED, "officer", {"report_id": quiet.id})
    )
    assert grid(page(s, tmp_path).table("case_by_group"))["Asked for, not sent"][:4] == [
        "0",
        "1",
        "0",
        "1",
    ]

    event = DomainEvent(
        EventKind.POLICY_DISCLOSURE,
        "disclosure-officer",
        {"report_ref": quiet.reference, "agency": "police"},
    )
    service.record_event(s, event)
    assert quiet.id not in _marked(s)  # another agency's disclosure moves no share group
    event.data["agency"] = "immigration_enforcement"
    service.record_event(s, event)
    assert quiet.id in _marked(s)
