"""Every statistic's SQL, on a small dataset whose figures are worked out by hand in comments.

These are the raw counts before disclosure control (service tests cover what is shown).
Runs on SQLite and, when available, PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from safeshare.events import DomainEvent
from safeshare.oversight import statistics as stats
from safeshare.oversight.models import ShareOutcome
from safeshare.oversight.statistics import Dimension, Measure, Period
from tests.factories import oversight as rows
from tests.factories.oversight import at

Q1 = Period(date(2024, 1, 1), date(2024, 3, 31), force="Force A")


def outcome(session: Session, disclosure_id: int, track: str, value: str, on: date) -> None:
    session.add(
        ShareOutcome(
            disclosure_id=disclosure_id,
            track=track,
            outcome=value,
            occurred_on=on,
            recorded_by="disclosure-officer",
        )
    )
    session.flush()


@pytest.fixture
def decisions(db_session: Session) -> Session:
    s = db_session
    rows.decision(s, requested_at=at(2024, 1, 10), outcome="permit")
    rows.decision(s, requested_at=at(2024, 1, 20), outcome="deny")
    rows.decision(
        s,
        requested_at=at(2024, 2, 5),
        outcome="review",
        review="pending",
        agency="police",
        purpose="criminal_investigation",
    )
    rows.decision(  # decided two hours later
        s,
        requested_at=at(2024, 2, 6),
        outcome="review",
        review="released",
        decided_at=at(2024, 2, 6, 14),
        purpose="safeguarding",
    )
    rows.decision(  # decided four days later
        s,
        requested_at=at(2024, 3, 1),
        outcome="review",
        review="withheld",
        decided_at=at(2024, 3, 5),
        agency="health",
        purpose="safeguarding",
    )
    rows.decision(s, requested_at=at(2024, 3, 2), force="Force B", regime="firewall")
    rows.decision(s, requested_at=at(2024, 4, 1))  # after the period
    # 00:30 on 1 April in London (BST): after the period although still 31 March in UTC.
    rows.decision(s, requested_at=at(2024, 3, 31, 23) + timedelta(minutes=30))
    assert stats.sync_share_facts(s) == 8
    return s


def test_share_requests_by_result_regime_agency_purpose_and_month(decisions: Session) -> None:
    found = stats.share_requests(decisions, Q1)
    assert found["result"] == {
        ("permitted",): 1,
        ("refused",): 1,
        ("awaiting_review",): 1,
        ("released_after_review",): 1,
        ("withheld_after_review",): 1,
    }
    assert found["regime_outcome"] == {
        ("npcc-2020", "permit"): 1,
        ("npcc-2020", "deny"): 1,
        ("npcc-2020", "review"): 3,
    }
    assert found["agency_outcome"] == {
        ("immigration_enforcement", "permit"): 1,
        ("immigration_enforcement", "deny"): 1,
        ("immigration_enforcement", "review"): 1,
        ("police", "review"): 1,
        ("health", "review"): 1,
    }
    assert found["purpose_outcome"] == {
        ("immigration_enforcement", "permit"): 1,
        ("immigration_enforcement", "deny"): 1,
        ("criminal_investigation", "review"): 1,
        ("safeguarding", "review"): 2,
    }
    assert found["month_outcome"] == {
        ("2024-01", "permit"): 1,
        ("2024-01", "deny"): 1,
        ("2024-02", "review"): 2,
        ("2024-03", "review"): 1,
    }


def test_every_force_when_none_is_chosen(decisions: Session) -> None:
    found = stats.share_requests(decisions, Period(Q1.start, Q1.end))
    assert found["result"][("permitted",)] == 2
    assert found["regime_outcome"][("firewall", "permit")] == 1


def test_time_to_decision_for_reviewed_requests(decisions: Session) -> None:
    times = stats.decision_times(decisions, Q1)
    # 2 hours and 4 days: the median is their mean, 2 days and 1 hour.
    assert times.count == 2
    assert times.bands == {"1_to_24_hours": 1, "3_to_7_days": 1}
    assert times.median_seconds == (2 * 3600 + 4 * 86400) / 2


def test_review_queue_age(decisions: Session) -> None:
    # The one pending request was made on 5 February: 15 days old on the 20th.
    ages = stats.review_queue_ages(decisions, force="Force A", now=at(2024, 2, 20))
    assert ages == {"8_to_28_days": 1}
    assert stats.review_queue_ages(decisions, force="Force B", now=at(2024, 2, 20)) == {}


def test_a_review_decided_later_is_caught_up(db_session: Session) -> None:
    record = rows.decision(
        db_session, requested_at=at(2024, 1, 2), outcome="review", review="pending"
    )
    stats.sync_share_facts(db_session)
    assert stats.share_requests(db_session, Q1)["result"] == {("awaiting_review",): 1}
    assert record.review is not None
    record.review.status = "decided"
    record.review.decided_at = at(2024, 1, 3)
    db_session.flush()
    assert stats.sync_share_facts(db_session) == 0
    assert stats.share_requests(db_session, Q1)["result"] == {("withheld_after_review",): 1}
    times = stats.decision_times(db_session, Q1)
    assert times.median_seconds == 86400


def test_disclosures_and_what_followed(db_session: Session) -> None:
    s = db_session
    d1 = rows.disclosure(s, sent_at=at(2024, 1, 15))
    outcome(s, d1.id, "immigration", "support_contact", date(2024, 1, 20))
    outcome(s, d1.id, "immigration", "enforcement_paused", date(2024, 2, 1))  # the latest
    outcome(s, d1.id, "case", "continued", date(2024, 1, 25))
    d2 = rows.disclosure(s, sent_at=at(2024, 2, 10))
    outcome(s, d2.id, "immigration", "detention", date(2024, 2, 20))
    outcome(s, d2.id, "case", "victim_withdrew", date(2024, 2, 25))
    rows.disclosure(s, sent_at=at(2024, 3, 1), lawful_basis=None)  # nothing recorded
    rows.disclosure(
        s, sent_at=at(2024, 3, 2), agency="police", lawful_basis="gdpr_art6_1_e_public_task"
    )
    rows.disclosure(s, sent_at=at(2024, 3, 3), force="Force B")

    assert stats.disclosures_by_agency(s, Q1) == {"immigration_enforcement": 3, "police": 1}
    assert stats.disclosures_by_basis(s, Q1) == {
        "dpa_s35_2_b_task": 2,
        "gdpr_art6_1_e_public_task": 1,
        "not_recorded": 1,
    }
    assert stats.immigration_disclosure_outcomes(s, Q1) == {
        ("enforcement_paused", "continued"): 1,
        ("detention", "victim_withdrew"): 1,
        ("none_recorded", "none_recorded"): 1,
    }
    # On 20 March the third is 19 days old: not yet due; by 10 April it is overdue.
    assert stats.follow_up_status(s, Q1, now=at(2024, 3, 20), follow_up_days=28) == {
        "recorded": 2,
        "not_yet_due": 1,
    }
    assert stats.follow_up_status(s, Q1, now=at(2024, 4, 10), follow_up_days=28) == {
        "recorded": 2,
        "overdue": 1,
    }
    assert stats.enforcement_after_disclosure_by_force(s, Q1) == {
        ("Force A", "enforcement"): 1,
        ("Force A", "no_enforcement"): 1,
        ("Force A", "none_recorded"): 1,
        ("Force B", "none_recorded"): 1,
    }


@pytest.fixture
def reports(db_session: Session) -> dict[str, int]:
    s = db_session
    r1 = rows.report(s, reported_at=at(2024, 1, 5), status="charged")
    r2 = rows.report(s, reported_at=at(2024, 1, 6), pathway="public_online", nationality_group=None)
    r3 = rows.report(
        s,
        reported_at=at(2024, 2, 7),
        pathway="third_party",
        crime_type="sexual_offence",
        status="no_further_action",
        sex="male",
        age_band="35_44",
        ethnicity_group="black",
        nationality_group="eu_eea_swiss",
    )
    r4 = rows.report(s, reported_at=at(2024, 4, 2))
    rows.right(s, r1, number=4, status="met", due_on=date(2024, 1, 9), met_at=at(2024, 1, 8))
    rows.right(s, r1, number=6, status="met", due_on=date(2024, 1, 10), met_at=at(2024, 1, 12))
    rows.right(s, r1, number=1, status="met", met_at=at(2024, 1, 5))  # no deadline: on time
    rows.right(s, r1, number=3)  # pending with no deadline: open, not judged
    rows.right(s, r1, number=5, status="not_applicable")
    rows.right(s, r2, number=4, due_on=date(2024, 1, 8))  # overdue by 1 March
    rows.right(s, r2, number=6, due_on=date(2024, 3, 10))  # not yet due on 1 March
    rows.right(s, r3, number=4, status="met", due_on=date(2024, 2, 9), met_at=at(2024, 2, 9))
    rows.right(s, r4, number=4, due_on=date(2024, 4, 4))  # report outside the period
    return {"r1": r1.id, "r3": r3.id}


def test_reports_by_pathway_crime_type_and_month(
    db_session: Session, reports: dict[str, int]
) -> None:
    found = stats.reports(db_session, Q1)
    assert found["pathway"] == {("officer",): 1, ("public_online",): 1, ("third_party",): 1}
    assert found["pathway_crime_type"] == {
        ("officer", "domestic_abuse"): 1,
        ("public_online", "domestic_abuse"): 1,
        ("third_party", "sexual_offence"): 1,
    }
    assert found["month_pathway"] == {
        ("2024-01", "officer"): 1,
        ("2024-01", "public_online"): 1,
        ("2024-02", "third_party"): 1,
    }


def test_victims_code_compliance_per_right(db_session: Session, reports: dict[str, int]) -> None:
    stats.sync_rights(db_session)
    found = stats.compliance_by_right(db_session, Q1, today=date(2024, 3, 1))
    assert found == {
        ("1", "on_time"): 1,
        ("3", "open"): 1,
        ("4", "on_time"): 2,
        ("4", "overdue"): 1,
        ("5", "not_applicable"): 1,
        ("6", "late"): 1,
        ("6", "open"): 1,
    }


def test_intersectional_case_status_and_compliance(
    db_session: Session, reports: dict[str, int]
) -> None:
    s = db_session
    stats.sync_rights(s)
    found = stats.intersectional(
        s,
        Q1,
        dimensions=[Dimension.sex, Dimension.age_band],
        measure=Measure.case_status,
        today=date(2024, 3, 1),
    )
    assert found == {
        ("female", "25_34", "charged"): 1,
        ("female", "25_34", "new"): 1,
        ("male", "35_44", "no_further_action"): 1,
    }
    found = stats.intersectional(
        s,
        Q1,
        dimensions=[Dimension.sex, Dimension.nationality_group],
        measure=Measure.compliance,
        today=date(2024, 3, 1),
    )
    assert found == {
        ("female", "rest_of_world", "on_time"): 2,
        ("female", "rest_of_world", "late"): 1,
        ("female", "not_asked", "overdue"): 1,
        ("male", "eu_eea_swiss", "on_time"): 1,
    }
    three = stats.intersectional(
        s,
        Q1,
        dimensions=[Dimension.sex, Dimension.ethnicity_group, Dimension.pathway],
        measure=Measure.case_status,
        today=date(2024, 3, 1),
    )
    assert three[("male", "black", "third_party", "no_further_action")] == 1
    assert sum(three.values()) == 3


def test_the_rollups_follow_changes(db_session: Session, reports: dict[str, int]) -> None:
    """New reports are found by id; a changed item's report is marked by its event."""
    from safeshare.oversight import service
    from safeshare.reporting.models import RightItem

    s = db_session
    today = date(2024, 3, 1)
    stats.sync_rights(s)
    assert stats.compliance_by_right(s, Q1, today=today)[("4", "overdue")] == 1
    late = rows.report(s, reported_at=at(2024, 2, 20))
    rows.right(s, late, number=4, due_on=date(2024, 2, 22))
    stats.sync_rights(s)
    assert stats.compliance_by_right(s, Q1, today=today)[("4", "overdue")] == 2
    item = s.query(RightItem).filter_by(report_id=late.id).one()
    item.status, item.met_at = "met", at(2024, 2, 21)
    service.record_event(s, DomainEvent("report.right_met", "officer", {"report_id": late.id}))
    s.flush()
    stats.sync_rights(s)
    found = stats.compliance_by_right(s, Q1, today=today)
    assert found[("4", "overdue")] == 1 and found[("4", "on_time")] == 3


