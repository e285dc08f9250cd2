"""Ledger: append-only entries, subtree hashes, signed checkpoints and the head row.

The database itself refuses UPDATE, DELETE and TRUNCATE on the append-only tables (triggers on
PostgreSQL; UPDATE/DELETE triggers on SQLite), so the application cannot rewrite history even
by mistake. The head row is seeded here because every appender locks it: creating it lazily
would race.

Revision ID: 0003_ledger
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from safeshare.db.base import UTCDateTime

revision = "0003_ledger"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

APPEND_ONLY = ("ledger_entries", "ledger_nodes", "ledger_checkpoints")
SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

PG_FUNCTION = """
CREATE FUNCTION ledger_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger table % is append-only: % rejected', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def _pg_triggers(table: str, *, allow_update: bool = False) -> list[str]:
    ops = "DELETE" if allow_update else "UPDATE OR DELETE"
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE {ops} ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION ledger_reject_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_change()",
    ]


def _sqlite_triggers(table: str, *, allow_update: bool = False) -> list[str]:
    ops = ["DELETE"] if allow_update else ["UPDATE", "DELETE"]
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'ledger table {table} is append-only: {op} rejected'); END"
        for op in ops
    ]


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", SEQ, autoincrement=False, nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_entries")),
    )
    for column in ("recorded_at", "kind", "actor"):
        op.create_index(op.f(f"ix_ledger_entries_{column}"), "ledger_entries", [column])
    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_ledger_nodes")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_ledger_checkpoints")),
    )
    head = op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("last_leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("checkpoint_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_ledger_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.bulk_insert(
        head,
        [
            {
                "id": 1,
                "tree_size": 0,
                "last_leaf_hash": bytes(32),
                "frontier": b"",
                "checkpoint_count": 0,
            }
        ],
    )
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
        statements = [s for t in APPEND_ONLY for s in _pg_triggers(t)]
        statements += _pg_triggers("ledger_head", allow_update=True)
    else:
        statements = [s for t in APPEND_ONLY for s in _sqlite_triggers(t)]
        statements += _sqlite_triggers("ledger_head", allow_update=True)
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    # Dropping a table drops its triggers; TRUNCATE/row triggers do not fire on DROP TABLE.
    op.drop_table("ledger_head")
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_nodes")
    for column in ("actor", "kind", "recorded_at"):
        op.drop_index(op.f(f"ix_ledger_entries_{column}"), table_name="ledger_entries")
    op.drop_table("ledger_entries")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION ledger_reject_change()")
