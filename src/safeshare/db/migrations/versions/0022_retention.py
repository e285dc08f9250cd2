"""Retention and subject rights: legal holds and restrictions of processing, the record of
what the retention schedule did, subject access bundles produced and rectifications.

Revision ID: 0022_retention
Revises: 0018_data_protection

Schema only: new tables, nothing existing changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0022_retention"
down_revision = "0018_data_protection"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("report_ref", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.Column("lifted_by", sa.String(64), nullable=True),
        sa.Column("lifted_at", UTCDateTime(), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_legal_holds")),
    )
    op.create_index(
        op.f("ix_retention_legal_holds_report_ref"), "retention_legal_holds", ["report_ref"]
    )
    op.create_table(
        "retention_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(32), nullable=False),
        sa.Column("record_key", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("report_ref", sa.String(20), nullable=True),
        sa.Column("schedule_sha256", sa.String(64), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("acted_at", UTCDateTime(), nullable=False),
        sa.Column("acted_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_records")),
        sa.UniqueConstraint(
            "record_type",
            "record_key",
            "action",
            name=op.f("uq_retention_records_record_type"),
        ),
    )
    op.create_index(op.f("ix_retention_records_report_ref"), "retention_records", ["report_ref"])
    op.create_index(op.f("ix_retention_records_acted_at"), "retention_records", ["acted_at"])
    op.create_table(
        "subject_access_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_ref", sa.String(20), nullable=False),
        sa.Column("verification_note", sa.Text(), nullable=False),
        sa.Column("exemptions", sa.JSON(), nullable=False),
        sa.Column("bundle_sha256", sa.String(64), nullable=False),
        sa.Column("produced_by", sa.String(64), nullable=False),
        sa.Column("produced_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_access_records")),
    )
    op.create_index(
        op.f("ix_subject_access_records_report_ref"), "subject_access_records", ["report_ref"]
    )
    op.create_table(
        "subject_rectifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_ref", sa.String(20), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rectified_by", sa.String(64), nullable=False),
        sa.Column("rectified_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject_rectifications")),
    )
    op.create_index(
        op.f("ix_subject_rectifications_report_ref"), "subject_rectifications", ["report_ref"]
    )


def downgrade() -> None:
    op.drop_table("subject_rectifications")
    op.drop_table("subject_access_records")
    op.drop_table("retention_records")
    op.drop_table("retention_legal_holds")