def test_intersectional_share_and_immigration_outcomes(
    db_session: Session, reports: dict[str, int]
) -> None:
    from safeshare.reporting.models import Report

    s = db_session
    r1 = s.get(Report, reports["r1"])
    r3 = s.get(Report, reports["r3"])
    assert r1 is not None and r3 is not None
    rows.decision(s, requested_at=at(2024, 1, 7), report_ref=r1.reference)
    sent = rows.disclosure(s, sent_at=at(2024, 2, 8), report_ref=r3.reference)
    outcome(s, sent.id, "immigration", "removal", date(2024, 3, 1))
    stats.sync_share_facts(s)
    pair = [Dimension.sex, Dimension.age_band]
    # The disclosure's own decision is linked to r3 too: one permit each.
    assert stats.intersectional(
        s, Q1, dimensions=pair, measure=Measure.share_outcome, today=date(2024, 3, 1)
    ) == {("female", "25_34", "permit"): 1, ("male", "35_44", "permit"): 1}
    assert stats.intersectional(
        s, Q1, dimensions=pair, measure=Measure.immigration_outcome, today=date(2024, 3, 1)
    ) == {("male", "35_44", "removal"): 1}


def test_intersectional_needs_two_or_three_different_dimensions(db_session: Session) -> None:
    for dims in ([Dimension.sex], [Dimension.sex, Dimension.sex], list(Dimension)[:4]):
        with pytest.raises(ValueError):
            stats.intersectional(
                db_session, Q1, dimensions=dims, measure=Measure.case_status, today=Q1.end
            )


