"""The "unmet demand" statistics page: referrals to support that were turned away or never
placed for lack of capacity, by month, by the victim's community and by whether they have no
recourse to public funds (NRPF), with the wait for first contact, so PCCs can see where to
commission more places (recommendation 5).

Community here is the victim's ethnic group as they answered the monitoring question: the
closest recorded proxy for which 'by and for' service they would be referred to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from statistics import median
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from safeshare.oversight.dialect import Counts, sum_groupings, utc_month
from safeshare.oversight.presentation import Page, Section, column_totals_shared
from safeshare.oversight.statistics import Period
from safeshare.oversight.vocabulary import (
    DEMAND_OUTCOME_LABELS,
    LABELS,
    NOT_ASKED,
    NRPF_GROUP_LABELS,
    UNMET_DEMAND,
    DemandOutcome,
    NrpfGroup,
    label,
)
from safeshare.reporting.models import Report
from safeshare.support.models import SupportReferral

if TYPE_CHECKING:
    from safeshare.oversight.sections import Context

TITLE = "Unmet demand for support"
DEMAND_GROUPINGS = {
    "month": ("month", "category"),
    "community": ("community", "category"),
    "nrpf": ("nrpf", "category"),
}


def _in(period: Period) -> list[ColumnElement[bool]]:
    start, end = period.bounds()
    return [SupportReferral.created_at >= start, SupportReferral.created_at < end]


def demand_counts(session: Session, period: Period) -> dict[str, Counts]:
    """Referrals made in the period by (month | community | NRPF, what became of them)."""
    category = case(
        (
            and_(
                SupportReferral.status == "declined",
                SupportReferral.decline_reason == "no_capacity",
            ),
            DemandOutcome.declined_no_capacity.value,
        ),
        (SupportReferral.outcome == "no_capacity", DemandOutcome.not_placed_no_capacity.value),
        (SupportReferral.status == "declined", DemandOutcome.declined_other.value),
        (SupportReferral.status == "pending", DemandOutcome.awaiting.value),
        (SupportReferral.status == "withdrawn", DemandOutcome.withdrawn.value),
        else_=DemandOutcome.accepted.value,
    )
    nrpf = case(
        (SupportReferral.has_nrpf.is_(True), NrpfGroup.nrpf.value), else_=NrpfGroup.other.value
    )
    community = func.coalesce(Report.ethnicity_group, NOT_ASKED)
    month = utc_month(session, SupportReferral.created_at)
    base = (
        select(
            month.label("month"),
            community.label("community"),
            nrpf.label("nrpf"),
            category.label("category"),
            func.count().label("n"),
        )
        .outerjoin(Report, Report.id == SupportReferral.report_id)
        .where(*_in(period))
        .group_by(month, community, nrpf, category)
        .cte("demand_base")
    )
    return sum_groupings(session, base, DEMAND_GROUPINGS)


def first_contact_waits(session: Session, period: Period) -> dict[str, list[float]]:
    """Days from referral to first contact, for referrals in the period that reached one, by
    NRPF or not (a few thousand rows at most: the median is taken here)."""
    waits: dict[str, list[float]] = {group: [] for group in NrpfGroup}
    rows = session.execute(
        select(
            SupportReferral.has_nrpf, SupportReferral.created_at, SupportReferral.first_contact_at
        ).where(*_in(period), SupportReferral.first_contact_at.is_not(None))
    )
    for has_nrpf, created_at, contacted_at in rows:
        if isinstance(created_at, datetime) and isinstance(contacted_at, datetime):
            days = (contacted_at - created_at).total_seconds() / 86_400
            waits[NrpfGroup.nrpf if has_nrpf else NrpfGroup.other].append(days)
    return waits


def _two(counts: Counts) -> dict[tuple[str, str], int]:
    return {(k[0], k[1]): n for k, n in counts.items()}


def _wait_sentence(waits: dict[str, list[float]], threshold: int) -> str:
    """Median waits, each only where at least `threshold` referrals make it up."""
    parts = []
    for key, text in ((NrpfGroup.nrpf, "NRPF referrals"), (NrpfGroup.other, "other referrals")):
        found = waits[key]
        if len(found) >= threshold:
            parts.append(f"{text} {median(found):.1f} days")
        else:
            parts.append(f"{text}: too few to publish")
    return " Median wait from referral to first contact: " + "; ".join(parts) + "."


def demand(session: Session, context: Context) -> Section:
    """Unmet demand by month, community and NRPF, with waits for first contact."""
    if not context.holds_reports:
        return Section(
            "demand",
            TITLE,
            "",
            (),
            (
                f"Referrals are held here for {context.home_force} only. Choose that force, "
                "or all forces, to see them.",
            ),
        )
    # Imported here: sections registers this page, so it imports this module first.
    from safeshare.oversight.sections import month_keys, month_label

    counts = demand_counts(session, context.period)
    page = Page(context.policy)

    def table(key: str, title: str, counts: Counts, rows: Sequence[str], **kind: Any) -> None:
        page.crosstab(
            key,
            title,
            counts=_two(counts),
            rows=rows,
            columns=tuple(DemandOutcome),
            column_label=lambda v: DEMAND_OUTCOME_LABELS[DemandOutcome(v)],
            noun="referrals",
            shared=column_totals_shared("demand", tuple(DemandOutcome)),
            rate_of=UNMET_DEMAND,
            rate_heading="Percentage unmet for lack of capacity",
            **kind,
        )

    table(
        "by_month",
        "Referrals to support by month: unmet for lack of capacity",
        counts["month"],
        month_keys(context.period.start, context.period.end),
        row_label=month_label,
        row_heading="Month",
        chart="columns",
    )
    table(
        "by_community",
        "Referrals to support by the victim's community: unmet for lack of capacity",
        counts["community"],
        [*LABELS["ethnicity_group"], NOT_ASKED],
        row_label=lambda v: label("ethnicity_group", v),
        row_heading="Community (ethnic group)",
        chart="rate",
    )
    table(
        "by_nrpf",
        "Referrals to support by NRPF: unmet for lack of capacity",
        counts["nrpf"],
        tuple(NrpfGroup),
        row_label=lambda v: NRPF_GROUP_LABELS[NrpfGroup(v)],
        row_heading="No recourse to public funds",
        chart="rate",
    )
    by_month, by_community, by_nrpf = page.tables()
    sentence = _wait_sentence(
        first_contact_waits(session, context.period), context.policy.threshold
    )
    by_nrpf = replace(by_nrpf, summary=by_nrpf.summary + sentence)
    return Section(
        "demand",
        TITLE,
        "Referrals turned away or never placed because a service was full, to show where more "
        "places, and places for people with no recourse to public funds, are needed.",
        (by_month, by_community, by_nrpf),
    )
