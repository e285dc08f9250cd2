"""Ledger: witnesses' cosignatures on signed checkpoints, append-only like the checkpoints.

Revision ID: 0013_ledger_cosignatures
Revises: 0003_ledger

A cosignature row is the exact signature line a witness returned (c2sp.org/tlog-cosignature);
the cosigned checkpoint is the checkpoint's note plus these lines. The same triggers as the
other ledger tables reject UPDATE, DELETE (and TRUNCATE on PostgreSQL), reusing
`ledger_reject_change()` from 0003_ledger.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0013_ledger_cosignatures"
down_revision = "0003_ledger"
branch_labels = None
depends_on = None

TABLE = "ledger_cosignatures"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("checkpoint_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("witness", sa.String(200), nullable=False),
        sa.Column("signature_line", sa.Text(), nullable=False),
        sa.Column("cosigned_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "checkpoint_number", "witness", name=op.f("pk_ledger_cosignatures")
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        statements = [
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_reject_change()",
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change()",
        ]
    else:
        statements = [
            f"CREATE TRIGGER {TABLE}_no_{op_name.lower()} BEFORE {op_name} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'ledger table {TABLE} is append-only: {op_name} "
            "rejected'); END"
            for op_name in ("UPDATE", "DELETE")
        ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    # Dropping the table drops its triggers; the shared trigger function stays with 0003.
    op.drop_table(TABLE)
