"""The statistics pages: which tables each shows, built from database aggregates and passed
through disclosure control together, so a figure two tables share is treated alike in both.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from safeshare.oversight import demand, feedback, impact, presentation, statistics, vocabulary
from safeshare.oversight.presentation import (
    TOTAL_NAME,
    Figure,
    Page,
    Row,
    Section,
    StatTable,
    column_totals_shared,
    row_totals_shared,
)
from safeshare.oversight.statistics import Counts, Dimension, Measure, Period
from safeshare.oversight.vocabulary import (
    ENFORCEMENT_OUTCOMES,
    NONE_RECORDED,
    NOT_ASKED,
    CaseOutcome,
    ImmigrationOutcome,
    OutcomeSource,
    label,
)
from safeshare.policy import lawful_basis
from safeshare.policy import service as policy_service
from safeshare.redaction.small_counts import DisclosurePolicy

OUTCOMES = ("permit", "deny", "review")

SECTION_TITLES: dict[str, str] = {
    "sharing": "Share requests",
    "disclosures": "Disclosures and what followed",
    "victims-code": "Victims' Code compliance",
    "support": "Referrals to support",
    "reports": "Reports",
    "intersectional": "Intersectional breakdowns",
    "forces": "Forces compared",
    "impact": impact.TITLE,
    "demand": demand.TITLE,
    "voice": feedback.TITLE,
}

MONTH_NAMES = tuple(calendar.month_name)[1:]

DIMENSION_TITLES: dict[Dimension, str] = {
    Dimension.sex: "Sex",
    Dimension.age_band: "Age band",
    Dimension.ethnicity_group: "Ethnic group",
    Dimension.nationality_group: "Nationality group",
    Dimension.disability: "Disability",
    Dimension.religion: "Religion",
    Dimension.sexual_orientation: "Sexual orientation",
    Dimension.preferred_language: "Preferred language",
    Dimension.immigration_status_category: "Immigration status category",
    Dimension.crime_type: "Crime type",
    Dimension.pathway: "Reporting pathway",
}

MEASURE_TITLES: dict[Measure, str] = {
    Measure.case_status: "Where the case stands",
    Measure.share_outcome: "Share request outcomes",
    Measure.immigration_outcome: "What followed a disclosure to Immigration Enforcement",
    Measure.compliance: "Victims' Code compliance",
}


@dataclass(frozen=True)
class Context:
    """Everything a page needs besides the database: filters, policy and the clock."""

    period: Period
    policy: DisclosurePolicy
    now: datetime
    home_force: str
    follow_up_days: int
    dimensions: tuple[Dimension, ...]
    measure: Measure

    @property
    def today(self) -> date:
        return self.now.astimezone(statistics.TIMEZONE).date()

    @property
    def holds_reports(self) -> bool:
        """Reports carry no force: this deployment's are its own force's."""
        return self.period.force in (None, self.home_force)


@lru_cache(maxsize=1)
def regime_titles() -> dict[str, str]:
    """Each regime's name and title, from the Firewall (compiled once per process)."""
    return {info.name: info.title for info in policy_service.available_regimes()}


def month_keys(start: date, end: date) -> list[str]:
    """Every 'YYYY-MM' from the start's month to the end's, so empty months still show."""
    keys = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def month_label(key: str) -> str:
    """'2024-03' as 'March 2024'."""
    year, month = key.split("-")
    return f"{MONTH_NAMES[int(month) - 1]} {year}"


def _one(counts: Counts) -> dict[str, int]:
    return {key[0]: value for key, value in counts.items()}


def _two(counts: Counts) -> dict[tuple[str, str], int]:
    return {(key[0], key[1]): value for key, value in counts.items()}


def _labeller(dimension: str) -> Callable[[str], str]:
    return lambda value: label(dimension, value)


# --- share requests -------------------------------------------------------------------------

RESULT_COLUMNS = ("by_policy", "released", "withheld", "awaiting")
RESULT_LABELS = {
    "by_policy": "Decided by policy",
    "released": "Released after review",
    "withheld": "Withheld after review",
    "awaiting": "Awaiting review",
}
_RESULT_CELL = {
    "permitted": ("permit", "by_policy"),
    "refused": ("deny", "by_policy"),
    "released_after_review": ("review", "released"),
    "withheld_after_review": ("review", "withheld"),
    "awaiting_review": ("review", "awaiting"),
}


