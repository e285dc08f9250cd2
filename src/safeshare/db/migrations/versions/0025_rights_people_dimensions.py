"""Oversight: the Victims' Code rollup by person gains the new monitoring answers (issue 19).

Revision ID: 0025_rights_people_dimensions
Revises: 0019_assurance

Reports made before 0024_monitoring_dimensions were never asked these questions, so the server
default "not_asked" is the true value for every existing rollup row; no recount is needed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025_rights_people_dimensions"
down_revision = "0019_assurance"
branch_labels = None
depends_on = None

COLUMNS = (
    "disability",
    "religion",
    "sexual_orientation",
    "preferred_language",
    "immigration_status_category",
)


def upgrade() -> None:
    with op.batch_alter_table("oversight_rights_people") as batch:
        for name in COLUMNS:
            batch.add_column(
                sa.Column(name, sa.String(30), nullable=False, server_default="not_asked")
            )


def downgrade() -> None:
    with op.batch_alter_table("oversight_rights_people") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
