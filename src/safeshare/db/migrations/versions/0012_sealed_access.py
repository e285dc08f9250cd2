"""Reporting: least privilege for sealed fields (assignment, grants, read counts, alerts).

Revision ID: 0012_sealed_access
Revises: 0011_report_facts

Reports gain the officer and team working them; someone else reads sealed fields only
through a grant (supervisor-approved or break-glass). Each read is counted per user for the
rate limit, and break-glass and unusual volumes raise alerts. Existing reports start
unassigned: supervisors assign them (or triage them, which their role may read).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0012_sealed_access"
down_revision = "0011_report_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("assigned_to", sa.String(64), nullable=True))
        batch.add_column(sa.Column("assigned_team", sa.String(100), nullable=True))
        batch.create_index(batch.f("ix_reports_assigned_to"), ["assigned_to"])
        batch.create_index(batch.f("ix_reports_assigned_team"), ["assigned_team"])
    # Salts the hash of a consent's agency name in ledger entries (never the name itself).
    with op.batch_alter_table("report_consents") as batch:
        batch.add_column(sa.Column("agency_salt", sa.String(32), nullable=True))
    op.create_table(
        "sealed_access_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason_code", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("requested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_sealed_access_grants_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_access_grants")),
    )
    for column in ("report_id", "username", "status"):
        op.create_index(op.f(f"ix_sealed_access_grants_{column}"), "sealed_access_grants", [column])
    op.create_table(
        "sealed_read_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_sealed_read_records_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_read_records")),
    )
    op.create_index(
        "ix_sealed_read_records_username_read_at", "sealed_read_records", ["username", "read_at"]
    )
    op.create_table(
        "access_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("reason_code", sa.String(40), nullable=True),
        sa.Column("raised_at", UTCDateTime(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_access_alerts_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_alerts")),
    )
    op.create_index(op.f("ix_access_alerts_kind"), "access_alerts", ["kind"])
    op.create_index(op.f("ix_access_alerts_raised_at"), "access_alerts", ["raised_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_access_alerts_raised_at"), table_name="access_alerts")
    op.drop_index(op.f("ix_access_alerts_kind"), table_name="access_alerts")
    op.drop_table("access_alerts")
    op.drop_index("ix_sealed_read_records_username_read_at", table_name="sealed_read_records")
    op.drop_table("sealed_read_records")
    for column in ("status", "username", "report_id"):
        op.drop_index(op.f(f"ix_sealed_access_grants_{column}"), table_name="sealed_access_grants")
    op.drop_table("sealed_access_grants")
    with op.batch_alter_table("report_consents") as batch:
        batch.drop_column("agency_salt")
    with op.batch_alter_table("reports") as batch:
        batch.drop_index(batch.f("ix_reports_assigned_team"))
        batch.drop_index(batch.f("ix_reports_assigned_to"))
        batch.drop_column("assigned_team")
        batch.drop_column("assigned_to")
