"""Unmet demand for support, hand-checked on both back ends: referrals turned away or not
placed for lack of capacity by month, community and NRPF, and the wait for first contact."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from safeshare.oversight.presentation import Section, StatTable
from tests.factories import oversight as rows
from tests.factories.oversight import at

NOW = at(2024, 4, 10)


def page(s: Session, tmp_path: Path, *, threshold: int = 1, base: int = 1) -> Section:
    return rows.statistics_page(
        s,
        tmp_path,
        "demand",
        start=date(2024, 1, 1),
        end=date(2024, 2, 29),
        threshold=threshold,
        base=base,
        now=NOW,
    )


def grid(table: StatTable) -> dict[str, list[str]]:
    return {row.heading: [f.label for f in row.figures] for row in table.rows}


def test_unmet_demand_exact(db_session: Session, tmp_path: Path) -> None:
    s = db_session
    refuge = rows.support_service(s)
    black = rows.report(s, reported_at=at(2024, 1, 2), ethnicity_group="black")
    asian = rows.report(s, reported_at=at(2024, 1, 2), ethnicity_group="asian")
    plan = [
        # (report, month, status, outcome, decline reason, NRPF, days to first contact)
        (black, 1, "declined", None, "no_capacity", True, None),
        (black, 1, "closed", "no_capacity", None, True, 3.0),
        (asian, 1, "declined", None, "outside_area", False, None),
        (asian, 2, "closed", "engaged", None, False, 1.0),
        (asian, 2, "accepted", None, None, True, 5.0),
        (None, 2, "pending", None, None, None, None),
        (black, 3, "declined", None, "no_capacity", True, None),  # outside the period
    ]
    for report, month, status, outcome, reason, nrpf, days in plan:
        made = rows.referral(
            s,
            refuge,
            created_at=at(2024, month, 10),
            status=status,
            outcome=outcome,
            decline_reason=reason,
        )
        if report is not None:
            made.report_id = report.id
        made.has_nrpf = nrpf
        if days is not None:
            made.first_contact_at = made.created_at + timedelta(days=days)
    s.flush()
    section = page(s, tmp_path)
    # Columns: declined no capacity, not placed no capacity, declined other, accepted,
    # awaiting, withdrawn, total, percentage unmet.
    months = grid(section.table("by_month"))
    assert months["January 2024"] == ["1", "1", "1", "0", "0", "0", "3", "67%"]
    assert months["February 2024"] == ["0", "0", "0", "2", "1", "0", "3", "0%"]
    assert months["Total"][-2:] == ["6", "33%"]
    communities = grid(section.table("by_community"))
    assert communities["Black"] == ["1", "1", "0", "0", "0", "0", "2", "100%"]
    assert communities["Asian"] == ["0", "0", "1", "2", "0", "0", "3", "0%"]
    assert communities["Not asked"][-2] == "1"
    nrpf = section.table("by_nrpf")
    assert grid(nrpf)["No recourse to public funds"] == ["1", "1", "0", "1", "0", "0", "3", "67%"]
    # NRPF waits 3 and 5 days; others 1 day.
    assert "NRPF referrals 4.0 days; other referrals 1.0 days" in nrpf.summary
    # With the default disclosure control, too few waits to publish a median.
    shown = page(s, tmp_path, threshold=10, base=5).table("by_nrpf")
    assert "NRPF referrals: too few to publish" in shown.summary
    assert "days" not in shown.summary.split("first contact:")[1]
