"""Support: service directory, capacity history, areas, referrals, directory releases.

Revision ID: 0006_support
Revises: 0001_foundation

Referrals hold the reporting feature's report id without a foreign key: features branch off
the foundation independently (STYLE.md), so this branch cannot assume the reports table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0006_support"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "support_areas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("neighbours", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_areas")),
        sa.UniqueConstraint("code", name=op.f("uq_support_areas_code")),
    )
    op.create_table(
        "support_directory_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.String(32), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_directory_state")),
    )
    op.create_table(
        "support_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("communities", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("service_types", sa.JSON(), nullable=False),
        sa.Column("oisc_level", sa.Integer(), nullable=True),
        sa.Column("has_nrpf_support", sa.Boolean(), nullable=False),
        sa.Column("areas_covered", sa.JSON(), nullable=False),
        sa.Column("is_area_wide", sa.Boolean(), nullable=False),
        sa.Column("referral_method", sa.String(32), nullable=False),
        sa.Column("referral_contact", sa.String(200), nullable=False),
        sa.Column("opening_hours", sa.String(500), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("bedspaces", sa.Integer(), nullable=False),
        sa.Column("nrpf_units", sa.Integer(), nullable=False),
        sa.Column("nrpf_bedspaces", sa.Integer(), nullable=False),
        sa.Column("vacant_units", sa.Integer(), nullable=False),
        sa.Column("vacant_bedspaces", sa.Integer(), nullable=False),
        sa.Column("vacant_nrpf_units", sa.Integer(), nullable=False),
        sa.Column("vacant_nrpf_bedspaces", sa.Integer(), nullable=False),
        sa.Column("vacancies_updated_at", UTCDateTime(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "units >= 0 AND bedspaces >= 0 AND nrpf_units >= 0 AND nrpf_bedspaces >= 0",
            name=op.f("ck_support_services_capacity_non_negative"),
        ),
        sa.CheckConstraint(
            "nrpf_units <= units AND nrpf_bedspaces <= bedspaces",
            name=op.f("ck_support_services_nrpf_within_capacity"),
        ),
        sa.CheckConstraint(
            "vacant_units >= 0 AND vacant_bedspaces >= 0 "
            "AND vacant_nrpf_units >= 0 AND vacant_nrpf_bedspaces >= 0",
            name=op.f("ck_support_services_vacancies_non_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_support_services_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_services")),
        sa.UniqueConstraint(
            "organisation_id", "name", name="uq_support_services_organisation_name"
        ),
    )
    op.create_index(
        op.f("ix_support_services_organisation_id"), "support_services", ["organisation_id"]
    )
    op.create_table(
        "support_capacity_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("vacant_units", sa.Integer(), nullable=False),
        sa.Column("vacant_bedspaces", sa.Integer(), nullable=False),
        sa.Column("vacant_nrpf_units", sa.Integer(), nullable=False),
        sa.Column("vacant_nrpf_bedspaces", sa.Integer(), nullable=False),
        sa.Column("updated_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["support_services.id"],
            name=op.f("fk_support_capacity_updates_service_id_support_services"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_user_id"],
            ["users.id"],
            name=op.f("fk_support_capacity_updates_updated_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_capacity_updates")),
    )
    op.create_index(
        "ix_support_capacity_updates_service_recorded",
        "support_capacity_updates",
        ["service_id", "recorded_at"],
    )
    op.create_table(
        "support_directory_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change_summary", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_user_id"],
            ["users.id"],
            name=op.f("fk_support_directory_releases_published_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_directory_releases")),
        sa.UniqueConstraint("version", name=op.f("uq_support_directory_releases_version")),
    )
    op.create_table(
        "support_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("referred_by_user_id", sa.Integer(), nullable=True),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(64), nullable=True),
        sa.Column("has_nrpf", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decline_reason", sa.String(32), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=True),
        sa.Column("withdrawal_reason", sa.String(32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("responded_at", UTCDateTime(), nullable=True),
        sa.Column("first_contact_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_support_referrals_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["referred_by_user_id"],
            ["users.id"],
            name=op.f("fk_support_referrals_referred_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["support_services.id"],
            name=op.f("fk_support_referrals_service_id_support_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_referrals")),
    )
    op.create_index(
        "ix_support_referrals_organisation_status",
        "support_referrals",
        ["organisation_id", "status"],
    )
    op.create_index(op.f("ix_support_referrals_report_id"), "support_referrals", ["report_id"])
    op.create_index(
        "ix_support_referrals_service_created", "support_referrals", ["service_id", "created_at"]
    )
    op.create_table(
        "support_release_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["support_directory_releases.id"],
            # Named explicitly: the conventional name exceeds PostgreSQL's 63 characters.
            name="fk_support_release_acknowledgements_release_id",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_support_release_acknowledgements_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_release_acknowledgements")),
        sa.UniqueConstraint(
            "release_id", "user_id", name="uq_support_release_acknowledgements_release_user"
        ),
    )
    op.create_index(
        "ix_support_release_acknowledgements_user_id",
        "support_release_acknowledgements",
        ["user_id"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_support_release_acknowledgements_user_id",
        table_name="support_release_acknowledgements",
    )
    op.drop_table("support_release_acknowledgements")
    op.drop_index("ix_support_referrals_service_created", table_name="support_referrals")
    op.drop_index(op.f("ix_support_referrals_report_id"), table_name="support_referrals")
    op.drop_index("ix_support_referrals_organisation_status", table_name="support_referrals")
    op.drop_table("support_referrals")
    op.drop_table("support_directory_releases")
    op.drop_index(
        "ix_support_capacity_updates_service_recorded", table_name="support_capacity_updates"
    )
    op.drop_table("support_capacity_updates")
    op.drop_index(op.f("ix_support_services_organisation_id"), table_name="support_services")
    op.drop_table("support_services")
    op.drop_table("support_directory_state")
    op.drop_table("support_areas")
