"""Safe reporting: reports, their updates, consents and Victims' Code right items.

Sealed answers are not here: they are vault ciphertext (0005_vault) keyed by `public_id`.

Revision ID: 0004_reporting
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0004_reporting"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def _report_child_columns() -> list[sa.Column[int]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(20), nullable=False),
        sa.Column("pathway", sa.String(20), nullable=False),
        sa.Column("crime_type", sa.String(40), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("occurred_from", sa.Date(), nullable=True),
        sa.Column("occurred_to", sa.Date(), nullable=True),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.Column("area", sa.String(100), nullable=True),
        sa.Column("has_enhanced_rights", sa.Boolean(), nullable=False),
        sa.Column("has_identity", sa.Boolean(), nullable=False),
        sa.Column("sex", sa.String(20), nullable=True),
        sa.Column("age_band", sa.String(20), nullable=True),
        sa.Column("ethnicity_group", sa.String(20), nullable=True),
        sa.Column("nationality_group", sa.String(20), nullable=True),
        sa.Column("submitted_by", sa.String(64), nullable=True),
        sa.Column("submitted_by_organisation_id", sa.Integer(), nullable=True),
        sa.Column("passphrase_hash", sa.String(255), nullable=True),
        sa.Column("failed_passphrase_attempts", sa.Integer(), nullable=False),
        sa.Column("passphrase_locked_until", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("erased_at", UTCDateTime(), nullable=True),
        sa.Column("erased_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["submitted_by_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_reports_submitted_by_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("public_id", name=op.f("uq_reports_public_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_reports_reference")),
    )
    for column in ("pathway", "crime_type", "status", "reported_at", "area", "submitted_by_organisation_id"):
        op.create_index(op.f(f"ix_reports_{column}"), "reports", [column])

    op.create_table(
        "report_updates",
        *_report_child_columns(),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("key_decision", sa.String(40), nullable=True),
        sa.Column("new_status", sa.String(30), nullable=True),
        sa.Column("has_text", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_updates_report_id_reports"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_updates")),
        sa.UniqueConstraint("public_id", name=op.f("uq_report_updates_public_id")),
    )
    op.create_index(op.f("ix_report_updates_report_id"), "report_updates", ["report_id"])

    op.create_table(
        "report_consents",
        *_report_child_columns(),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("agency_name", sa.String(200), nullable=True),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(64), nullable=True),
        sa.Column("withdrawal_method", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_consents_report_id_reports"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_consents")),
    )
    op.create_index(op.f("ix_report_consents_report_id"), "report_consents", ["report_id"])

    op.create_table(
        "victims_code_rights",
        *_report_child_columns(),
        sa.Column("right", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(60), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("triggered_at", UTCDateTime(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("met_at", UTCDateTime(), nullable=True),
        sa.Column("met_by", sa.String(64), nullable=True),
        sa.Column("delivery_method", sa.String(40), nullable=True),
        sa.Column("not_applicable_reason", sa.String(500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_victims_code_rights_report_id_reports"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_victims_code_rights")),
    )
    op.create_index(op.f("ix_victims_code_rights_report_id"), "victims_code_rights", ["report_id"])
    # The supervisor dashboard filters open items by due date.
    op.create_index("ix_victims_code_rights_status_due_on", "victims_code_rights", ["status", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_victims_code_rights_status_due_on", table_name="victims_code_rights")
    op.drop_index(op.f("ix_victims_code_rights_report_id"), table_name="victims_code_rights")
    op.drop_table("victims_code_rights")
    op.drop_index(op.f("ix_report_consents_report_id"), table_name="report_consents")
    op.drop_table("report_consents")
    op.drop_index(op.f("ix_report_updates_report_id"), table_name="report_updates")
    op.drop_table("report_updates")
    for column in ("pathway", "crime_type", "status", "reported_at", "area", "submitted_by_organisation_id"):
        op.drop_index(op.f(f"ix_reports_{column}"), table_name="reports")
    op.drop_table("reports")
