"""The staff-form monitoring answers (disability, religion, sexual orientation, preferred
language, immigration status category) in intersectional breakdowns, and the gaps between
combinations with 95% intervals: hand-checked on both back ends."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from safeshare.oversight import statistics as stats
from safeshare.oversight.statistics import Dimension, Measure, Period
from tests.factories import oversight as rows
from tests.factories.oversight import at

Q1 = Period(date(2024, 1, 1), date(2024, 3, 31), force="Force A")
TODAY = date(2024, 3, 1)
ARABIC_ASYLUM = {
    "preferred_language": "arabic",
    "immigration_status_category": "asylum_seeker_or_refugee",
}


@pytest.fixture
def world(db_session: Session) -> Session:
    s = db_session
    a1 = rows.report(
        s,
        reported_at=at(2024, 1, 5),
        status="charged",
        disability="yes",
        religion="muslim",
        **ARABIC_ASYLUM,
    )
    a2 = rows.report(
        s,
        reported_at=at(2024, 1, 6),
        status="new",
        disability="yes",
        religion="muslim",
        **ARABIC_ASYLUM,
    )
    a3 = rows.report(
        s,
        reported_at=at(2024, 1, 7),
        status="charged",
        disability="no",
        religion="muslim",
        preferred_language="english",
        immigration_status_category="british_or_settled",
    )
    for day, status in ((8, "charged"), (9, "charged"), (10, "new")):
        rows.report(
            s,
            reported_at=at(2024, 2, day),
            status=status,
            disability="no",
            religion="none",
            sexual_orientation="bisexual" if day == 8 else None,
        )
    rows.report(s, reported_at=at(2024, 3, 1), status="no_further_action")  # never asked
    rows.report(s, reported_at=at(2024, 4, 2), status="charged", disability="yes")  # after Q1
    rows.right(s, a1, number=4, status="met", due_on=date(2024, 1, 9), met_at=at(2024, 1, 8))
    rows.right(s, a2, number=4, due_on=date(2024, 1, 10))  # overdue by 1 March
    rows.right(s, a3, number=4, status="met", due_on=date(2024, 1, 11), met_at=at(2024, 1, 15))
    s.flush()
    return s


def test_case_status_by_disability_and_religion(world: Session) -> None:
    found = stats.intersectional(
        world,
        Q1,
        dimensions=[Dimension.disability, Dimension.religion],
        measure=Measure.case_status,
        today=TODAY,
    )
    assert found == {
        ("yes", "muslim", "charged"): 1,
        ("yes", "muslim", "new"): 1,
        ("no", "muslim", "charged"): 1,
        ("no", "none", "charged"): 2,
        ("no", "none", "new"): 1,
        ("not_asked", "not_asked", "no_further_action"): 1,
    }


def test_sexual_orientation_not_asked_is_counted_apart(world: Session) -> None:
    found = stats.intersectional(
        world,
        Q1,
        dimensions=[Dimension.sexual_orientation, Dimension.sex],
        measure=Measure.case_status,
        today=TODAY,
    )
    assert found[("bisexual", "female", "charged")] == 1
    assert found[("not_asked", "female", "charged")] == 3  # a1, a3 and the 9 February report
    assert sum(found.values()) == 7


def test_compliance_by_language_and_status_category(world: Session) -> None:
    stats.sync_rights(world)
    found = stats.intersectional(
        world,
        Q1,
        dimensions=[Dimension.preferred_language, Dimension.immigration_status_category],
        measure=Measure.compliance,
        today=TODAY,
    )
    assert found == {
        ("arabic", "asylum_seeker_or_refugee", "on_time"): 1,
        ("arabic", "asylum_seeker_or_refugee", "overdue"): 1,
        ("english", "british_or_settled", "late"): 1,
    }


def section(s: Session, tmp_path: Path, *, threshold: int = 1, base: int = 1) -> str:
    page = rows.statistics_page(
        s,
        tmp_path,
        "intersectional",
        start=date(2024, 1, 1),
        end=date(2024, 3, 31),
        force="Force A",
        threshold=threshold,
        base=base,
        now=at(2024, 3, 1, 12),
        dimensions=(Dimension.disability, Dimension.religion),
        measure=Measure.case_status,
    )
    (table,) = page.tables
    return table.summary


def test_gaps_against_the_largest_combination(world: Session, tmp_path: Path) -> None:
    summary = section(world, tmp_path)
    # Largest combination: no disability, no religion, 2 charged of 3. Yes/Muslim: 1 of 2.
    # Wilson 1/2 = [0.0945, 0.9055], 2/3 = [0.2077, 0.9385]; Newcombe: -0.167 - sqrt(0.4055^2
    # + 0.2718^2) = -0.655, -0.167 + sqrt(0.4055^2 + 0.4590^2) = +0.446.
    assert (
        "Yes, Muslim against No, No religion: -17 percentage points "
        "(95% confidence interval -65 to +45); the interval includes no difference."
    ) in summary
    assert "No, Muslim against No, No religion: +33 percentage points" in summary
    assert "Not asked, Not asked against No, No religion: -67 percentage points" in summary


def test_gaps_are_withheld_with_their_figures(world: Session, tmp_path: Path) -> None:
    summary = section(world, tmp_path, threshold=10, base=5)
    assert "Too few published figures to estimate a gap" in summary
    assert "percentage points" not in summary