def sharing(session: Session, context: Context) -> Section:
    """Share requests by outcome, regime, agency, purpose and month; time to decision; the
    review queue."""
    statistics.sync_share_facts(session)
    counts = statistics.share_requests(session, context.period)
    titles = regime_titles()
    page = Page(context.policy)
    outcome_label = _labeller("outcome")
    results = {_RESULT_CELL[k[0]]: v for k, v in counts["result"].items() if k[0] in _RESULT_CELL}
    page.crosstab(
        "outcomes",
        "Share requests by outcome, and what reviews decided",
        counts=results,
        rows=OUTCOMES,
        columns=RESULT_COLUMNS,
        row_label=outcome_label,
        column_label=RESULT_LABELS.__getitem__,
        row_heading="Policy outcome",
        noun="share requests",
        shared=row_totals_shared("outcome", OUTCOMES) | {("review", "awaiting"): "awaiting"},
        chart="bar",
        description="Requests made in the period. A request sent for review is released or "
        "withheld by a disclosure officer.",
    )
    for key, title, dimension, heading, rows in (
        ("regimes", "Share requests by regime", "regime", "Regime", sorted(titles)),
        ("agencies", "Share requests by requesting agency", "agency", "Requesting agency", None),
        ("purposes", "Share requests by purpose", "purpose", "Purpose", None),
    ):
        cells = _two(counts[f"{dimension}_outcome"])
        found = sorted({r for r, _ in cells} | set(rows or label_keys(dimension)))
        page.crosstab(
            key,
            title,
            counts=cells,
            rows=found,
            columns=OUTCOMES,
            row_label=(lambda v: titles.get(v, v))
            if dimension == "regime"
            else _labeller(dimension),
            column_label=outcome_label,
            row_heading=heading,
            noun="share requests",
            shared=column_totals_shared("outcome", OUTCOMES),
            rate_of=("permit",),
            rate_heading="Percentage permitted",
            chart="rate",
        )
    months = month_keys(context.period.start, context.period.end)
    page.crosstab(
        "months",
        "Share requests by month",
        counts=_two(counts["month_outcome"]),
        rows=months,
        columns=OUTCOMES,
        row_label=month_label,
        column_label=outcome_label,
        row_heading="Month",
        noun="share requests",
        shared=column_totals_shared("outcome", OUTCOMES),
        rate_of=("permit",),
        rate_heading="Percentage permitted",
        chart="columns",
        description="Calendar months (UTC) in which the requests were made.",
    )
    times = statistics.decision_times(session, context.period)
    bands = [name for name, _ in statistics.DECISION_TIME_BANDS]
    waiting = sum(v for k, v in counts["result"].items() if k[0] == "awaiting_review")
    page.breakdown(
        "decision_time",
        "Time to decision for requests sent for review",
        counts={**times.bands, "awaiting": waiting},
        keys=[*bands, "awaiting"],
        label=lambda v: DECISION_BAND_LABELS.get(v, "Still awaiting review"),
        row_heading="Time from request to a disclosure officer's decision",
        noun="requests sent for review",
        shared_parts={"awaiting": "awaiting"},
        shared_total=("outcome", "review"),
    )
    queue = statistics.review_queue_ages(session, force=context.period.force, now=context.now)
    queue_keys = [name for name, _ in statistics.QUEUE_AGE_BANDS]
    page.breakdown(
        "review_queue",
        f"Review queue by age on {context.today:%d %B %Y}",
        counts=queue,
        keys=queue_keys,
        label=QUEUE_BAND_LABELS.__getitem__,
        row_heading="Time waiting for review",
        noun="requests awaiting review",
        description="Every request awaiting a disclosure officer now, whenever it was made.",
    )
    tables = list(page.tables())
    tables[-2] = _with_median(tables[-2], times, context.policy)
    return Section(
        "sharing",
        SECTION_TITLES["sharing"],
        "Requests to share a victim's or witness's information, and what the force's "
        "regime decided.",
        tuple(tables),
    )


