"""What a malicious DBA can do to the ledger tables once the append-only triggers are off."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from safeshare.ledger import merkle
from safeshare.ledger.entry import decode_entry, parse_timestamp
from safeshare.ledger.models import LedgerEntry, LedgerHead, LedgerNode
from safeshare.ledger.service import encode_entry

entries = LedgerEntry.__table__
nodes = LedgerNode.__table__
head = LedgerHead.__table__


def disable_append_only(session: Session) -> None:
    """PostgreSQL: a superuser skips triggers; SQLite: anyone with the file drops them."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        return
    names = conn.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_%'")
    ).scalars()
    for name in list(names):
        conn.execute(text(f'DROP TRIGGER "{name}"'))


def raw_entry(session: Session, seq: int) -> bytes:
    return bytes(
        session.connection()
        .execute(select(entries.c.entry).where(entries.c.seq == seq))
        .scalar_one()
    )


def set_entry(session: Session, seq: int, data: bytes, *, leaf: bool = False) -> None:
    values: dict[str, Any] = {"entry": data}
    if leaf:
        values["leaf_hash"] = merkle.leaf_hash(data)
    session.connection().execute(update(entries).where(entries.c.seq == seq).values(**values))


def delete_entry(session: Session, seq: int) -> None:
    session.connection().execute(delete(entries).where(entries.c.seq == seq))


def swap_entries(session: Session, a: int, b: int) -> None:
    rows = {
        seq: (bytes(e), bytes(lh))
        for seq, e, lh in session.connection().execute(
            select(entries.c.seq, entries.c.entry, entries.c.leaf_hash).where(
                entries.c.seq.in_([a, b])
            )
        )
    }
    for seq, other in ((a, b), (b, a)):
        session.connection().execute(
            update(entries)
            .where(entries.c.seq == seq)
            .values(entry=rows[other][0], leaf_hash=rows[other][1])
        )


def insert_entry(session: Session, seq: int, data: dict[str, Any]) -> None:
    """Shift entries from `seq` up by one and slip a well-formed forged entry in at `seq`."""
    conn = session.connection()
    size = conn.execute(select(head.c.tree_size)).scalar_one()
    for s in range(size - 1, seq - 1, -1):
        conn.execute(update(entries).where(entries.c.seq == s).values(seq=s + 1))
    before = decode_entry(raw_entry(session, seq - 1))
    prev = merkle.leaf_hash(raw_entry(session, seq - 1))
    forged = encode_entry(
        seq=seq,
        at=parse_timestamp(before.ts),
        actor=before.actor,
        kind=before.kind,
        data=data,
        prev=prev,
    )
    conn.execute(
        insert(entries).values(
            seq=seq,
            recorded_at=parse_timestamp(before.ts),
            kind=before.kind,
            actor=before.actor,
            entry=forged,
            leaf_hash=merkle.leaf_hash(forged),
        )
    )


def rewrite_log(session: Session, seq: int, data: dict[str, Any]) -> None:
    """Change entry `seq` and recompute every later link, leaf, subtree hash and the head:
    everything a DBA can redo without the signing key."""
    conn = session.connection()
    old = [
        bytes(e) for e in conn.execute(select(entries.c.entry).order_by(entries.c.seq)).scalars()
    ]
    conn.execute(delete(entries))
    conn.execute(delete(nodes))
    prev = bytes(32)
    leaves = []
    for n, raw in enumerate(old):
        e = decode_entry(raw)
        at = parse_timestamp(e.ts)
        new = encode_entry(
            seq=n, at=at, actor=e.actor, kind=e.kind, data=data if n == seq else e.data, prev=prev
        )
        prev = merkle.leaf_hash(new)
        leaves.append(prev)
        conn.execute(
            insert(entries).values(
                seq=n, recorded_at=at, kind=e.kind, actor=e.actor, entry=new, leaf_hash=prev
            )
        )
    _rebuild_tree(session, leaves)


def _rebuild_tree(session: Session, leaves: list[bytes]) -> merkle.MemoryTree:
    """Store every subtree hash of `leaves` and point the head at them (size, last leaf)."""
    conn = session.connection()
    tree = merkle.MemoryTree(leaves)
    for level in range(1, len(tree.levels)):
        for i in range(len(tree.levels[level]) // 32):
            conn.execute(insert(nodes).values(level=level, idx=i, hash=tree.node(level, i)))
    conn.execute(
        update(head).values(
            tree_size=len(leaves),
            last_leaf_hash=leaves[-1] if leaves else bytes(32),
            frontier=b"".join(tree.node(*n) for n in merkle.range_nodes(0, len(leaves))),
        )
    )
    return tree


def edit_json(data: bytes, **changes: Any) -> bytes:
    """The entry with some `data` fields changed, re-serialised the same compact way."""
    obj = json.loads(data)
    obj["data"].update(changes)
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def roll_back(session: Session, tree_size: int) -> None:
    """Everything a restore of an older backup does: drop entries, subtree hashes,
    checkpoints and cosignatures past `tree_size`, and reset the head to match.
    Needs no key: the result is a perfectly consistent, smaller log."""
    from safeshare.ledger.models import LedgerCheckpoint, LedgerCosignature

    conn = session.connection()
    checkpoints, cosignatures = LedgerCheckpoint.__table__, LedgerCosignature.__table__
    dropped = select(checkpoints.c.number).where(checkpoints.c.tree_size > tree_size)
    conn.execute(delete(cosignatures).where(cosignatures.c.checkpoint_number.in_(dropped)))
    conn.execute(delete(checkpoints).where(checkpoints.c.tree_size > tree_size))
    conn.execute(delete(entries).where(entries.c.seq >= tree_size))
    leaves = [
        bytes(h)
        for h in conn.execute(select(entries.c.leaf_hash).order_by(entries.c.seq)).scalars()
    ]
    conn.execute(delete(nodes))
    _rebuild_tree(session, leaves)
    count = conn.execute(select(func.count()).select_from(checkpoints)).scalar_one()
    conn.execute(update(head).values(checkpoint_count=count))


def resign_checkpoints(session: Session, signer: Any, origin: str, sizes: list[int]) -> None:
    """Delete every checkpoint and cosignature and sign new ones with the log's own key,
    as an operator holding that key would after rewriting history."""
    from safeshare.ledger import service
    from safeshare.ledger.models import LedgerCheckpoint, LedgerCosignature

    conn = session.connection()
    conn.execute(delete(LedgerCosignature.__table__))
    conn.execute(delete(LedgerCheckpoint.__table__))
    conn.execute(update(head).values(checkpoint_count=0))
    saved = conn.execute(select(head.c.tree_size)).scalar_one()
    # create_checkpoint signs the head's size: sign each prefix by pretending the head is there.
    leaves = [
        bytes(h)
        for h in conn.execute(select(entries.c.leaf_hash).order_by(entries.c.seq)).scalars()
    ]
    tree = merkle.MemoryTree(leaves)
    for size in sizes:
        conn.execute(
            update(head).values(
                tree_size=size,
                frontier=b"".join(tree.node(*n) for n in merkle.range_nodes(0, size)),
            )
        )
        service.create_checkpoint(session, signer=signer, origin=origin)
    conn.execute(
        update(head).values(
            tree_size=saved,
            frontier=b"".join(tree.node(*n) for n in merkle.range_nodes(0, saved)),
        )
    )