def test_referrals_and_their_outcomes(db_session: Session) -> None:
    s = db_session
    service = rows.support_service(s)
    rows.referral(s, service, created_at=at(2024, 1, 3))
    rows.referral(s, service, created_at=at(2024, 2, 3), status="accepted")
    rows.referral(s, service, created_at=at(2024, 2, 4), status="closed", outcome="engaged")
    rows.referral(
        s, service, created_at=at(2024, 3, 3), status="declined", decline_reason="no_capacity"
    )
    rows.referral(s, service, created_at=at(2024, 3, 4), status="withdrawn")
    rows.referral(s, service, created_at=at(2024, 4, 4))
    found = stats.referrals(s, Q1)
    assert found["response"] == {
        ("awaiting",): 1,
        ("accepted",): 2,
        ("declined",): 1,
        ("withdrawn",): 1,
    }
    assert found["outcome"] == {("none",): 4, ("engaged",): 1}
    assert found["decline_reason"] == {("none",): 4, ("no_capacity",): 1}


def test_forces_compared(decisions: Session) -> None:
    found = stats.forces(decisions, Q1)
    assert found["force_outcome"] == {
        ("Force A", "permit"): 1,
        ("Force A", "deny"): 1,
        ("Force A", "review"): 3,
        ("Force B", "permit"): 1,
    }
    assert found["force_regime"] == {("Force A", "npcc-2020"): 5, ("Force B", "firewall"): 1}
    assert found["force_immigration_outcome"] == {
        ("Force A", "permit"): 1,
        ("Force A", "deny"): 1,
        ("Force A", "review"): 1,
        ("Force B", "permit"): 1,
    }
    assert stats.known_forces(decisions) == ["Force A", "Force B"]


