"""Statistics pages as shown: hand-checked with disclosure control off (threshold 1), and
checked to show no small figure with the configured defaults."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from safeshare.config import Settings
from safeshare.oversight import service
from safeshare.oversight.models import ShareOutcome
from safeshare.oversight.presentation import Section, StatTable
from safeshare.oversight.schemas import StatisticsFilters
from safeshare.oversight.statistics import Dimension, Measure
from safeshare.redaction.tables import WITHHELD
from tests.factories import oversight as rows
from tests.factories.oversight import at

NOW = at(2024, 4, 10)


def settings_for(tmp_path: Path, *, threshold: int, base: int) -> Settings:
    return Settings(
        var_dir=tmp_path,
        force_name="Force A",
        small_count_threshold=threshold,
        statistics_rounding_base=base,
    )


def filters(**changes: object) -> StatisticsFilters:
    values: dict[str, object] = {
        "start": date(2024, 1, 1),
        "end": date(2024, 3, 31),
        "force": "Force A",
    }
    values.update(changes)
    return StatisticsFilters.model_validate(values)


def grid(table: StatTable) -> dict[str, list[str]]:
    return {row.heading: [f.label for f in row.figures] for row in table.rows}


@pytest.fixture
def world(db_session: Session) -> Session:
    s = db_session
    rows.decision(s, requested_at=at(2024, 1, 10))
    rows.decision(s, requested_at=at(2024, 1, 20), outcome="deny")
    rows.decision(s, requested_at=at(2024, 2, 5), outcome="review", review="pending")
    rows.decision(
        s,
        requested_at=at(2024, 2, 6),
        outcome="review",
        review="released",
        decided_at=at(2024, 2, 6, 14),
    )
    rows.decision(
        s,
        requested_at=at(2024, 3, 1),
        outcome="review",
        review="withheld",
        decided_at=at(2024, 3, 5),
    )
    rows.decision(s, requested_at=at(2024, 3, 2), force="Force B", regime="firewall")
    report = rows.report(s, reported_at=at(2024, 1, 5), status="charged")
    rows.right(s, report, number=4, status="met", due_on=date(2024, 1, 9), met_at=at(2024, 1, 8))
    rows.right(s, report, number=6, due_on=date(2024, 1, 10))
    sent = rows.disclosure(s, sent_at=at(2024, 1, 15), report_ref=report.reference)
    s.add(
        ShareOutcome(
            disclosure_id=sent.id,
            track="immigration",
            outcome="detention",
            occurred_on=date(2024, 2, 1),
            recorded_by="x",
        )
    )
    rows.disclosure(s, sent_at=at(2024, 1, 16))  # nothing recorded: overdue by April
    s.flush()
    return s


def section(
    s: Session, tmp_path: Path, key: str, threshold: int = 1, base: int = 1, **f: object
) -> Section:
    return service.statistics_section(
        s,
        section=key,
        filters=filters(**f),
        settings=settings_for(tmp_path, threshold=threshold, base=base),
        now=NOW,
    )


def test_sharing_page_exact(world: Session, tmp_path: Path) -> None:
    page = section(world, tmp_path, "sharing")
    outcomes = grid(page.table("outcomes"))
    # The two disclosures above were made under permitted decisions of their own.
    assert outcomes["Permitted"] == ["3", "0", "0", "0", "3"]
    assert outcomes["Refused"] == ["1", "0", "0", "0", "1"]
    assert outcomes["Sent for review"] == ["0", "1", "1", "1", "3"]
    assert outcomes["Total"] == ["4", "1", "1", "1", "7"]
    regimes = grid(page.table("regimes"))
    assert regimes["NPCC guidance (2020)"] == ["3", "1", "3", "7", "43%"]
    assert regimes["Full firewall"] == ["0", "0", "0", "0", "[x]"]
    months = grid(page.table("months"))
    assert list(months) == ["January 2024", "February 2024", "March 2024", "Total"]
    assert months["February 2024"] == ["0", "0", "2", "2", "0%"]
    times = page.table("decision_time")
    assert grid(times)["1 to 24 hours"][0] == "1"
    assert grid(times)["Still awaiting review"][0] == "1"
    assert "median time to a decision was 2 days 1 hour" in times.summary
    queue = grid(page.table("review_queue"))
    assert queue["Over 28 days"][0] == "1"  # requested on 5 February; now 10 April
    for table in page.tables:
        assert table.note and table.summary


def test_every_force_and_the_cross_force_comparison(world: Session, tmp_path: Path) -> None:
    everyone = section(world, tmp_path, "sharing", force=None)
    assert grid(everyone.table("outcomes"))["Total"][-1] == "8"
    forces = section(world, tmp_path, "forces")
    active = grid(forces.table("active_regimes"))
    assert active["Force A"][0] == "Full firewall"  # never set: the strictest by default
    assert grid(forces.table("outcomes"))["Force B"] == ["1", "0", "0", "1", "100%"]
    assert grid(forces.table("regimes"))["Force B"][:3] == ["1", "0", "0"]
    spread = forces.table("immigration_requests").summary
    assert "differ by up to 57 percentage points" in spread  # 43% against 100%
    enforcement = grid(forces.table("enforcement"))
    assert enforcement["Force A"] == ["1", "0", "1", "2", "50%"]


def test_disclosures_page_exact(world: Session, tmp_path: Path) -> None:
    page = section(world, tmp_path, "disclosures")
    assert grid(page.table("by_agency"))["Home Office Immigration Enforcement"][0] == "2"
    followed = grid(page.table("after_disclosure"))
    # Columns: six immigration outcomes, none recorded, total, percentage with enforcement.
    assert followed["No outcome recorded yet"] == ["0", "0", "0", "0", "1", "0", "1", "2", "50%"]
    follow_up = grid(page.table("follow_up"))
    assert follow_up["Overdue (no outcome after 28 days)"][0] == "1"


def test_victims_code_and_intersectional_exact(world: Session, tmp_path: Path) -> None:
    compliance = grid(section(world, tmp_path, "victims-code").table("compliance"))
    assert compliance["4. Referral to support"] == ["1", "0", "0", "1", "100%"]
    assert compliance["6. Investigation updates"] == ["0", "0", "1", "1", "0%"]
    page = section(
        world,
        tmp_path,
        "intersectional",
        dimensions=[Dimension.sex, Dimension.ethnicity_group],
        measure=Measure.case_status,
    )
    table = page.tables[0]
    assert grid(table)["Female, Asian"][2] == "1"  # charged
    assert table.title == "Where the case stands by sex / ethnic group"


def test_another_forces_reports_are_not_held_here(world: Session, tmp_path: Path) -> None:
    page = section(world, tmp_path, "reports", force="Force B")
    assert not page.tables
    assert "held here for Force A only" in page.notices[0]


@pytest.mark.parametrize("key", list(service.SECTION_TITLES))
def test_no_page_shows_a_small_figure(world: Session, tmp_path: Path, key: str) -> None:
    page = section(world, tmp_path, key, threshold=10, base=5, force=None)
    for table in page.tables:
        assert "1 to 9" in table.note or "nothing here is withheld" in table.note
        for row in table.rows:
            for figure in row.figures:
                if figure.kind == "count":
                    assert figure.label == WITHHELD or int(figure.label) % 5 == 0
                    assert figure.label == WITHHELD or not 0 < int(figure.label) < 10
                if figure.kind == "rate":
                    assert figure.label in (WITHHELD, "[x]")  # every group here is small


def test_tables_export_as_csv(world: Session, tmp_path: Path) -> None:
    page = section(world, tmp_path, "sharing", threshold=10, base=5)
    text = service.table_csv(page.table("regimes"), filters=filters())
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [
        "Regime",
        "Permitted",
        "Refused",
        "Sent for review",
        "Total",
        "Percentage permitted",
    ]
    assert ["Table", "Share requests by regime"] in lines
    assert any(line[:1] == ["Note"] and "withheld" in line[1] for line in lines)
    widths = {len(line) for line in lines[: lines.index([])]}
    assert widths == {6}


def test_csv_cells_cannot_start_a_formula(world: Session, tmp_path: Path) -> None:
    rows.decision(world, requested_at=at(2024, 1, 3), force='=HYPERLINK("x")')
    page = section(world, tmp_path, "forces")
    text = service.table_csv(page.table("outcomes"), filters=filters())
    assert "'=HYPERLINK" in text
    assert "\n=" not in text.replace("\r", "")


def test_unknown_section(db_session: Session, tmp_path: Path) -> None:
    with pytest.raises(service.SectionNotFoundError):
        section(db_session, tmp_path, "nope")


def test_filters_are_checked() -> None:
    with pytest.raises(ValueError, match="end date"):
        filters(end=date(2023, 1, 1))
    with pytest.raises(ValueError, match="10 years"):
        filters(start=date(2000, 1, 1))
    with pytest.raises(ValueError, match="two or three"):
        filters(dimensions=[Dimension.sex])
    assert filters(force="").force is None
    assert filters().query()["from"] == "2024-01-01"
    assert timedelta(days=1)
