"""Reporting: drafts of the online public report, encrypted, kept only between form steps.

Revision ID: 0009_report_drafts
Revises: 0004_reporting

Each row is one ciphertext whose key lives only in the reporter's session cookie; rows
expire after two idle hours and are deleted when the report is sent (reporting/drafts.py).
No foreign keys: a draft belongs to no report until it is sent, and then it is deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0009_report_drafts"
down_revision = "0004_reporting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(64), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_drafts")),
        sa.UniqueConstraint("public_id", name=op.f("uq_report_drafts_public_id")),
    )
    op.create_index(op.f("ix_report_drafts_expires_at"), "report_drafts", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_report_drafts_expires_at"), table_name="report_drafts")
    op.drop_table("report_drafts")