def test_known_forces_finds_every_name_by_skipping_through_the_index(
    db_session: Session,
) -> None:
    """The facts' forces come from a skip scan (next name up, one probe each), so names that
    sort next to each other (case, a trailing space, a prefix) must each be found once, an
    empty read model must give none, and a disclosure's force counts before its decision's
    fact is caught up."""
    assert stats.known_forces(db_session) == []
    names = ["Force A", "force a", "Force A ", "Force", "Force B", "Ærø Police"]
    for day, name in enumerate(names * 2, start=1):
        rows.decision(db_session, requested_at=at(2024, 1, day), force=name)
    stats.sync_share_facts(db_session)
    assert stats.known_forces(db_session) == sorted(names)
    rows.disclosure(db_session, sent_at=at(2024, 2, 1), force="Only Disclosed Police")
    assert stats.known_forces(db_session) == sorted([*names, "Only Disclosed Police"])


def test_period_bounds_follow_the_london_calendar() -> None:
    start, end = Period(date(2024, 7, 1), date(2024, 7, 31)).bounds()
    assert start == datetime.fromisoformat("2024-06-30T23:00:00+00:00")
    assert end == datetime.fromisoformat("2024-07-31T23:00:00+00:00")


def test_police_initiated_status_checks_are_counted_apart(db_session: Session) -> None:
    """Issue 13: a check police start with immigration enforcement is a share request of its
    own kind; statistics count it separately from requests made to the force."""
    from safeshare.oversight.vocabulary import label

    rows.decision(db_session, requested_at=at(2024, 1, 10), outcome="deny", purpose="status_check")
    rows.decision(
        db_session, requested_at=at(2024, 1, 11), outcome="review", purpose="status_check"
    )
    rows.decision(db_session, requested_at=at(2024, 1, 12), outcome="deny")
    stats.sync_share_facts(db_session)
    found = stats.share_requests(db_session, Q1)["purpose_outcome"]
    assert found[("status_check", "deny")] == 1
    assert found[("status_check", "review")] == 1
    assert found[("immigration_enforcement", "deny")] == 1
    assert label("purpose", "status_check") == "Police-initiated status check"
