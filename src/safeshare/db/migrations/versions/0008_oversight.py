"""Oversight: outcomes after a share, the recommendations tracker, the decisions read model.

Revision ID: 0008_oversight
Revises: 0001_foundation

Disclosure and decision ids are held without foreign keys: the policy tables live on another
branch off the foundation (STYLE.md). The read model's indexes serve the statistics pages'
period and force filters (see bench/oversight_stats.py).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0008_oversight"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

FACT_INDEXES = {
    "ix_oversight_share_facts_requested_at": ["requested_at"],
    "ix_oversight_share_facts_force_requested_at": ["force", "requested_at"],
    "ix_oversight_share_facts_result": ["result"],
    "ix_oversight_share_facts_report_ref": ["report_ref"],
    "ix_oversight_share_facts_outcome_requested_at": [
        "outcome",
        "requested_at",
        "force",
        "decision_seconds",
    ],
}


def upgrade() -> None:
    op.create_table(
        "oversight_share_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disclosure_id", sa.Integer(), nullable=False),
        sa.Column("track", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_share_outcomes")),
    )
    op.create_index(
        "ix_oversight_share_outcomes_disclosure_track",
        "oversight_share_outcomes",
        ["disclosure_id", "track"],
    )
    op.create_table(
        "oversight_recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("response_due_on", sa.Date(), nullable=False),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.Column("response_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_recommendations")),
        sa.UniqueConstraint("source", "number", name=op.f("uq_oversight_recommendations_source")),
    )
    op.create_table(
        "oversight_share_facts",
        sa.Column("decision_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("force", sa.String(200), nullable=False),
        sa.Column("regime", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("result", sa.String(24), nullable=False),
        sa.Column("agency", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("report_ref", sa.String(100), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision_seconds", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_oversight_share_facts")),
    )
    for name, columns in FACT_INDEXES.items():
        op.create_index(name, "oversight_share_facts", columns)
    # Daily counts by breakdown, kept in step with the facts; the primary key's order serves
    # "this kind, these days" range scans.
    op.create_table(
        "oversight_share_daily",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("force", sa.String(200), nullable=False),
        sa.Column("key1", sa.String(64), nullable=False),
        sa.Column("key2", sa.String(24), nullable=False),
        sa.Column("key3", sa.String(24), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "kind", "day", "force", "key1", "key2", "key3", name=op.f("pk_oversight_share_daily")
        ),
    )
    # Victims' Code rollups, rebuilt a day at a time: see oversight/rollups.py.
    rollups: list[tuple[str, list[sa.Column[Any]]]] = [
        ("oversight_rights_daily", [sa.Column("right", sa.Integer(), nullable=False)]),
        (
            "oversight_rights_people",
            [
                sa.Column("sex", sa.String(20), nullable=False),
                sa.Column("age_band", sa.String(20), nullable=False),
                sa.Column("ethnicity_group", sa.String(20), nullable=False),
                sa.Column("nationality_group", sa.String(20), nullable=False),
                sa.Column("crime_type", sa.String(40), nullable=False),
                sa.Column("pathway", sa.String(20), nullable=False),
            ],
        ),
    ]
    for table, extra in rollups:
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            *extra,
            sa.Column("standing", sa.String(16), nullable=False),
            sa.Column("due_on", sa.Date(), nullable=True),
            sa.Column("n", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        op.create_index(op.f(f"ix_{table}_day"), table, ["day"])
    op.create_table(
        "oversight_dirty_reports",
        sa.Column("report_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_oversight_dirty_reports")),
    )
    op.create_table(
        "oversight_sync_state",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("high_id", sa.Integer(), nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_oversight_sync_state")),
    )


def downgrade() -> None:
    op.drop_table("oversight_sync_state")
    op.drop_table("oversight_dirty_reports")
    for table in ("oversight_rights_people", "oversight_rights_daily"):
        op.drop_index(op.f(f"ix_{table}_day"), table_name=table)
        op.drop_table(table)
    op.drop_table("oversight_share_daily")
    for name in reversed(FACT_INDEXES):
        op.drop_index(name, table_name="oversight_share_facts")
    op.drop_table("oversight_share_facts")
    op.drop_table("oversight_recommendations")
    op.drop_index(
        "ix_oversight_share_outcomes_disclosure_track", table_name="oversight_share_outcomes"
    )
    op.drop_table("oversight_share_outcomes")
