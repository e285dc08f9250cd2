"""Oversight: victim and sector voice, "was it safe, was it helpful" (issue 19).

Revision ID: 0026_feedback
Revises: 0025_rights_people_dimensions

A new table, so there is nothing to backfill. A victim's answer is linked to nothing; an
advocate's names its referral by number, without a foreign key (see the model's docstring).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_feedback"
down_revision = "0025_rights_people_dimensions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oversight_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("felt_safe", sa.String(16), nullable=True),
        sa.Column("was_helpful", sa.String(16), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_feedback")),
        sa.UniqueConstraint("referral_id", name=op.f("uq_oversight_feedback_referral_id")),
    )
    op.create_index(op.f("ix_oversight_feedback_given_on"), "oversight_feedback", ["given_on"])


def downgrade() -> None:
    op.drop_index(op.f("ix_oversight_feedback_given_on"), table_name="oversight_feedback")
    op.drop_table("oversight_feedback")