def label_keys(dimension: str) -> list[str]:
    """The known values of a vocabulary, so rows with no requests still show as 0."""
    from safeshare.oversight.vocabulary import LABELS

    return list(LABELS.get(dimension, {}))


DECISION_BAND_LABELS = {
    "under_1_hour": "Under 1 hour",
    "1_to_24_hours": "1 to 24 hours",
    "1_to_3_days": "1 to 3 days",
    "3_to_7_days": "3 to 7 days",
    "over_7_days": "Over 7 days",
}
QUEUE_BAND_LABELS = {
    "under_1_day": "Under 1 day",
    "1_to_2_days": "1 to 2 days",
    "3_to_7_days": "3 to 7 days",
    "8_to_28_days": "8 to 28 days",
    "over_28_days": "Over 28 days",
}


def _duration(seconds: float) -> str:
    hours = round(seconds / 3600)
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days, rest = divmod(hours, 24)
    return f"{days} days" + (f" {rest} hour{'s' if rest != 1 else ''}" if rest else "")


def _with_median(
    table: StatTable, times: statistics.DecisionTimes, policy: DisclosurePolicy
) -> StatTable:
    """Add the median time to the summary, only where enough decisions stand behind it."""
    if times.median_seconds is None or policy.hides(times.count):
        extra = " The median time is not shown: too few decisions."
    else:
        extra = f" The median time to a decision was {_duration(times.median_seconds)}."
    return StatTable(
        key=table.key,
        title=table.title,
        row_heading=table.row_heading,
        columns=table.columns,
        rows=table.rows,
        summary=table.summary + extra,
        note=table.note,
        chart=table.chart,
        description=table.description,
    )


# --- disclosures ----------------------------------------------------------------------------

IMMIGRATION_ROWS = (*[o.value for o in ImmigrationOutcome], NONE_RECORDED)
CASE_COLUMNS = (*[o.value for o in CaseOutcome], NONE_RECORDED)
IE = "immigration_enforcement"


def disclosures(session: Session, context: Context) -> Section:
    """Disclosures by agency; for Immigration Enforcement, what followed on both tracks."""
    page = Page(context.policy)
    agencies = statistics.disclosures_by_agency(session, context.period)
    agency_keys = sorted(set(agencies) | set(label_keys("agency")))
    page.breakdown(
        "by_agency",
        "Disclosures by receiving agency",
        counts=agencies,
        keys=agency_keys,
        label=_labeller("agency"),
        row_heading="Receiving agency",
        noun="disclosures",
        shared_parts={IE: "ie"},
        shared_total="disclosures",
        description="Information actually sent in the period under a sharing decision.",
    )
    page.breakdown(
        "by_basis",
        "Disclosures by lawful basis",
        counts=statistics.disclosures_by_basis(session, context.period),
        keys=[*lawful_basis.BASIS_LABELS, statistics.NOT_RECORDED],
        label=lawful_basis.basis_label,
        row_heading="Lawful basis",
        noun="disclosures",
        shared_total="disclosures",
        chart=None,
        description="The lawful basis the disclosure officer recorded with each disclosure "
        "sent in the period (DPA 2018 Part 3 for law enforcement, UK GDPR otherwise).",
    )
    followed = {
        (case_outcome, immigration): n
        for (immigration, case_outcome), n in statistics.immigration_disclosure_outcomes(
            session, context.period
        ).items()
    }
    page.crosstab(
        "after_disclosure",
        "Disclosures to Immigration Enforcement: what followed",
        counts=followed,
        rows=CASE_COLUMNS,
        columns=IMMIGRATION_ROWS,
        row_label=_labeller("case_outcome"),
        column_label=_labeller("immigration_outcome_short"),
        row_heading="What happened to the criminal case",
        noun="disclosures to Immigration Enforcement",
        shared={(None, None): "ie", (NONE_RECORDED, NONE_RECORDED): "nothing"},
        rate_of=[o.value for o in ImmigrationOutcome if o in ENFORCEMENT_OUTCOMES],
        rate_heading="Percentage with enforcement action",
        chart="rate",
        description="The latest outcome recorded on each track for each disclosure sent in "
        "the period: rows are the criminal case, columns what Immigration Enforcement did.",
    )
    page.crosstab(
        "actions_by_source",
        "Every action by Immigration Enforcement, by where the information came from",
        counts=_two(statistics.immigration_actions_by_source(session, context.period)),
        rows=tuple(o.value for o in ImmigrationOutcome),
        columns=tuple(s.value for s in OutcomeSource),
        row_label=_labeller("immigration_outcome"),
        column_label=_labeller("outcome_source"),
        row_heading="What Immigration Enforcement did",
        noun="actions recorded",
        description="Each action recorded after a disclosure sent in the period, not only the "
        "latest: one disclosure can be followed by an interview, then reporting conditions. "
        "A reply from Immigration Enforcement is firmer evidence than an account passed on.",
    )
    follow = statistics.follow_up_status(
        session, context.period, now=context.now, follow_up_days=context.follow_up_days
    )
    page.breakdown(
        "follow_up",
        "Disclosures with no outcome recorded: follow-up",
        counts={k: follow.get(k, 0) for k in ("overdue", "not_yet_due")},
        keys=["overdue", "not_yet_due"],
        label=lambda v: {
            "overdue": f"Overdue (no outcome after {context.follow_up_days} days)",
            "not_yet_due": "Not yet due",
        }[v],
        row_heading="Follow-up",
        noun="disclosures with nothing recorded",
        shared_total="nothing",
    )
    return Section(
        "disclosures",
        SECTION_TITLES["disclosures"],
        "Whether immigration action followed is not only about removal: the effect on the "
        "investigation matters too (recommendation 7).",
        page.tables(),
    )


