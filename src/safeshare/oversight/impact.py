"""The "what sharing did" statistics page: for reports whose victim's data Immigration
Enforcement asked for or got, where the case stands and whether Victims' Code rights were met,
beside similar reports with no request (the PCC's letter: "the process of the investigation
itself is of key concern"). Gaps are shown with 95% intervals computed from the published,
rounded figures, so they reveal nothing the tables do not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from safeshare.oversight import presentation, statistics
from safeshare.oversight.presentation import Page, Section, StatTable
from safeshare.oversight.vocabulary import SHARE_GROUP_LABELS, ShareGroup, label

if TYPE_CHECKING:
    from safeshare.oversight.sections import Context

TITLE = "What sharing did to the case"
CASE_STATUSES = ("new", "under_investigation", "charged", "no_further_action", "closed")
COMPLIANCE = ("on_time", "late", "overdue")


def _group_label(value: str) -> str:
    return SHARE_GROUP_LABELS[ShareGroup(value)]


def with_gaps(table: StatTable, column: str, what: str) -> StatTable:
    """The table with each group's `column` rate compared with "no request"."""
    return presentation.with_gaps(
        table,
        column,
        what,
        base=ShareGroup.no_request,
        groups=(ShareGroup.shared, ShareGroup.requested),
        name=_group_label,
    )


def impact(session: Session, context: Context) -> Section:
    """Case status and Victims' Code compliance, by whether data was asked for or sent."""
    if not context.holds_reports:
        return Section(
            "impact",
            TITLE,
            "",
            (),
            (
                f"Reports are held here for {context.home_force} only. Choose that force, or "
                "all forces, to see them.",
            ),
        )
    statistics.sync_share_facts(session)  # first: new requests mark their reports
    statistics.sync_rights(session)
    page = Page(context.policy)
    page.crosstab(
        "case_by_group",
        "Where the case stands, by whether Immigration Enforcement asked for the victim's data",
        counts={
            (k[0], k[1]): n
            for k, n in statistics.case_status_by_share_group(session, context.period).items()
        },
        rows=tuple(ShareGroup),
        columns=CASE_STATUSES,
        row_label=_group_label,
        column_label=lambda v: label("case_status", v),
        row_heading="Victim's data",
        noun="reports",
        rate_of=("charged",),
        rate_heading="Percentage charged",
        chart="rate",
        description="Reports made in the period, in the crime types where at least one "
        "report had a request, so like is compared with like.",
    )
    compliance = statistics.compliance_by_share_group(session, context.period, today=context.today)
    page.crosstab(
        "compliance_by_group",
        "Victims' Code compliance, by whether Immigration Enforcement asked for the victim's data",
        counts={(k[0], k[1]): v for k, v in compliance.items() if k[1] in COMPLIANCE},
        rows=tuple(ShareGroup),
        columns=COMPLIANCE,
        row_label=_group_label,
        column_label=lambda v: label("compliance", v),
        row_heading="Victim's data",
        noun="rights due or met",
        rate_of=("on_time",),
        rate_heading="Percentage met on time",
        chart="rate",
        description=f"Rights owed on reports made in the period, as at "
        f"{context.today:%d %B %Y}; rights not yet due, and those that do not apply, are left "
        "out.",
    )
    case_table, compliance_table = page.tables()
    return Section(
        "impact",
        TITLE,
        "Whether a request or share went with a case that stalled, or with rights not met. "
        "These are associations, not proof of cause: cases with a request can differ in other "
        "ways.",
        (
            with_gaps(case_table, "charged", "charge rates"),
            with_gaps(compliance_table, "on_time", "rights met on time"),
        ),
    )
