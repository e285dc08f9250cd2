"""Read models kept for speed: narrow facts and daily counts of sharing decisions, and daily
counts of Victims' Code items and of reports by share group, so a year of statistics sums
thousands of rows rather than scanning a million decisions or two million items.

Each is caught up before statistics are read (and may be rebuilt from scratch): decisions by
id, with a window for ones committed out of order; reviews when decided; Victims' Code items
by id for new ones and, for changed ones, by reports marked changed: by reporting's events
(items, status), by the Firewall's disclosure events and by the decisions' catch-up (a request
or share from Immigration Enforcement moves a report's share group). Catch-ups take turns (an
advisory lock on PostgreSQL), so nothing is counted twice.

Like `statistics`, this reads other features' tables; it writes only oversight's own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from safeshare.db.base import utcnow
from safeshare.oversight.dialect import (
    TIMEZONE,
    AnySelect,
    dialect_name,
    insert_for,
    local_date,
    seconds_between,
)
from safeshare.oversight.models import (
    CasesDaily,
    DirtyReport,
    RightsDaily,
    RightsPeople,
    ShareDaily,
    ShareFact,
    SyncState,
)
from safeshare.oversight.vocabulary import NOT_ASKED, ShareGroup, ShareResult
from safeshare.policy.models import (
    PolicyDecision,
    PolicyDisclosure,
    PolicyReview,
    PolicyReviewRuling,
    ReviewStatus,
)
from safeshare.reporting.models import Report, RightItem

IMMIGRATION_ENFORCEMENT = "immigration_enforcement"
# Decisions committed out of id order (concurrent requests) are caught by re-checking this
# many ids below the newest fact on every catch-up.
CATCH_UP_WINDOW = 1000

_FACT_COLUMNS = (
    "decision_id",
    "force",
    "regime",
    "outcome",
    "result",
    "agency",
    "purpose",
    "report_ref",
    "requested_at",
    "decided_at",
    "decision_seconds",
)
# What each kind of daily row keeps as (key1, key2, key3); "" where a kind has fewer keys.
DAILY_KEYS: dict[str, tuple[str, str, str]] = {
    "result": ("regime", "outcome", "result"),
    "agency": ("agency", "outcome", ""),
    "purpose": ("purpose", "outcome", ""),
}
_SYNC_LOCK = 0x5AFE5_0008  # PostgreSQL advisory lock: one catch-up at a time


def _add_daily(session: Session, rows: AnySelect | list[dict[str, Any]]) -> None:
    """Add counts to the daily table: each row's `n` to the row with the same keys."""
    table = ShareDaily.__table__
    statement = insert_for(session)(table)
    if isinstance(rows, list):
        if not rows:
            return
        statement = statement.values(rows)
    else:
        statement = statement.from_select(
            ["kind", "day", "force", "key1", "key2", "key3", "n"], rows
        )
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "day", "force", "key1", "key2", "key3"],
        set_={"n": table.c.n + statement.excluded.n},
    )
    session.execute(statement)


def sync_share_facts(session: Session) -> int:
    """Catch the read model up with the Firewall: add new decisions (facts and their daily
    counts), settle reviews decided since. Returns facts added.

    Cheap when nothing changed (an index probe per recent id). Catch-ups take turns (an
    advisory lock on PostgreSQL), so each new decision is counted once.
    """
    if dialect_name(session) == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_SYNC_LOCK)))
    decision, review = PolicyDecision, PolicyReview
    released = exists().where(
        PolicyReviewRuling.review_id == review.id, PolicyReviewRuling.is_disclosed.is_(True)
    )
    is_decided = review.status == ReviewStatus.decided.value
    result = case(
        (decision.outcome == "permit", ShareResult.permitted.value),
        (decision.outcome == "deny", ShareResult.refused.value),
        (and_(is_decided, released), ShareResult.released_after_review.value),
        (is_decided, ShareResult.withheld_after_review.value),
        else_=ShareResult.awaiting_review.value,
    )
    decided_at = case(
        (decision.outcome != "review", decision.requested_at), else_=review.decided_at
    )
    newest = session.scalar(select(func.max(ShareFact.decision_id))) or 0
    source = (
        select(
            decision.id.label("decision_id"),
            decision.force.label("force"),
            decision.regime.label("regime"),
            decision.outcome.label("outcome"),
            result.label("result"),
            decision.request[("requester", "agency")].as_string().label("agency"),
            decision.request[("requester", "purpose")].as_string().label("purpose"),
            decision.report_ref.label("report_ref"),
            decision.requested_at.label("requested_at"),
            decided_at.label("decided_at"),
            seconds_between(session, decision.requested_at, decided_at).label("decision_seconds"),
        )
        .select_from(decision)
        .outerjoin(review, review.decision_id == decision.id)
        .where(decision.id > newest - CATCH_UP_WINDOW)
    )
    if newest:  # an empty read model (the first backfill) has nothing to skip
        source = source.where(~exists().where(ShareFact.decision_id == decision.id))
    # Daily counts first, from exactly the decisions about to become facts (same snapshot,
    # under the lock); then the facts themselves.
    new = source.subquery("new")
    day = local_date(session, new.c.requested_at)
    for kind, keys in DAILY_KEYS.items():
        columns = [new.c[k] if k else literal_column("''") for k in keys]
        _add_daily(
            session,
            select(literal_column(f"'{kind}'"), day, new.c.force, *columns, func.count())
            .where(true())  # SQLite's upsert needs a WHERE to parse INSERT ... SELECT
            .group_by(day, new.c.force, *[new.c[k] for k in keys if k]),
        )
    # A request from Immigration Enforcement can move its report's share group.
    _mark_reports(
        session,
        Report.reference.in_(
            select(new.c.report_ref).where(new.c.agency == IMMIGRATION_ENFORCEMENT)
        ),
    )
    recent = select(func.count()).where(ShareFact.decision_id > newest - CATCH_UP_WINDOW)
    before = session.scalar(recent) or 0
    session.execute(insert(ShareFact).from_select(list(_FACT_COLUMNS), source))
    added = (session.scalar(recent) or 0) - before
    _settle_reviews(session, released, is_decided)
    session.flush()
    return added


