"""Ledger tables: entries (leaves), complete subtree hashes, signed checkpoints, and the head.

Entries, nodes, checkpoints and cosignatures are append-only (PostgreSQL and SQLite triggers
reject UPDATE and DELETE, see migrations 0003_ledger and 0013_ledger_cosignatures). The single
head row is the lock every appender takes, and carries the tree's right edge so an append
never reads old nodes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from safeshare.db.base import Base, utcnow

# SQLite makes an INTEGER PRIMARY KEY the rowid: ordered scans and appends without a second index.
SeqType = BigInteger().with_variant(Integer(), "sqlite")


class LedgerEntry(Base):
    """One leaf: the exact canonical entry bytes, hashed into the tree as stored."""

    __tablename__ = "ledger_entries"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(100), index=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerNode(Base):
    """Hash of the complete subtree of 2**level leaves from leaf idx * 2**level (level >= 1)."""

    __tablename__ = "ledger_nodes"
    __table_args__ = ({"sqlite_with_rowid": False},)

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerCheckpoint(Base):
    """A signed C2SP checkpoint; numbers are gapless so a deleted one shows."""

    __tablename__ = "ledger_checkpoints"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerHead(Base):
    """The one mutable row: current size, last leaf hash and the tree's right edge."""

    __tablename__ = "ledger_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    last_leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Hashes of the complete subtrees along the right edge, largest first (one per set bit).
    frontier: Mapped[bytes] = mapped_column(LargeBinary)
    checkpoint_count: Mapped[int] = mapped_column(Integer)


class LedgerCosignature(Base):
    """A witness's cosignature (c2sp.org/tlog-cosignature) on one signed checkpoint.

    Stored as the exact signature line the witness returned, so the cosigned note is the
    checkpoint's note plus these lines. Append-only, like the checkpoints (migration 0013).
    """

    __tablename__ = "ledger_cosignatures"

    # No foreign key, like the other ledger tables: verification, not the schema, relates
    # rows, and a foreign key would change how TRUNCATE of the checkpoints is refused.
    checkpoint_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    witness: Mapped[str] = mapped_column(String(200), primary_key=True)
    signature_line: Mapped[str] = mapped_column(Text)
    cosigned_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