# --- Victims' Code, referrals, reports ------------------------------------------------------


def _no_reports(key: str, context: Context) -> Section:
    return Section(
        key,
        SECTION_TITLES[key],
        "",
        (),
        (
            f"Reports, Victims' Code items and referrals are held here for "
            f"{context.home_force} only. Choose that force, or all forces, to see them.",
        ),
    )


COMPLIANCE_COLUMNS = ("on_time", "late", "overdue")


def victims_code(session: Session, context: Context) -> Section:
    """Compliance per right for reports made in the period."""
    if not context.holds_reports:
        return _no_reports("victims-code", context)
    statistics.sync_rights(session)
    counts = statistics.compliance_by_right(session, context.period, today=context.today)
    cells = {(k[0], k[1]): v for k, v in counts.items() if k[1] in COMPLIANCE_COLUMNS}
    table = presentation.crosstab(
        "compliance",
        "Victims' Code compliance by right",
        counts=cells,
        rows=list(vocabulary.RIGHT_LABELS),
        columns=COMPLIANCE_COLUMNS,
        row_label=vocabulary.RIGHT_LABELS.__getitem__,
        column_label=_labeller("compliance"),
        row_heading="Right",
        noun="rights due or met",
        policy=context.policy,
        rate_of=("on_time",),
        rate_heading="Percentage met on time",
        chart="rate",
        description=f"Rights owed on reports made in the period, as at "
        f"{context.today:%d %B %Y}. A right with no deadline counts as on time when met; "
        "rights not yet due, and those that do not apply, are left out.",
    )
    return Section(
        "victims-code",
        SECTION_TITLES["victims-code"],
        "Whether victims got what the Victims' Code promises them, right by right.",
        (table,),
    )


RESPONSES = ("awaiting", "accepted", "declined", "withdrawn")


def support(session: Session, context: Context) -> Section:
    """Referrals made in the period: responses, outcomes and reasons for declining."""
    if not context.holds_reports:
        return _no_reports("support", context)
    counts = statistics.referrals(session, context.period)
    page = Page(context.policy)
    page.breakdown(
        "responses",
        "Referrals to support by response",
        counts=_one(counts["response"]),
        keys=RESPONSES,
        label=_labeller("referral_response"),
        row_heading="Response",
        noun="referrals",
        shared_total="referrals",
    )
    outcomes = _one(counts["outcome"])
    page.breakdown(
        "outcomes",
        "Referrals to support by outcome",
        counts=outcomes,
        keys=[*sorted((set(outcomes) | set(label_keys("referral_outcome"))) - {"none"}), "none"],
        label=lambda v: "No outcome recorded yet" if v == "none" else label("referral_outcome", v),
        row_heading="Outcome",
        noun="referrals",
        shared_total="referrals",
    )
    reasons = _one(counts["decline_reason"])
    page.breakdown(
        "decline_reasons",
        "Referrals to support by reason declined",
        counts=reasons,
        keys=[*sorted((set(reasons) | set(label_keys("decline_reason"))) - {"none"}), "none"],
        label=lambda v: "Not declined" if v == "none" else label("decline_reason", v),
        row_heading="Reason",
        noun="referrals",
        shared_total="referrals",
    )
    return Section(
        "support",
        SECTION_TITLES["support"],
        "Referrals from police to support services, and what came of them.",
        page.tables(),
    )