def _settle_reviews(session: Session, released: Any, is_decided: Any) -> None:
    """Reviews decided since the last catch-up: move their facts and daily counts from
    awaiting review to released or withheld."""
    review = PolicyReview
    settled = session.execute(
        select(review.decision_id, review.decided_at, released)
        .join(ShareFact, ShareFact.decision_id == review.decision_id)
        .where(ShareFact.result == ShareResult.awaiting_review.value, is_decided)
    ).all()
    moves: dict[tuple[str, date, str, str, str, str], int] = {}
    for decision_id, at, is_released in settled:
        fact = session.get(ShareFact, decision_id)
        assert fact is not None  # joined above
        new_result = (
            ShareResult.released_after_review if is_released else ShareResult.withheld_after_review
        ).value
        day = fact.requested_at.astimezone(TIMEZONE).date()
        for result, step in ((fact.result, -1), (new_result, 1)):
            key = ("result", day, fact.force, fact.regime, fact.outcome, result)
            moves[key] = moves.get(key, 0) + step
        fact.result = new_result
        fact.decided_at = at
        fact.decision_seconds = int((at - fact.requested_at).total_seconds()) if at else None
    _add_daily(
        session,
        [
            dict(zip(("kind", "day", "force", "key1", "key2", "key3"), key, strict=True), n=n)
            for key, n in moves.items()
        ],
    )


# --- Victims' Code items -------------------------------------------------------------------


def standing_of(session: Session) -> ColumnElement[str]:
    """How a Victims' Code item stands, fixed once it is met or does not apply.

    Met with no due date counts as on time (the Code sets no deadline for that right).
    """
    met_on = local_date(session, RightItem.met_at)
    return case(
        (RightItem.status == "not_applicable", "not_applicable"),
        (
            and_(
                RightItem.status == "met",
                or_(RightItem.due_on.is_(None), met_on <= RightItem.due_on),
            ),
            "on_time",
        ),
        (RightItem.status == "met", "late"),
        else_="pending",
    )


RIGHTS_STATE = "victims_code_rights"
_RIGHTS_LOCK = 0x5AFE5_0009
PEOPLE_COLUMNS = (
    "sex",
    "age_band",
    "ethnicity_group",
    "nationality_group",
    "disability",
    "religion",
    "sexual_orientation",
    "preferred_language",
    "immigration_status_category",
    "crime_type",
    "pathway",
)


def mark_report_changed(session: Session, *, report_id: int) -> None:
    """Note that a report's Victims' Code items, case or share group may have changed
    (idempotent)."""
    session.execute(
        insert_for(session)(DirtyReport.__table__)
        .values(report_id=report_id)
        .on_conflict_do_nothing(index_elements=["report_id"])
    )


def _mark_reports(session: Session, which: ColumnElement[bool]) -> None:
    """Mark the reports `which` picks out (idempotent)."""
    session.execute(
        insert_for(session)(DirtyReport.__table__)
        .from_select(["report_id"], select(Report.id).where(which))
        .on_conflict_do_nothing(index_elements=["report_id"])
    )


def mark_reference_shared(session: Session, *, report_ref: str, agency: str) -> None:
    """A disclosure naming a report: if it went to Immigration Enforcement, the report's
    share group may have moved (idempotent)."""
    if agency == IMMIGRATION_ENFORCEMENT:
        _mark_reports(session, Report.reference == report_ref)


