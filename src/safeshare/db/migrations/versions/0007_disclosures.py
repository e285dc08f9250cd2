"""Policy: disclosures actually sent under a sharing decision.

Revision ID: 0007_disclosures
Revises: 0002_policy
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0007_disclosures"
down_revision = "0002_policy"
branch_labels = None
depends_on = None

INDEXED = ("decision_id", "agency", "report_ref", "sent_at")


def upgrade() -> None:
    op.create_table(
        "policy_disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("force", sa.String(200), nullable=False),
        sa.Column("agency", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("regime", sa.String(64), nullable=False),
        sa.Column("policy_hash", sa.String(64), nullable=False),
        sa.Column("report_ref", sa.String(100), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_by_role", sa.String(32), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["policy_decisions.id"],
            name=op.f("fk_policy_disclosures_decision_id_policy_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_disclosures")),
    )
    for column in INDEXED:
        op.create_index(op.f(f"ix_policy_disclosures_{column}"), "policy_disclosures", [column])


def downgrade() -> None:
    for column in reversed(INDEXED):
        op.drop_index(op.f(f"ix_policy_disclosures_{column}"), table_name="policy_disclosures")
    op.drop_table("policy_disclosures")