def reports(session: Session, context: Context) -> Section:
    """Reports made in the period by pathway, crime type and month."""
    if not context.holds_reports:
        return _no_reports("reports", context)
    counts = statistics.reports(session, context.period)
    pathways = label_keys("pathway")
    crimes = label_keys("crime_type")
    page = Page(context.policy)
    page.breakdown(
        "pathways",
        "Reports by pathway",
        counts=_one(counts["pathway"]),
        keys=pathways,
        label=_labeller("pathway"),
        row_heading="Pathway",
        noun="reports",
        shared_parts={p: ("pathway", p) for p in pathways},
        shared_total=TOTAL_NAME,
    )
    page.crosstab(
        "pathway_crime",
        "Reports by pathway and crime type",
        counts={(c, p): n for (p, c), n in _two(counts["pathway_crime_type"]).items()},
        rows=crimes,
        columns=pathways,
        row_label=_labeller("crime_type"),
        column_label=_labeller("pathway"),
        row_heading="Crime type",
        noun="reports",
        shared=column_totals_shared("pathway", pathways),
        chart="bar",
    )
    abuse = ("yes", "no", "not_sure", "declined", NOT_ASKED)
    page.crosstab(
        "immigration_abuse",
        "Immigration abuse: did the perpetrator use the victim's status to control them?",
        counts=_two(counts["crime_type_abuse"]),
        rows=crimes,
        columns=abuse,
        row_label=_labeller("crime_type"),
        column_label=_labeller("immigration_abuse"),
        row_heading="Crime type",
        noun="reports",
        rate_of=("yes",),
        rate_heading="Percentage where status was used to control",
        chart="rate",
        description="Asked on officer and third-party reports: whether the person who harmed "
        "the victim used their immigration status, or threats of deportation, to control them.",
    )
    page.crosstab(
        "immigration_abuse_pathway",
        "Immigration abuse by reporting pathway",
        counts=_two(counts["pathway_abuse"]),
        rows=pathways,
        columns=abuse,
        row_label=_labeller("pathway"),
        column_label=_labeller("immigration_abuse"),
        row_heading="Pathway",
        noun="reports",
        rate_of=("yes",),
        rate_heading="Percentage where status was used to control",
    )
    months = month_keys(context.period.start, context.period.end)
    page.crosstab(
        "months",
        "Reports by month and pathway",
        counts=_two(counts["month_pathway"]),
        rows=months,
        columns=pathways,
        row_label=month_label,
        column_label=_labeller("pathway"),
        row_heading="Month",
        noun="reports",
        shared=column_totals_shared("pathway", pathways),
        chart="columns",
    )
    return Section(
        "reports",
        SECTION_TITLES["reports"],
        "Reports made on each of the safe reporting pathways.",
        page.tables(),
    )


# --- intersectional -------------------------------------------------------------------------

MEASURE_COLUMNS: dict[Measure, tuple[tuple[str, ...], tuple[str, ...], str, str]] = {
    # columns, columns counted in the rate, rate heading, label vocabulary
    Measure.case_status: (
        ("new", "under_investigation", "charged", "no_further_action", "closed", "erased"),
        ("charged",),
        "Percentage charged",
        "case_status",
    ),
    Measure.share_outcome: (OUTCOMES, ("permit",), "Percentage permitted", "outcome"),
    Measure.immigration_outcome: (
        IMMIGRATION_ROWS,
        tuple(o.value for o in ENFORCEMENT_OUTCOMES),
        "Percentage with enforcement action",
        "immigration_outcome",
    ),
    Measure.compliance: (COMPLIANCE_COLUMNS, ("on_time",), "Percentage met on time", "compliance"),
}


