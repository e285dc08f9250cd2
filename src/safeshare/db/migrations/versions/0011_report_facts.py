"""Reporting: facts about a report's subject that the Firewall decides on.

Revision ID: 0011_report_facts
Revises: 0009_report_drafts

Append-only fact entries (role, crime types, regularisation support, suspicion, age) added
by staff with who, when and from what source; `version` counts a report's entries.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0011_report_facts"
down_revision = "0009_report_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fact", sa.String(40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_by_role", sa.String(32), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_facts_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_facts")),
        sa.UniqueConstraint("report_id", "version", name=op.f("uq_report_facts_report_id")),
    )
    op.create_index(op.f("ix_report_facts_report_id"), "report_facts", ["report_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_report_facts_report_id"), table_name="report_facts")
    op.drop_table("report_facts")
