"""Statistics as database aggregates: every figure here is a GROUP BY; Python only names groups.

Raw counts never leave oversight: `service` passes them through disclosure control before
anything is shown or exported. Several breakdowns of the same rows come from one statement:
a CTE groups the rows once by every dimension needed, and each breakdown sums that (small)
CTE, so a million decisions are scanned once per page, not once per table.

This is oversight's read-only window on other features' tables (decisions, disclosures,
reports, Victims' Code items, referrals): statistics need joins and aggregates their services
do not offer. Nothing here writes to them. The largest sources are read through `rollups`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.selectable import CTE

from safeshare.oversight.dialect import (
    TIMEZONE,
    AnySelect,
    Counts,
    as_text,
    dialect_name,
    grouped,
    month_of_day,
    sum_groupings,
    utc_month,
)
from safeshare.oversight.models import (
    CasesDaily,
    RightsDaily,
    RightsPeople,
    ShareDaily,
    ShareFact,
    ShareOutcome,
)
from safeshare.oversight.rollups import (
    IMMIGRATION_ENFORCEMENT,
    mark_reference_shared,
    mark_report_changed,
    sync_rights,
    sync_share_facts,
)
from safeshare.oversight.vocabulary import (
    ENFORCEMENT_OUTCOMES,
    NONE_RECORDED,
    NOT_ASKED,
    OutcomeTrack,
    ShareGroup,
    ShareResult,
)
from safeshare.policy.models import (
    PolicyDisclosure,
)
from safeshare.reporting.models import Report
from safeshare.support.models import SupportReferral

__all__ = [
    "IMMIGRATION_ENFORCEMENT",
    "TIMEZONE",
    "AnySelect",
    "Counts",
    "mark_reference_shared",
    "mark_report_changed",
    "sync_rights",
    "sync_share_facts",
]


@dataclass(frozen=True)
class Period:
    """The days a statistic covers (inclusive, force's local calendar) and an optional force."""

    start: date
    end: date
    force: str | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC instants: local midnight to the midnight after `end`."""
        begin = datetime.combine(self.start, time(0), tzinfo=TIMEZONE)
        finish = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=TIMEZONE)
        return begin.astimezone(UTC), finish.astimezone(UTC)


class Dimension(StrEnum):
    """What intersectional breakdowns can cross: the report's monitoring answers and facts."""

    sex = "sex"
    age_band = "age_band"
    ethnicity_group = "ethnicity_group"
    nationality_group = "nationality_group"
    disability = "disability"
    religion = "religion"
    sexual_orientation = "sexual_orientation"
    preferred_language = "preferred_language"
    immigration_status_category = "immigration_status_category"
    crime_type = "crime_type"
    pathway = "pathway"


class Measure(StrEnum):
    """What an intersectional breakdown counts, split by its categories."""

    case_status = "case_status"
    share_outcome = "share_outcome"
    immigration_outcome = "immigration_outcome"
    compliance = "compliance"


def _judged(standing: Any, due_on: Any, today: date) -> ColumnElement[str]:
    """A stored standing as read today: a pending item past its due date is overdue."""
    return case(
        (and_(standing == "pending", due_on.is_not(None), due_on < today), "overdue"),
        (standing == "pending", "open"),
        else_=standing,
    )


def _facts_in(period: Period) -> list[ColumnElement[bool]]:
    start, end = period.bounds()
    where = [ShareFact.requested_at >= start, ShareFact.requested_at < end]
    if period.force is not None:
        where.append(ShareFact.force == period.force)
    return where


def _daily(kind: str, period: Period, *, every_force: bool = False) -> list[ColumnElement[bool]]:
    where = [
        ShareDaily.kind == kind,
        ShareDaily.day >= period.start,
        ShareDaily.day <= period.end,
    ]
    if period.force is not None and not every_force:
        where.append(ShareDaily.force == period.force)
    return where


def _summed(session: Session, parts: dict[str, AnySelect]) -> dict[str, Counts]:
    """Several grouped sums of the daily table in one statement (UNION ALL), by name."""
    width = max(len(p.selected_columns) - 1 for p in parts.values())
    selects: list[AnySelect] = []
    for name, part in parts.items():
        keys = [as_text(c) for c in list(part.selected_columns)[:-1]]
        keys += [cast(null(), String)] * (width - len(keys))
        selects.append(
            part.with_only_columns(
                literal_column(f"'{name}'").label("grouping"),
                *[k.label(f"k{i}") for i, k in enumerate(keys)],
                list(part.selected_columns)[-1].label("n"),
            )
        )
    found: dict[str, Counts] = {name: {} for name in parts}
    for row in session.execute(union_all(*selects)):
        size = len(parts[row[0]].selected_columns) - 1
        value = int(row[-1])
        if value:
            found[row[0]][tuple(str(v) for v in row[1 : 1 + size])] = value
    return found


def _sum_by(kind: str, period: Period, *keys: Any, every_force: bool = False) -> AnySelect:
    return (
        select(*keys, func.sum(ShareDaily.n))
        .where(*_daily(kind, period, every_force=every_force))
        .group_by(*keys)
    )


# --- share requests -------------------------------------------------------------------------


def share_requests(session: Session, period: Period) -> dict[str, Counts]:
    """Share requests in the period by result, and by regime, agency, purpose and month
    against the policy outcome: sums of the daily counts, in one statement (the "result"
    rows are read once, into a CTE by regime, outcome, result and month)."""
    month = month_of_day(session, ShareDaily.day)
    results = (
        select(
            ShareDaily.key1.label("regime"),
            ShareDaily.key2.label("outcome"),
            ShareDaily.key3.label("result"),
            month.label("month"),
            func.sum(ShareDaily.n).label("n"),
        )
        .where(*_daily("result", period))
        .group_by(ShareDaily.key1, ShareDaily.key2, ShareDaily.key3, month)
        .cte("results")
    )

    def from_results(*columns: str) -> AnySelect:
        keys = [results.c[c] for c in columns]
        return select(*keys, func.sum(results.c.n)).group_by(*keys)

    return _summed(
        session,
        {
            "result": from_results("result"),
            "regime_outcome": from_results("regime", "outcome"),
            "agency_outcome": _sum_by("agency", period, ShareDaily.key1, ShareDaily.key2),
            "purpose_outcome": _sum_by("purpose", period, ShareDaily.key1, ShareDaily.key2),
            "month_outcome": from_results("month", "outcome"),
        },
    )


DECISION_TIME_BANDS: tuple[tuple[str, int | None], ...] = (
    ("under_1_hour", 3600),
    ("1_to_24_hours", 86400),
    ("1_to_3_days", 3 * 86400),
    ("3_to_7_days", 7 * 86400),
    ("over_7_days", None),
)


@dataclass(frozen=True)
class DecisionTimes:
    """How long reviewed requests waited for a disclosure officer's decision."""

    bands: dict[str, int]
    count: int
    median_seconds: float | None


def _median(
    session: Session, column: Any, where: Sequence[ColumnElement[bool]], count: int
) -> float | None:
    """The median of `column` over the `count` rows matching `where`: the middle row or two,
    ordered in the database (SQLite has no percentile function)."""
    if count == 0:
        return None
    if dialect_name(session) == "postgresql":
        found = session.scalar(select(func.percentile_cont(0.5).within_group(column)).where(*where))
        return float(found) if found is not None else None
    middle = list(
        session.scalars(
            select(column)
            .where(*where)
            .order_by(column)
            .offset((count - 1) // 2)
            .limit(2 - count % 2)
        )
    )
    return sum(float(v) for v in middle) / len(middle)


def decision_times(session: Session, period: Period) -> DecisionTimes:
    """Requests sent for review in the period and since decided: time to decision in bands,
    and the median (one pass over the index on PostgreSQL)."""
    where = [
        *_facts_in(period),
        ShareFact.outcome == "review",
        ShareFact.decision_seconds.is_not(None),
    ]
    seconds = ShareFact.decision_seconds
    lower: int | None = None
    counters = []
    for name, limit in DECISION_TIME_BANDS:
        test = [seconds >= lower] if lower is not None else []
        if limit is not None:
            test.append(seconds < limit)
        counters.append(func.count().filter(and_(*test)).label(name))
        lower = limit
    columns: list[Any] = list(counters)
    is_postgres = dialect_name(session) == "postgresql"
    if is_postgres:
        columns.append(func.percentile_cont(0.5).within_group(seconds))
    row = session.execute(select(*columns).where(*where)).one()
    bands = {name: int(row[i]) for i, (name, _) in enumerate(DECISION_TIME_BANDS) if row[i]}
    count = sum(bands.values())
    if is_postgres:
        median = float(row[-1]) if row[-1] is not None else None
    else:
        median = _median(session, seconds, where, count)
    return DecisionTimes(bands=bands, count=count, median_seconds=median)


QUEUE_AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("under_1_day", 1),
    ("1_to_2_days", 3),
    ("3_to_7_days", 8),
    ("8_to_28_days", 29),
    ("over_28_days", None),
)


def review_queue_ages(session: Session, *, force: str | None, now: datetime) -> dict[str, int]:
    """Requests awaiting review now, by how long they have waited (days since requested)."""
    requested = ShareFact.requested_at
    band = case(
        *[
            (requested > now - timedelta(days=days), name)
            for name, days in QUEUE_AGE_BANDS
            if days is not None
        ],
        else_=QUEUE_AGE_BANDS[-1][0],
    )
    where = [ShareFact.result == ShareResult.awaiting_review.value]
    if force is not None:
        where.append(ShareFact.force == force)
    counts = grouped(session, select(band, func.count()).where(*where).group_by(band))
    return {k[0]: v for k, v in counts.items()}


# --- disclosures and what followed ----------------------------------------------------------


def latest_outcomes(track: OutcomeTrack) -> CTE:
    """Each disclosure's latest outcome on one track (by date, then by when recorded)."""
    ranked = select(
        ShareOutcome.disclosure_id,
        ShareOutcome.outcome,
        func.row_number()
        .over(
            partition_by=ShareOutcome.disclosure_id,
            order_by=(ShareOutcome.occurred_on.desc(), ShareOutcome.id.desc()),
        )
        .label("rank"),
    ).where(ShareOutcome.track == track.value)
    return ranked.cte(f"latest_{track.value}")


def _disclosures_in(period: Period) -> list[ColumnElement[bool]]:
    start, end = period.bounds()
    where = [PolicyDisclosure.sent_at >= start, PolicyDisclosure.sent_at < end]
    if period.force is not None:
        where.append(PolicyDisclosure.force == period.force)
    return where


def disclosures_by_agency(session: Session, period: Period) -> dict[str, int]:
    """Disclosures actually sent in the period, by receiving agency."""
    counts = grouped(
        session,
        select(PolicyDisclosure.agency, func.count())
        .where(*_disclosures_in(period))
        .group_by(PolicyDisclosure.agency),
    )
    return {k[0]: v for k, v in counts.items()}


NOT_RECORDED = "not_recorded"


def disclosures_by_basis(session: Session, period: Period) -> dict[str, int]:
    """Disclosures actually sent in the period, by the lawful basis recorded with them
    (`not_recorded` for those sent before the basis was required)."""
    basis = func.coalesce(PolicyDisclosure.lawful_basis, NOT_RECORDED)
    counts = grouped(
        session,
        select(basis, func.count()).where(*_disclosures_in(period)).group_by(basis),
    )
    return {k[0]: v for k, v in counts.items()}


def immigration_disclosure_outcomes(session: Session, period: Period) -> Counts:
    """Disclosures to Immigration Enforcement in the period, by (latest immigration outcome,
    latest case outcome); `none_recorded` where nothing is recorded on a track."""
    immigration = latest_outcomes(OutcomeTrack.immigration)
    case_track = latest_outcomes(OutcomeTrack.case)
    imm = func.coalesce(immigration.c.outcome, NONE_RECORDED)
    crim = func.coalesce(case_track.c.outcome, NONE_RECORDED)
    statement = (
        select(imm, crim, func.count())
        .select_from(PolicyDisclosure)
        .outerjoin(
            immigration,
            and_(immigration.c.disclosure_id == PolicyDisclosure.id, immigration.c.rank == 1),
        )
        .outerjoin(
            case_track,
            and_(case_track.c.disclosure_id == PolicyDisclosure.id, case_track.c.rank == 1),
        )
        .where(*_disclosures_in(period), PolicyDisclosure.agency == IMMIGRATION_ENFORCEMENT)
        .group_by(imm, crim)
    )
    return grouped(session, statement)


def immigration_actions_by_source(session: Session, period: Period) -> Counts:
    """Every action Immigration Enforcement took after disclosures sent in the period (not
    only the latest: a disclosure may see an interview, then bail), by (action, source)."""
    statement = (
        select(ShareOutcome.outcome, ShareOutcome.source, func.count())
        .join(PolicyDisclosure, PolicyDisclosure.id == ShareOutcome.disclosure_id)
        .where(
            *_disclosures_in(period),
            PolicyDisclosure.agency == IMMIGRATION_ENFORCEMENT,
            ShareOutcome.track == OutcomeTrack.immigration.value,
        )
        .group_by(ShareOutcome.outcome, ShareOutcome.source)
    )
    return grouped(session, statement)


def follow_up_status(
    session: Session, period: Period, *, now: datetime, follow_up_days: int
) -> dict[str, int]:
    """Disclosures to Immigration Enforcement in the period: outcome recorded, overdue (none
    after `follow_up_days`), or not yet due."""
    recorded = exists().where(ShareOutcome.disclosure_id == PolicyDisclosure.id)
    status = case(
        (recorded, "recorded"),
        (PolicyDisclosure.sent_at < now - timedelta(days=follow_up_days), "overdue"),
        else_="not_yet_due",
    )
    counts = grouped(
        session,
        select(status, func.count())
        .where(*_disclosures_in(period), PolicyDisclosure.agency == IMMIGRATION_ENFORCEMENT)
        .group_by(status),
    )
    return {k[0]: v for k, v in counts.items()}


# --- reports, Victims' Code and referrals ---------------------------------------------------


def _reports_in(period: Period) -> list[ColumnElement[bool]]:
    start, end = period.bounds()
    return [Report.reported_at >= start, Report.reported_at < end]


REPORT_GROUPINGS: dict[str, tuple[str, ...]] = {
    "pathway": ("pathway",),
    "pathway_crime_type": ("pathway", "crime_type"),
    "month_pathway": ("month", "pathway"),
    "crime_type_abuse": ("crime_type", "immigration_abuse"),
    "pathway_abuse": ("pathway", "immigration_abuse"),
}


def reports(session: Session, period: Period) -> dict[str, Counts]:
    """Reports made in the period by pathway, pathway and crime type, and month, and by the
    immigration abuse indicator ("not_asked" where the question was not asked)."""
    month = utc_month(session, Report.reported_at)
    abuse = func.coalesce(Report.immigration_abuse, NOT_ASKED)
    base = (
        select(
            Report.pathway,
            Report.crime_type,
            month.label("month"),
            abuse.label("immigration_abuse"),
            func.count().label("n"),
        )
        .where(*_reports_in(period))
        .group_by(Report.pathway, Report.crime_type, month, abuse)
        .cte("report_base")
    )
    return sum_groupings(session, base, REPORT_GROUPINGS)


def compliance_by_right(session: Session, period: Period, *, today: date) -> Counts:
    """Victims' Code items of reports made in the period, by (right, on_time / late / overdue
    / open / not_applicable), summed from the daily rollup."""
    judged = _judged(RightsDaily.standing, RightsDaily.due_on, today)
    statement = (
        select(RightsDaily.right, judged, func.sum(RightsDaily.n))
        .where(RightsDaily.day >= period.start, RightsDaily.day <= period.end)
        .group_by(RightsDaily.right, judged)
    )
    return grouped(session, statement)


# --- what sharing did: reports with a request or share against those without --------------


def case_status_by_share_group(session: Session, period: Period) -> Counts:
    """Where cases stand by (share group, case status), for reports made in the period in
    crime types where at least one report had a request: like is compared with like. Summed
    from the daily rollup (`CasesDaily`)."""
    in_period = [CasesDaily.day >= period.start, CasesDaily.day <= period.end]
    asked = select(CasesDaily.crime_type).where(
        *in_period, CasesDaily.share_group != ShareGroup.no_request.value
    )
    statement = (
        select(CasesDaily.share_group, CasesDaily.status, func.sum(CasesDaily.n))
        .where(*in_period, CasesDaily.crime_type.in_(asked))
        .group_by(CasesDaily.share_group, CasesDaily.status)
    )
    return grouped(session, statement)


def compliance_by_share_group(session: Session, period: Period, *, today: date) -> Counts:
    """Victims' Code items of reports made in the period by (share group, on_time / late /
    overdue / open / not_applicable), summed from the daily rollup."""
    judged = _judged(RightsDaily.standing, RightsDaily.due_on, today)
    statement = (
        select(RightsDaily.share_group, judged, func.sum(RightsDaily.n))
        .where(RightsDaily.day >= period.start, RightsDaily.day <= period.end)
        .group_by(RightsDaily.share_group, judged)
    )
    return grouped(session, statement)


def _referrals_in(period: Period) -> list[ColumnElement[bool]]:
    start, end = period.bounds()
    return [SupportReferral.created_at >= start, SupportReferral.created_at < end]


REFERRAL_GROUPINGS: dict[str, tuple[str, ...]] = {
    "response": ("response",),
    "outcome": ("outcome",),
    "decline_reason": ("decline_reason",),
}


def referrals(session: Session, period: Period) -> dict[str, Counts]:
    """Referrals to support made in the period: how services responded, outcomes, reasons."""
    response = case(
        (SupportReferral.status == "pending", "awaiting"),
        (SupportReferral.status.in_(("accepted", "closed")), "accepted"),
        else_=SupportReferral.status,
    )
    outcome = func.coalesce(SupportReferral.outcome, "none")
    reason = case(
        (
            SupportReferral.status == "declined",
            func.coalesce(SupportReferral.decline_reason, "not_recorded"),
        ),
        else_="none",
    )
    base = (
        select(
            response.label("response"),
            outcome.label("outcome"),
            reason.label("decline_reason"),
            func.count().label("n"),
        )
        .where(*_referrals_in(period))
        .group_by(response, outcome, reason)
        .cte("referral_base")
    )
    return sum_groupings(session, base, REFERRAL_GROUPINGS)


# --- intersectional breakdowns --------------------------------------------------------------


def _dimension(dimension: Dimension) -> ColumnElement[str]:
    return func.coalesce(getattr(Report, dimension.value), NOT_ASKED)


def intersectional(
    session: Session,
    period: Period,
    *,
    dimensions: Sequence[Dimension],
    measure: Measure,
    today: date,
) -> Counts:
    """Counts by every combination of `dimensions` (from the report) and the measure's
    category, the category last in each key. Reports made in the period, except for share
    outcomes (requests made in the period) and immigration outcomes (disclosures sent in it).
    """
    if not 2 <= len(dimensions) <= 3 or len(set(dimensions)) != len(dimensions):
        raise ValueError("choose two or three different dimensions")
    keys = [_dimension(d) for d in dimensions]
    statement: AnySelect
    if measure is Measure.case_status:
        category: ColumnElement[str] = Report.status.expression
        statement = select(*keys, category, func.count()).where(*_reports_in(period))
    elif measure is Measure.compliance:
        people = [getattr(RightsPeople, d.value) for d in dimensions]
        judged = _judged(RightsPeople.standing, RightsPeople.due_on, today)
        return grouped(
            session,
            select(*people, judged, func.sum(RightsPeople.n))
            .where(RightsPeople.day >= period.start, RightsPeople.day <= period.end)
            .where(judged.in_(("on_time", "late", "overdue")))
            .group_by(*people, judged),
        )
    elif measure is Measure.share_outcome:
        category = ShareFact.outcome.expression
        statement = (
            select(*keys, category, func.count())
            .select_from(ShareFact)
            .join(Report, Report.reference == ShareFact.report_ref)
            .where(*_facts_in(period))
        )
    else:
        latest = latest_outcomes(OutcomeTrack.immigration)
        category = func.coalesce(latest.c.outcome, NONE_RECORDED)
        statement = (
            select(*keys, category, func.count())
            .select_from(PolicyDisclosure)
            .join(Report, Report.reference == PolicyDisclosure.report_ref)
            .outerjoin(
                latest, and_(latest.c.disclosure_id == PolicyDisclosure.id, latest.c.rank == 1)
            )
            .where(*_disclosures_in(period), PolicyDisclosure.agency == IMMIGRATION_ENFORCEMENT)
        )
    return grouped(session, statement.group_by(*keys, category))


# --- forces ---------------------------------------------------------------------------------


def forces(session: Session, period: Period) -> dict[str, Counts]:
    """Per force: requests by outcome, by regime, and requests from Immigration Enforcement
    by outcome (the comparison that shows inconsistent practice). Ignores `period.force`."""
    immigration = (
        select(ShareDaily.force, ShareDaily.key2, func.sum(ShareDaily.n))
        .where(*_daily("agency", period, every_force=True))
        .where(ShareDaily.key1 == IMMIGRATION_ENFORCEMENT)
        .group_by(ShareDaily.force, ShareDaily.key2)
    )
    return _summed(
        session,
        {
            "force_outcome": _sum_by(
                "result", period, ShareDaily.force, ShareDaily.key2, every_force=True
            ),
            "force_regime": _sum_by(
                "result", period, ShareDaily.force, ShareDaily.key1, every_force=True
            ),
            "force_immigration_outcome": immigration,
        },
    )


def enforcement_after_disclosure_by_force(session: Session, period: Period) -> Counts:
    """Disclosures to Immigration Enforcement in the period by (force, whether enforcement
    action followed: `enforcement`, `no_enforcement` or `none_recorded`)."""
    latest = latest_outcomes(OutcomeTrack.immigration)
    followed = case(
        (latest.c.outcome.is_(None), NONE_RECORDED),
        (latest.c.outcome.in_([o.value for o in ENFORCEMENT_OUTCOMES]), "enforcement"),
        else_="no_enforcement",
    )
    everywhere = Period(period.start, period.end)
    statement = (
        select(PolicyDisclosure.force, followed, func.count())
        .select_from(PolicyDisclosure)
        .outerjoin(latest, and_(latest.c.disclosure_id == PolicyDisclosure.id, latest.c.rank == 1))
        .where(*_disclosures_in(everywhere), PolicyDisclosure.agency == IMMIGRATION_ENFORCEMENT)
        .group_by(PolicyDisclosure.force, followed)
    )
    return grouped(session, statement)


def _facts_forces() -> AnySelect:
    """The distinct forces of the decisions' facts, each found by one probe of the force
    index for the next name up (a skip scan, written as a recursive query): a handful of
    probes, where SELECT DISTINCT read every fact (about 0.1 s at 1,000,000 decisions, on
    every statistics page for its force filter and twice on the forces page)."""
    later = aliased(ShareFact)
    names = select(func.min(ShareFact.force).label("force")).cte("facts_forces", recursive=True)
    following = select(func.min(later.force)).where(later.force > names.c.force)
    names = names.union_all(select(following.scalar_subquery()).where(names.c.force.is_not(None)))
    return select(names.c.force).where(names.c.force.is_not(None))


def known_forces(session: Session) -> list[str]:
    """Every force with a recorded decision or disclosure, alphabetically."""
    names = set(session.scalars(_facts_forces()))
    names |= set(session.scalars(select(PolicyDisclosure.force).distinct()))
    return sorted(names)