def intersectional(session: Session, context: Context) -> Section:
    """One measure across every combination of two or three characteristics."""
    if not context.holds_reports:
        return _no_reports("intersectional", context)
    if context.measure in (Measure.share_outcome, Measure.immigration_outcome):
        statistics.sync_share_facts(session)
    if context.measure is Measure.compliance:
        statistics.sync_rights(session)
    counts = statistics.intersectional(
        session,
        context.period,
        dimensions=context.dimensions,
        measure=context.measure,
        today=context.today,
    )
    columns, rate_of, rate_heading, vocabulary = MEASURE_COLUMNS[context.measure]
    combos = sorted({key[:-1] for key in counts})
    if not combos:  # an empty table still needs a row to say so
        combos = [tuple(label_keys(d.value)[0] for d in context.dimensions)]
    row_keys = ["|".join(combo) for combo in combos]
    cells = {("|".join(key[:-1]), key[-1]): value for key, value in counts.items()}
    dims = context.dimensions

    def row_label(key: str) -> str:
        return ", ".join(label(d.value, v) for d, v in zip(dims, key.split("|"), strict=True))

    heading = " / ".join(DIMENSION_TITLES[d] for d in dims)
    table = presentation.crosstab(
        "breakdown",
        f"{MEASURE_TITLES[context.measure]} by {heading.lower()}",
        counts=cells,
        rows=row_keys,
        columns=columns,
        row_label=row_label,
        column_label=_labeller(vocabulary),
        row_heading=heading,
        noun=_MEASURE_NOUNS[context.measure],
        policy=context.policy,
        rate_of=rate_of,
        rate_heading=rate_heading,
        chart="rate",
        description="Only combinations with at least one case are listed. 'Not asked' means "
        "the question was not put; 'Prefer not to say' means it was declined.",
    )
    return Section(
        "intersectional",
        SECTION_TITLES["intersectional"],
        "Outcomes seen through an intersectional lens: across combinations of "
        "characteristics, not one at a time.",
        (_intersectional_gaps(table, rate_of, rate_heading, row_label),),
    )


def _intersectional_gaps(
    table: StatTable, rate_of: Sequence[str], rate_heading: str, row_label: Callable[[str], str]
) -> StatTable:
    """Each combination's rate against the largest published combination's, with a 95%
    interval, where the measure's rate is one column (charged, permitted, met on time)."""
    if len(rate_of) != 1:
        return table
    totals = {
        row.key: presentation.published_cell(table, row.key, "total") or 0
        for row in table.body_rows
    }
    if len(totals) < 2:
        return table
    base = max(totals, key=lambda key: totals[key])
    return presentation.with_gaps(
        table,
        rate_of[0],
        rate_heading.removeprefix("Percentage ").lower(),
        base=base,
        groups=[key for key in totals if key != base],
        name=row_label,
    )


_MEASURE_NOUNS = {
    Measure.case_status: "reports",
    Measure.share_outcome: "share requests linked to a report",
    Measure.immigration_outcome: "disclosures linked to a report",
    Measure.compliance: "rights due or met",
}


# --- forces ---------------------------------------------------------------------------------


