"""Policy: sharing decisions, the review queue, policy sets and regime history.

Revision ID: 0002_policy
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0002_policy"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_sets",
        sa.Column("policy_hash", sa.String(64), nullable=False),
        sa.Column("regime", sa.String(64), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("policy_hash", name=op.f("pk_policy_sets")),
    )
    op.create_table(
        "policy_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("force", sa.String(200), nullable=False),
        sa.Column("regime", sa.String(64), nullable=False),
        sa.Column("policy_hash", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("disclose", sa.JSON(), nullable=False),
        sa.Column("withhold", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("verdicts", sa.JSON(), nullable=False),
        sa.Column("is_referral_required", sa.Boolean(), nullable=False),
        sa.Column("is_enforcement_pause_required", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_by_role", sa.String(32), nullable=False),
        sa.Column("report_ref", sa.String(100), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_hash"],
            ["policy_sets.policy_hash"],
            name=op.f("fk_policy_decisions_policy_hash_policy_sets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_decisions")),
    )
    for column in ("outcome", "requested_by", "report_ref", "requested_at"):
        op.create_index(op.f(f"ix_policy_decisions_{column}"), "policy_decisions", [column])
    op.create_table(
        "policy_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reviewable", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["policy_decisions.id"],
            name=op.f("fk_policy_reviews_decision_id_policy_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_reviews")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_policy_reviews_decision_id")),
    )
    op.create_index(op.f("ix_policy_reviews_status"), "policy_reviews", ["status"])
    op.create_table(
        "policy_review_rulings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("is_disclosed", sa.Boolean(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["policy_reviews.id"],
            name=op.f("fk_policy_review_rulings_review_id_policy_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_review_rulings")),
        sa.UniqueConstraint(
            "review_id", "category", name=op.f("uq_policy_review_rulings_review_id")
        ),
    )
    op.create_index(
        op.f("ix_policy_review_rulings_review_id"), "policy_review_rulings", ["review_id"]
    )
    op.create_table(
        "policy_regime_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("force", sa.String(200), nullable=False),
        sa.Column("regime", sa.String(64), nullable=False),
        sa.Column("policy_hash", sa.String(64), nullable=False),
        sa.Column("previous_regime", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_regime_assignments")),
    )
    op.create_index(
        op.f("ix_policy_regime_assignments_force"), "policy_regime_assignments", ["force"]
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_policy_regime_assignments_force"), table_name="policy_regime_assignments"
    )
    op.drop_table("policy_regime_assignments")
    op.drop_index(op.f("ix_policy_review_rulings_review_id"), table_name="policy_review_rulings")
    op.drop_table("policy_review_rulings")
    op.drop_index(op.f("ix_policy_reviews_status"), table_name="policy_reviews")
    op.drop_table("policy_reviews")
    for column in ("requested_at", "report_ref", "requested_by", "outcome"):
        op.drop_index(op.f(f"ix_policy_decisions_{column}"), table_name="policy_decisions")
    op.drop_table("policy_decisions")
    op.drop_table("policy_sets")
