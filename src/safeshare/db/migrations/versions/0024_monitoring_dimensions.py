"""Reporting: more equality-monitoring answers for intersectional statistics (issue 19).

Revision ID: 0024_monitoring_dimensions
Revises: 0023_immigration_abuse

Disability, religion, sexual orientation, preferred language and a coarse immigration status
category, each optional and declinable, asked on staff forms. Existing reports were never
asked, so they stay NULL ("not asked").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_monitoring_dimensions"
down_revision = "0023_immigration_abuse"
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
    with op.batch_alter_table("reports") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.String(30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