def share_group() -> ColumnElement[str]:
    """A report's share group: data sent to Immigration Enforcement, asked for and not sent,
    or never asked for. Two index probes per report, so worked out once per report."""
    shared = exists().where(
        PolicyDisclosure.report_ref == Report.reference,
        PolicyDisclosure.agency == IMMIGRATION_ENFORCEMENT,
    )
    requested = exists().where(
        ShareFact.report_ref == Report.reference, ShareFact.agency == IMMIGRATION_ENFORCEMENT
    )
    return case(
        (shared, ShareGroup.shared.value),
        (requested, ShareGroup.requested.value),
        else_=ShareGroup.no_request.value,
    )


def _rebuild_days(session: Session, days: AnySelect | None) -> None:
    """Recount the rollups for the days `days` selects (every day when None)."""
    day = local_date(session, Report.reported_at)
    standing = standing_of(session)
    due = case((standing == "pending", RightItem.due_on), else_=null())
    where: list[ColumnElement[bool]] = []
    rollups = (RightsDaily, RightsPeople, CasesDaily)
    if days is not None:
        day_list = [d for (d,) in session.execute(days)]
        if not day_list:
            return
        for rollup in rollups:
            session.execute(delete(rollup).where(rollup.day.in_(day_list)))
        # The reports' index narrows to the span; the day test picks the days within it.
        low = datetime.combine(min(day_list) - timedelta(days=1), time(0), tzinfo=UTC)
        high = datetime.combine(max(day_list) + timedelta(days=2), time(0), tzinfo=UTC)
        where = [Report.reported_at >= low, Report.reported_at < high, day.in_(day_list)]
    else:
        for rollup in rollups:
            session.execute(delete(rollup))
    # Each report's share group, worked out once (materialised), not once per item.
    grouped = (
        select(
            Report.id.label("report_id"),
            day.label("day"),
            Report.crime_type.label("crime_type"),
            Report.status.label("status"),
            share_group().label("share_group"),
        )
        .where(*where)
        .cte("grouped_reports")
        .prefix_with("MATERIALIZED")
    )
    case_keys = [grouped.c[k] for k in ("day", "share_group", "crime_type", "status")]
    session.execute(
        insert(CasesDaily).from_select(
            ["day", "share_group", "crime_type", "status", "n"],
            select(*case_keys, func.count()).group_by(*case_keys),
        )
    )
    by_right = (
        select(grouped.c.day, RightItem.right, grouped.c.share_group, standing, due, func.count())
        .join(grouped, grouped.c.report_id == RightItem.report_id)
        .group_by(grouped.c.day, RightItem.right, grouped.c.share_group, standing, due)
    )
    session.execute(
        insert(RightsDaily).from_select(
            ["day", "right", "share_group", "standing", "due_on", "n"], by_right
        )
    )
    people = [func.coalesce(getattr(Report, c), NOT_ASKED) for c in PEOPLE_COLUMNS]
    # Only items that are or can become judged (on time, late, overdue) count here.
    judgeable = or_(
        RightItem.status == "met",
        and_(RightItem.status == "pending", RightItem.due_on.is_not(None)),
    )
    by_people = (
        select(day, *people, standing, due, func.count())
        .join(Report, Report.id == RightItem.report_id)
        .where(*where, judgeable)
        .group_by(day, *people, standing, due)
    )
    session.execute(
        insert(RightsPeople).from_select(
            ["day", *PEOPLE_COLUMNS, "standing", "due_on", "n"], by_people
        )
    )


def sync_rights(session: Session) -> None:
    """Bring the Victims' Code rollups up to date: the first time, count everything; after
    that, recount the days of reports marked changed or with items added since."""
    if dialect_name(session) == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_RIGHTS_LOCK)))
    state = session.get(SyncState, RIGHTS_STATE)
    high = session.scalar(select(func.max(RightItem.id))) or 0
    if state is None:
        _rebuild_days(session, None)
        session.execute(delete(DirtyReport))
        session.add(SyncState(name=RIGHTS_STATE, high_id=high, built_at=utcnow()))
        session.flush()
        return
    marked = [r for (r,) in session.execute(select(DirtyReport.report_id))]
    added = select(RightItem.report_id).where(RightItem.id > state.high_id)
    changed = select(Report.id).where(or_(Report.id.in_(marked), Report.id.in_(added)))
    if not marked and high <= state.high_id:
        return
    _rebuild_days(
        session,
        select(local_date(session, Report.reported_at)).where(Report.id.in_(changed)).distinct(),
    )
    if marked:
        session.execute(delete(DirtyReport).where(DirtyReport.report_id.in_(marked)))
    state.high_id = high
    state.built_at = utcnow()
    session.flush()
