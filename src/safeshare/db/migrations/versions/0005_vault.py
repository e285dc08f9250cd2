"""Vault: per-subject wrapped data keys and the sealed values encrypted under them.

Revision ID: 0005_vault
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0005_vault"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault_data_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("kek_id", sa.String(64), nullable=True),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("rewrapped_at", UTCDateTime(), nullable=True),
        sa.Column("destroyed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_data_keys")),
        sa.UniqueConstraint("subject", name=op.f("uq_vault_data_keys_subject")),
    )
    # Rotation and retirement look data keys up by the KEK that wraps them.
    op.create_index(op.f("ix_vault_data_keys_kek_id"), "vault_data_keys", ["kek_id"])
    op.create_table(
        "vault_sealed_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data_key_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["data_key_id"],
            ["vault_data_keys.id"],
            name=op.f("fk_vault_sealed_values_data_key_id_vault_data_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_sealed_values")),
        sa.UniqueConstraint("data_key_id", "field", name="uq_vault_sealed_values_key_field"),
    )
    op.create_index(op.f("ix_vault_sealed_values_data_key_id"), "vault_sealed_values", ["data_key_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_vault_sealed_values_data_key_id"), table_name="vault_sealed_values")
    op.drop_table("vault_sealed_values")
    op.drop_index(op.f("ix_vault_data_keys_kek_id"), table_name="vault_data_keys")
    op.drop_table("vault_data_keys")
