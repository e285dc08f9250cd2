"""Oversight: rollups by share group, for "what sharing did to the case" (issue 19).

Revision ID: 0028_share_group_rollups
Revises: 0027_recount_rights

`oversight_rights_daily` gains the report's share group, and `oversight_cases_daily` counts
reports by share group, crime type and case status, so the page sums daily rows instead of
looking up every report's requests and disclosures (about 2 s at 1,000,000 decisions). The
previous revision emptied the rollup, so the new column needs no default; the next read counts
everything again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028_share_group_rollups"
down_revision = "0027_recount_rights"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("oversight_rights_daily") as batch:
        batch.add_column(sa.Column("share_group", sa.String(16), nullable=False))
    op.create_table(
        "oversight_cases_daily",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("share_group", sa.String(16), nullable=False),
        sa.Column("crime_type", sa.String(40), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_cases_daily")),
    )
    op.create_index(op.f("ix_oversight_cases_daily_day"), "oversight_cases_daily", ["day"])


def downgrade() -> None:
    op.drop_index(op.f("ix_oversight_cases_daily_day"), table_name="oversight_cases_daily")
    op.drop_table("oversight_cases_daily")
    with op.batch_alter_table("oversight_rights_daily") as batch:
        batch.drop_column("share_group")
