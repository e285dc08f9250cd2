"""Auth: single sign-on links and TOTP secrets sealed at rest.

Revision ID: 0015_sso_and_totp_sealing
Revises: 0017_account_security

Signed-in sessions get a server-side row each (list and end one). Sign-in throttle counts move to a table every worker shares. API tokens gain a scope (short-lived "sealed-read" step-up tokens). Users gain the OpenID provider's (issuer, subject) they are linked to, unique together.
Existing TOTP secrets are encrypted with the sealing key (`db.sealing`); downgrading
opens them again, since the older code reads them plain.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime
from safeshare.db.sealing import PREFIX, SecretSealer

revision = "0015_sso_and_totp_sealing"
down_revision = "0017_account_security"
branch_labels = None
depends_on = None

_users = sa.table("users", sa.column("id", sa.Integer()), sa.column("totp_secret", sa.String(255)))


def _sealer() -> SecretSealer:
    path = op.get_context().config.attributes.get("totp_key_file")  # type: ignore[union-attr]
    if path is None:
        from safeshare.config import get_settings

        path = get_settings().totp_key_file
    assert isinstance(path, Path)
    return SecretSealer.from_file(path)


def _rewrite(convert: str) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_users.c.id, _users.c.totp_secret).where(_users.c.totp_secret.is_not(None))
    ).all()
    if not rows:
        return
    sealer = _sealer()
    for user_id, value in rows:
        if convert == "seal" and not value.startswith(PREFIX):
            value = sealer.seal(value, user_id=user_id)
        elif convert == "open" and value.startswith(PREFIX):
            value = sealer.open(value, user_id=user_id)
        else:
            continue
        bind.execute(_users.update().where(_users.c.id == user_id).values(totp_secret=value))


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("sso_issuer", sa.String(255), nullable=True))
        batch.add_column(sa.Column("sso_subject", sa.String(255), nullable=True))
        batch.alter_column(
            "totp_secret", type_=sa.String(255), existing_type=sa.String(64), existing_nullable=True
        )
        batch.create_unique_constraint("uq_users_sso_issuer", ["sso_issuer", "sso_subject"])
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("scope", sa.String(32), nullable=False, server_default=sa.text("''"))
        )
    op.create_table(
        "throttle_counters",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("subject_hash", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_throttle_counters")),
    )
    op.create_index(
        op.f("ix_throttle_counters_subject_hash"), "throttle_counters", ["subject_hash"]
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sid_hash", sa.String(64), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("sid_hash", name=op.f("uq_user_sessions_sid_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    _rewrite("seal")


def downgrade() -> None:
    _rewrite("open")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
    op.drop_index(op.f("ix_throttle_counters_subject_hash"), table_name="throttle_counters")
    op.drop_table("throttle_counters")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("scope")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_sso_issuer", type_="unique")
        batch.alter_column(
            "totp_secret", type_=sa.String(64), existing_type=sa.String(255), existing_nullable=True
        )
        batch.drop_column("sso_subject")
        batch.drop_column("sso_issuer")