def forces(session: Session, context: Context) -> Section:
    """Each force's regime and outcomes side by side, so inconsistency is visible."""
    statistics.sync_share_facts(session)
    counts = statistics.forces(session, context.period)
    names = statistics.known_forces(session) or [context.home_force]
    titles = regime_titles()
    page = Page(context.policy)
    outcome_label = _labeller("outcome")
    force_totals: dict[tuple[str | None, str | None], Hashable] = {
        (f, None): ("force", f) for f in names
    }
    force_totals[(None, None)] = TOTAL_NAME
    page.crosstab(
        "outcomes",
        "Share requests by force and outcome",
        counts=_two(counts["force_outcome"]),
        rows=names,
        columns=OUTCOMES,
        row_label=str,
        column_label=outcome_label,
        row_heading="Force",
        noun="share requests",
        shared=force_totals,
        rate_of=("permit",),
        rate_heading="Percentage permitted",
        chart="rate",
    )
    regimes = sorted(titles)
    page.crosstab(
        "regimes",
        "Share requests by force and regime",
        counts=_two(counts["force_regime"]),
        rows=names,
        columns=regimes,
        row_label=str,
        column_label=lambda v: titles.get(v, v),
        row_heading="Force",
        noun="share requests",
        shared=force_totals,
        description="A force that changed regime in the period has requests under each.",
    )
    immigration = {
        key: value
        for key, value in _two(counts["force_immigration_outcome"]).items()
        if key[1] != "other_agency"
    }
    page.crosstab(
        "immigration_requests",
        "Requests from Immigration Enforcement by force and outcome",
        counts=immigration,
        rows=names,
        columns=OUTCOMES,
        row_label=str,
        column_label=outcome_label,
        row_heading="Force",
        noun="requests from Immigration Enforcement",
        rate_of=("permit",),
        rate_heading="Percentage permitted",
        chart="rate",
    )
    enforcement = _two(statistics.enforcement_after_disclosure_by_force(session, context.period))
    page.crosstab(
        "enforcement",
        "Disclosures to Immigration Enforcement by force and what followed",
        counts=enforcement,
        rows=names,
        columns=("enforcement", "no_enforcement", NONE_RECORDED),
        row_label=str,
        column_label={
            "enforcement": "Enforcement begun or removal",
            "no_enforcement": "No enforcement action",
            NONE_RECORDED: "No outcome recorded yet",
        }.__getitem__,
        row_heading="Force",
        noun="disclosures to Immigration Enforcement",
        rate_of=("enforcement",),
        rate_heading="Percentage with enforcement action",
        chart="rate",
    )
    tables = list(page.tables())
    tables[2] = _with_spread(tables[2])
    return Section(
        "forces",
        SECTION_TITLES["forces"],
        "National guidance was applied inconsistently across forces (the super-complaint's "
        "finding): this page puts each force's regime and outcomes side by side.",
        (_regime_table(session, names, titles), *tables),
    )


def _regime_table(session: Session, names: Sequence[str], titles: Mapping[str, str]) -> StatTable:
    """Which regime each force runs now, and since when (policy, not people: not controlled)."""
    rows = []
    for name in names:
        assignment = policy_service.active_assignment(session, force=name)
        regime = policy_service.get_active_regime(session, force=name)
        since = f"{assignment.set_at:%d %B %Y}" if assignment else "Never set (default)"
        rows.append(Row(name, name, (Figure.text(titles.get(regime, regime)), Figure.text(since))))
    return StatTable(
        key="active_regimes",
        title="Regime each force runs now",
        row_heading="Force",
        columns=(
            presentation.Column("regime", "Active regime", "text"),
            presentation.Column("since", "Since", "text"),
        ),
        rows=tuple(rows),
        summary=f"{len(rows)} force{'s' if len(rows) != 1 else ''} compared.",
        note="Regimes are policy, not statistics about people, so nothing here is withheld.",
    )


def _with_spread(table: StatTable) -> StatTable:
    """Say how far apart the forces' permit rates for Immigration Enforcement are."""
    index = table.column_index("rate")
    shown = [row for row in table.body_rows if row.figures[index].value is not None]
    if len(shown) < 2:
        extra = " Too few forces have a published percentage to compare."
    else:
        values = [row.figures[index].value or 0.0 for row in shown]
        spread = round((max(values) - min(values)) * 100)
        extra = f" The forces' percentages permitted differ by up to {spread} percentage points."
    return StatTable(
        key=table.key,
        title=table.title,
        row_heading=table.row_heading,
        columns=table.columns,
        rows=table.rows,
        summary=table.summary + extra,
        note=table.note,
        chart=table.chart,
        description=table.description,
    )


BUILDERS: dict[str, Callable[[Session, Context], Section]] = {
    "sharing": sharing,
    "disclosures": disclosures,
    "victims-code": victims_code,
    "support": support,
    "reports": reports,
    "intersectional": intersectional,
    "forces": forces,
    "impact": impact.impact,
    "demand": demand.demand,
    "voice": feedback.voice,
}
