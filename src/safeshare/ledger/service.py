"""Ledger service: append entries, serve proofs, sign checkpoints, verify, export.

Functions take the caller's session and flush through it, never commit: an entry commits with
the decision it records. Every append locks the single head row first (an UPDATE, which takes
a row lock on PostgreSQL and the write lock on SQLite), so sequence numbers are gapless even
across concurrent transactions and processes. The lock is held until the caller commits, so
publish ledger-worthy events late in a transaction (after other row locks are taken): that
keeps the serialised section short and the lock order the same everywhere. High-volume
producers that need no atomicity with other writes use `appender.Appender` (group commit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, cast
from uuid import UUID

import rfc8785
import sqlalchemy as sa
from sqlalchemy import Connection, Table, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session

from safeshare import events
from safeshare.db.base import utcnow
from safeshare.events import DomainEvent
from safeshare.ledger import entry as entry_format
from safeshare.ledger import merkle
from safeshare.ledger.audit import AuditReport, CheckpointRecord, LogAuditor, Problem
from safeshare.ledger.bundle import BundleCheckpoint, write_bundle
from safeshare.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from safeshare.ledger.cosignature import (
    CosignatureVerifier,
    add_signature_lines,
    verify_cosignatures,
)
from safeshare.ledger.errors import (
    EntryNotFoundError,
    InvalidEntryError,
    InvalidProofError,
    LedgerStateError,
    NoteError,
    ProofRequestError,
)
from safeshare.ledger.models import (
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerEntry,
    LedgerHead,
    LedgerNode,
)
from safeshare.ledger.note import NoteSigner, NoteVerifier

# Core tables: bulk inserts and streaming reads without ORM identity-map overhead.
_entries = cast(Table, LedgerEntry.__table__)
_nodes = cast(Table, LedgerNode.__table__)
_checkpoints = cast(Table, LedgerCheckpoint.__table__)
_head = cast(Table, LedgerHead.__table__)
_cosignatures = cast(Table, LedgerCosignature.__table__)
_HEAD_ID = 1
_DEFERRED = "ledger.deferred_entries"
_STREAM_ROWS = 20_000
_MAX_KIND = LedgerEntry.__table__.c.kind.type.length  # type: ignore[attr-defined]
_MAX_ACTOR = LedgerEntry.__table__.c.actor.type.length  # type: ignore[attr-defined]


# --- appending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    """What a caller records; `data` holds references, never sealed values."""

    kind: str
    actor: str
    data: Mapping[str, Any]
    at: datetime | None = None


@dataclass(frozen=True)
class AppendedEntry:
    seq: int
    leaf_hash: bytes


@dataclass
class _Head:
    tree_size: int
    last_leaf_hash: bytes
    frontier: list[bytes]  # right-edge complete subtrees, largest first
    checkpoint_count: int

    @property
    def root_hash(self) -> bytes:
        return merkle.fold(self.frontier)


def _jsonable(value: Any) -> Any:
    """Plain JSON values for entry data; common non-JSON types get their canonical text."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, datetime):
        return entry_format.format_timestamp(value)
    if isinstance(value, date | UUID):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise InvalidEntryError(f"entry data holds a {type(value).__name__}, which is not JSON")


def encode_entry(
    *, seq: int, at: datetime, actor: str, kind: str, data: Mapping[str, Any], prev: bytes
) -> bytes:
    """The entry's RFC 8785 canonical JSON (layout described in `ledger.entry`)."""
    if not isinstance(kind, str) or not isinstance(actor, str) or not kind or not actor:
        raise InvalidEntryError("a ledger entry needs a kind and an actor")
    if len(kind) > _MAX_KIND or len(actor) > _MAX_ACTOR:
        raise InvalidEntryError(f"kind is limited to {_MAX_KIND} and actor to {_MAX_ACTOR} chars")
    if not isinstance(data, Mapping):
        raise InvalidEntryError("entry data must be a mapping")
    try:
        return rfc8785.dumps(
            {
                "actor": actor,
                "data": _jsonable(data),
                "kind": kind,
                "prev": prev.hex(),
                "seq": seq,
                "ts": entry_format.format_timestamp(at),
            }
        )
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        detail = type(exc).__name__
        raise InvalidEntryError(f"entry data cannot be canonicalised: {detail}") from exc


def _split_frontier(blob: bytes) -> list[bytes]:
    return [blob[i : i + merkle.HASH_SIZE] for i in range(0, len(blob), merkle.HASH_SIZE)]


def _lock_head(conn: Connection) -> _Head:
    """Serialise appenders: a no-op UPDATE locks the head row and returns it (one round trip)."""
    row = conn.execute(
        update(_head)
        .where(_head.c.id == _HEAD_ID)
        .values(tree_size=_head.c.tree_size)
        .returning(*_head.c)
    ).one_or_none()
    if row is None:
        raise LedgerStateError("the ledger head row is missing: run the database migrations")
    return _Head(
        row.tree_size, row.last_leaf_hash, _split_frontier(row.frontier), row.checkpoint_count
    )


def append_entries(session: Session, *, records: Sequence[EntryInput]) -> list[AppendedEntry]:
    """Append records in order within the session's transaction; one head lock per call."""
    if not records:
        return []
    conn = session.connection()
    head = _lock_head(conn)
    size, prev, frontier = head.tree_size, head.last_leaf_hash, head.frontier
    now = utcnow()
    entry_rows: list[dict[str, Any]] = []
    node_rows: list[dict[str, Any]] = []
    appended: list[AppendedEntry] = []
    for record in records:
        at = record.at or now
        data = encode_entry(
            seq=size, at=at, actor=record.actor, kind=record.kind, data=record.data, prev=prev
        )
        leaf = merkle.leaf_hash(data)
        entry_rows.append(
            {
                "seq": size,
                "recorded_at": at,
                "kind": record.kind,
                "actor": record.actor,
                "entry": data,
                "leaf_hash": leaf,
            }
        )
        # Compact-range append: each trailing one bit of `size` completes a subtree.
        carry, level, bits = leaf, 0, size
        while bits & 1:
            carry = merkle.node_hash(frontier.pop(), carry)
            level += 1
            node_rows.append({"level": level, "idx": ((size + 1) >> level) - 1, "hash": carry})
            bits >>= 1
        frontier.append(carry)
        appended.append(AppendedEntry(size, leaf))
        size, prev = size + 1, leaf
    conn.execute(insert(_entries), entry_rows)
    if node_rows:
        conn.execute(insert(_nodes), node_rows)
    conn.execute(
        update(_head)
        .where(_head.c.id == _HEAD_ID)
        .values(tree_size=size, last_leaf_hash=prev, frontier=b"".join(frontier))
    )
    return appended


def append_entry(
    session: Session, *, kind: str, actor: str, data: Mapping[str, Any], at: datetime | None = None
) -> AppendedEntry:
    """Record one event in the caller's transaction (it commits or rolls back with it)."""
    return append_entries(session, records=[EntryInput(kind, actor, data, at)])[0]


def record_event(session: Session, event: DomainEvent) -> None:
    """The `safeshare.events` handler: every domain event becomes a ledger entry."""
    deferred: list[EntryInput] | None = session.info.get(_DEFERRED)
    if deferred is not None:
        deferred.append(EntryInput(event.kind, event.actor, event.data))
        return
    append_entry(session, kind=event.kind, actor=event.actor, data=event.data)


@contextmanager
def deferred_appends(session: Session) -> Iterator[None]:
    """Queue the entries events create inside the block; append them all at its end.

    For group commit: one head lock and a few statements for a whole batch instead of per
    event, still in the same transaction. If the block raises, nothing is appended (the
    caller rolls the transaction back); nothing inside may read the entries it queued.
    """
    deferred: list[EntryInput] = []
    session.info[_DEFERRED] = deferred
    try:
        yield
    finally:
        session.info.pop(_DEFERRED, None)
    append_entries(session, records=deferred)


def subscribe_to_events() -> None:
    """Register the ledger for every domain event (idempotent); call once at startup."""
    events.subscribe(record_event)


def unsubscribe_from_events() -> None:
    events.unsubscribe(record_event)


# --- reading and proofs ----------------------------------------------------------------------


def tree_size(session: Session) -> int:
    """The number of entries committed (as this transaction sees it)."""
    size = (
        session.connection()
        .execute(select(_head.c.tree_size).where(_head.c.id == _HEAD_ID))
        .scalar_one_or_none()
    )
    if size is None:
        raise LedgerStateError("the ledger head row is missing: run the database migrations")
    return int(size)


def _fetch_nodes(conn: Connection, ids: set[merkle.NodeId]) -> dict[merkle.NodeId, bytes]:
    """Complete-subtree hashes by (level, index): leaves from entries, the rest from nodes."""
    leaves = sorted(i for level, i in ids if level == 0)
    inner = sorted((level, i) for level, i in ids if level > 0)
    found: dict[merkle.NodeId, bytes] = {}
    if leaves:
        rows = conn.execute(
            select(_entries.c.seq, _entries.c.leaf_hash).where(_entries.c.seq.in_(leaves))
        )
        found.update(((0, seq), bytes(h)) for seq, h in rows)
    if inner:
        node_rows = conn.execute(
            # Point lookups OR-ed together: both databases use the primary key for each
            # (SQLite scans the table for a row-value `IN (VALUES ...)`).
            select(_nodes.c.level, _nodes.c.idx, _nodes.c.hash).where(
                or_(*(and_(_nodes.c.level == lv, _nodes.c.idx == i) for lv, i in inner))
            )
        )
        found.update(((level, idx), bytes(h)) for level, idx, h in node_rows)
    if len(found) != len(ids):
        missing = sorted(ids - found.keys())[0]
        raise LedgerStateError(f"stored subtree hash {missing} is missing")
    return found


def _resolve_size(session: Session, requested: int | None, *, field: str) -> tuple[Connection, int]:
    """The requested tree size (default: now); errors name the request's `field`."""
    current = tree_size(session)
    size = current if requested is None else requested
    if not 0 <= size <= current:
        raise ProofRequestError(f"tree size {size} is not between 0 and {current}", field=field)
    return session.connection(), size


def inclusion_proof(
    session: Session, *, leaf_index: int, size: int | None = None
) -> dict[str, Any]:
    """RFC 9162 inclusion proof as `{leaf_index, tree_size, leaf_hash, root_hash, audit_path}`.

    Bad requests raise ProofRequestError naming the field: `index` or `size` (CLI and API).
    """
    conn, size = _resolve_size(session, size, field="size")
    if not 0 <= leaf_index < size:
        raise ProofRequestError(
            f"leaf index {leaf_index} is not in a tree of size {size}", field="index"
        )
    ranges = merkle.inclusion_ranges(leaf_index, size)
    root_nodes = merkle.range_nodes(0, size)
    nodes = _fetch_nodes(conn, merkle.nodes_for(ranges) | set(root_nodes) | {(0, leaf_index)})
    return {
        "leaf_index": leaf_index,
        "tree_size": size,
        "leaf_hash": nodes[(0, leaf_index)].hex(),
        "root_hash": merkle.fold([nodes[n] for n in root_nodes]).hex(),
        "audit_path": [h.hex() for h in merkle.assemble(ranges, nodes)],
    }


def _consistency(conn: Connection, first: int, second: int) -> tuple[bytes, bytes, list[bytes]]:
    ranges = merkle.consistency_ranges(first, second)
    first_nodes, second_nodes = merkle.range_nodes(0, first), merkle.range_nodes(0, second)
    nodes = _fetch_nodes(conn, merkle.nodes_for(ranges) | set(first_nodes) | set(second_nodes))
    return (
        merkle.fold([nodes[n] for n in first_nodes]),
        merkle.fold([nodes[n] for n in second_nodes]),
        merkle.assemble(ranges, nodes),
    )


def consistency_proof(session: Session, *, first: int, second: int | None = None) -> dict[str, Any]:
    """RFC 9162 consistency proof as `{first, second, first_root, second_root, proof}`.

    Bad requests raise ProofRequestError naming the field: `from` or `to` (CLI and API).
    """
    conn, second = _resolve_size(session, second, field="to")
    if not 0 <= first <= second:
        raise ProofRequestError(
            f"no consistency proof from size {first} to size {second}", field="from"
        )
    first_root, second_root, proof = _consistency(conn, first, second)
    return {
        "first": first,
        "second": second,
        "first_root": first_root.hex(),
        "second_root": second_root.hex(),
        "proof": [h.hex() for h in proof],
    }


def _entry_dict(seq: int, data: bytes, leaf: bytes) -> dict[str, Any]:
    return {**entry_format.decode_entry(data).as_dict(), "seq": seq, "leaf_hash": leaf.hex()}


def get_entry(session: Session, *, seq: int, with_bytes: bool = False) -> dict[str, Any] | None:
    """One decoded entry with its leaf hash, or None.

    `with_bytes` adds `canonical`: the stored RFC 8785 text, whose SHA-256(0x00 || bytes) is
    the leaf hash, so a client can check an entry against a proof without trusting the decoder.
    """
    row = (
        session.connection()
        .execute(
            select(_entries.c.seq, _entries.c.entry, _entries.c.leaf_hash).where(
                _entries.c.seq == seq
            )
        )
        .one_or_none()
    )
    if row is None:
        return None
    found = _entry_dict(row.seq, row.entry, row.leaf_hash)
    if with_bytes:
        found["canonical"] = bytes(row.entry).decode()
    return found


def get_entry_or_raise(session: Session, *, seq: int, with_bytes: bool = False) -> dict[str, Any]:
    found = get_entry(session, seq=seq, with_bytes=with_bytes)
    if found is None:
        raise EntryNotFoundError(f"ledger entry {seq} does not exist")
    return found


def search_entries(
    session: Session,
    *,
    kind: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Newest-first entries for the inspector page; `kind` also matches `kind.*`.

    Entries hold references only (publishers never put sealed values in events), so what is
    returned is safe to show an inspector. Page back with `before_seq` = the last seq shown;
    page forward with `after_seq` = the first seq shown (the `limit` entries just above it).
    """
    query = select(_entries.c.seq, _entries.c.entry, _entries.c.leaf_hash)
    if kind:
        query = query.where(or_(_entries.c.kind == kind, _entries.c.kind.startswith(kind + ".")))
    if actor:
        query = query.where(_entries.c.actor == actor)
    if since is not None:
        query = query.where(_entries.c.recorded_at >= since)
    if until is not None:
        query = query.where(_entries.c.recorded_at < until)
    if before_seq is not None:
        query = query.where(_entries.c.seq < before_seq)
    limit = max(1, min(limit, 500))
    if after_seq is not None:
        query = query.where(_entries.c.seq > after_seq).order_by(_entries.c.seq).limit(limit)
        rows = list(session.connection().execute(query))[::-1]
    else:
        query = query.order_by(_entries.c.seq.desc()).limit(limit)
        rows = list(session.connection().execute(query))
    return [_entry_dict(*row) for row in rows]


def seqs_by_data_value(
    session: Session, *, kind: str, key: str, values: Sequence[int]
) -> dict[int, int]:
    """`{value: seq}` for the `kind` entries whose `data[key]` is one of the integer `values`.

    Entries are RFC 8785 JSON with sorted keys and no spaces, so `"key":value` followed by
    `,` or `}` is a byte pattern; each candidate is decoded and checked, so a lookalike in
    another field cannot match. For a handful of values (one report's decisions).
    """
    if not values:
        return {}
    conn = session.connection()
    # The entry bytes as text: PostgreSQL decodes bytea explicitly; SQLite's LIKE skips blobs.
    text = (
        func.convert_from(_entries.c.entry, "UTF8")
        if conn.dialect.name == "postgresql"
        else sa.cast(_entries.c.entry, sa.String)
    )
    query = select(_entries.c.seq, _entries.c.entry).where(
        _entries.c.kind == kind, or_(*(text.like(f'%"{key}":{int(v)}%') for v in values))
    )
    wanted, found = set(values), {}
    for seq, data in conn.execute(query.order_by(_entries.c.seq)):
        value = entry_format.decode_entry(bytes(data)).data.get(key)
        if isinstance(value, int) and value in wanted and value not in found:
            found[value] = int(seq)
    return found


# --- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointInfo:
    number: int
    tree_size: int
    root_hash: bytes
    note: str
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "note": self.note,
            "created_at": self.created_at.isoformat(),
        }


def _checkpoint_info(row: Any) -> CheckpointInfo:
    return CheckpointInfo(row.number, row.tree_size, bytes(row.root_hash), row.note, row.created_at)


def latest_checkpoint(session: Session) -> CheckpointInfo | None:
    """The newest signed checkpoint (what `GET /api/v1/ledger/checkpoint` serves)."""
    row = (
        session.connection()
        .execute(select(_checkpoints).order_by(_checkpoints.c.number.desc()).limit(1))
        .one_or_none()
    )
    return None if row is None else _checkpoint_info(row)


def list_checkpoints(session: Session) -> list[CheckpointInfo]:
    rows = session.connection().execute(select(_checkpoints).order_by(_checkpoints.c.number))
    return [_checkpoint_info(row) for row in rows]


def create_checkpoint(session: Session, *, signer: NoteSigner, origin: str) -> CheckpointInfo:
    """Sign the current tree head, after proving it extends the previous checkpoint.

    Returns the latest checkpoint unchanged when no entry was added since it.
    """
    conn = session.connection()
    head = _lock_head(conn)
    latest = latest_checkpoint(session)
    if latest is not None and latest.tree_size == head.tree_size:
        return latest
    root = head.root_hash
    if latest is not None:
        # C2SP tlog-checkpoint: never sign a checkpoint inconsistent with an earlier one.
        _, _, proof = _consistency(conn, latest.tree_size, head.tree_size)
        try:
            merkle.verify_consistency(
                latest.tree_size, head.tree_size, latest.root_hash, root, proof
            )
        except InvalidProofError as exc:
            raise LedgerStateError(
                f"refusing to sign: the log is not consistent with checkpoint "
                f"#{latest.number} ({exc.message}); run `safeshare ledger verify`"
            ) from exc
    note = sign_checkpoint(Checkpoint(origin, head.tree_size, root), signer)
    info = CheckpointInfo(head.checkpoint_count + 1, head.tree_size, root, note, utcnow())
    conn.execute(
        insert(_checkpoints).values(
            number=info.number,
            tree_size=info.tree_size,
            root_hash=root,
            note=note,
            created_at=info.created_at,
        )
    )
    conn.execute(update(_head).where(_head.c.id == _HEAD_ID).values(checkpoint_count=info.number))
    return info


def checkpoint_if_due(
    session: Session,
    *,
    signer: NoteSigner,
    origin: str,
    max_age: timedelta = timedelta(minutes=5),
    max_entries: int = 10_000,
    now: datetime | None = None,
) -> CheckpointInfo | None:
    """Sign a checkpoint when entries are waiting and the last one is old or far behind."""
    size = tree_size(session)
    latest = latest_checkpoint(session)
    behind = size - (latest.tree_size if latest else 0)
    if behind <= 0:
        return None
    age = (now or utcnow()) - latest.created_at if latest else max_age
    if latest is not None and behind < max_entries and age < max_age:
        return None
    return create_checkpoint(session, signer=signer, origin=origin)


# --- verification ----------------------------------------------------------------------------


def cosignature_lines(conn: Connection, *, max_number: int | None = None) -> dict[int, list[str]]:
    """Stored witness cosignature lines by checkpoint number."""
    query = select(_cosignatures.c.checkpoint_number, _cosignatures.c.signature_line)
    if max_number is not None:
        query = query.where(_cosignatures.c.checkpoint_number <= max_number)
    lines: dict[int, list[str]] = {}
    for n, line in conn.execute(query.order_by(_cosignatures.c.witness)):
        lines.setdefault(int(n), []).append(str(line))
    return lines


def cosigned_note(session: Session, checkpoint: CheckpointInfo) -> str:
    """The checkpoint's signed note plus its witnesses' cosignature lines (what is published)."""
    lines = cosignature_lines(session.connection(), max_number=checkpoint.number)
    return add_signature_lines(checkpoint.note, lines.get(checkpoint.number, []))


def _checkpoint_records(conn: Connection, *, max_size: int | None = None) -> list[CheckpointRecord]:
    query = select(_checkpoints).order_by(_checkpoints.c.number)
    if max_size is not None:
        query = query.where(_checkpoints.c.tree_size <= max_size)
    lines = cosignature_lines(conn)
    return [
        CheckpointRecord(
            r.number,
            add_signature_lines(r.note, lines.get(r.number, [])),
            r.tree_size,
            bytes(r.root_hash),
        )
        for r in conn.execute(query)
    ]


def count_entries(session: Session) -> int:
    return int(
        session.connection().execute(select(func.count()).select_from(_entries)).scalar_one()
    )


def _stream(conn: Connection, query: Any) -> Iterator[Any]:
    # Per statement: Connection.execution_options() would change the caller's connection.
    yield from conn.execute(query, execution_options={"yield_per": _STREAM_ROWS})


def verify_log(
    session: Session,
    *,
    verifiers: Sequence[NoteVerifier],
    origin: str,
    progress: Callable[[int], None] | None = None,
    witnesses: Sequence[CosignatureVerifier] = (),
    quorum: int = 0,
    outside: Sequence[str] = (),
) -> AuditReport:
    """Recompute the whole tree from stored entry bytes and check everything against it.

    Checks sequence (no gaps, nothing inserted or reordered), the hash chain, stored leaf and
    subtree hashes, the head row, every checkpoint's signature and root, and consistency of
    successive checkpoints. With `quorum`, the newest checkpoint must carry that many valid
    cosignatures from `witnesses`; `outside` checkpoints (a witness's latest, one an
    inspector kept) catch truncation and rollback, which leave no trace inside the database.
    Problems name the first entry they implicate.
    """
    conn = session.connection()
    auditor = LogAuditor()
    rows = _stream(
        conn,
        select(_entries.c.seq, _entries.c.entry, _entries.c.leaf_hash).order_by(_entries.c.seq),
    )
    auditor.feed(((seq, bytes(data), bytes(leaf)) for seq, data, leaf in rows), progress)
    records = _checkpoint_records(conn)
    covered = auditor.check_checkpoints(
        records, verifiers, origin=origin, witnesses=witnesses, quorum=quorum
    )
    auditor.check_witnessed_state(outside, verifiers, origin=origin, witnesses=witnesses)
    _check_nodes(conn, auditor)
    _check_head(conn, auditor)
    return auditor.report(checkpoints=len(records), covered_size=covered)


def _check_nodes(conn: Connection, auditor: LogAuditor) -> None:
    """The stored subtree hashes (which proofs are built from) must match the entries."""
    levels = auditor.tree.levels
    stored: dict[int, bytearray] = {}
    for level, idx, h in _stream(
        conn,
        select(_nodes.c.level, _nodes.c.idx, _nodes.c.hash).order_by(_nodes.c.level, _nodes.c.idx),
    ):
        buf = stored.setdefault(level, bytearray())
        if len(buf) == idx * merkle.HASH_SIZE:
            buf += h
        else:
            buf += bytes(merkle.HASH_SIZE)  # a gap or a duplicate: force a mismatch here
    for level in sorted(set(stored) | set(range(1, len(levels)))):
        want = levels[level] if level < len(levels) else b""
        got = bytes(stored.get(level, b""))
        if got == want:
            continue
        limit = min(len(got), len(want))
        first = (
            next((i for i in range(0, limit, 32) if got[i : i + 32] != want[i : i + 32]), limit)
            // merkle.HASH_SIZE
        )
        start = first << level
        auditor.problems.append(
            Problem(
                start,
                f"stored subtree hash (level {level}, index {first}) for entries {start}.."
                f"{start + (1 << level) - 1} does not match the entries (or is missing/extra)",
                until=start + (1 << level) - 1,
            )
        )
        return


def _check_head(conn: Connection, auditor: LogAuditor) -> None:
    head = conn.execute(select(_head).where(_head.c.id == _HEAD_ID)).one_or_none()
    if head is None:
        auditor.problems.append(Problem(None, "the ledger head row is missing"))
        return
    size = auditor.size
    if head.tree_size != size:
        auditor.problems.append(
            Problem(
                min(head.tree_size, size),
                f"the ledger head records {head.tree_size} entries but {size} are stored",
            )
        )
    elif merkle.fold(_split_frontier(head.frontier)) != auditor.tree.root():
        auditor.problems.append(Problem(None, "the ledger head's tree edge does not match"))


def verification_status(
    session: Session,
    *,
    verifiers: Sequence[NoteVerifier],
    origin: str,
    witnesses: Sequence[CosignatureVerifier] = (),
    quorum: int = 0,
) -> dict[str, Any]:
    """A quick check for the inspector page (full recomputation is `safeshare ledger verify`).

    Verifies the latest checkpoint's signature, that the stored tree still has its root, and
    that it is consistent with the checkpoint before it; `witnessing` says whether a quorum
    of witnesses cosigned it.
    """
    conn = session.connection()
    size = tree_size(session)
    records = _checkpoint_records(conn)[-2:]
    problems: list[str] = []
    checked: list[Checkpoint] = []
    for record in records:
        try:
            cp = open_checkpoint(record.note, verifiers, origin=origin)
        except NoteError as exc:
            problems.append(f"checkpoint #{record.number}: {exc.message}")
            continue
        if cp.tree_size > size:
            problems.append(f"checkpoint #{record.number} signs more entries than are stored")
            continue
        checked.append(cp)
    try:
        if checked:
            first, last = checked[0], checked[-1]
            _, last_root, proof = _consistency(conn, first.tree_size, last.tree_size)
            if last_root != last.root_hash:
                problems.append("the stored tree does not match the latest checkpoint")
            merkle.verify_consistency(
                first.tree_size, last.tree_size, first.root_hash, last.root_hash, proof
            )
    except (InvalidProofError, LedgerStateError) as exc:
        problems.append(exc.message)
    latest = latest_checkpoint(session)
    witnessing = witnessing_status(session, latest, witnesses=witnesses, quorum=quorum)
    if witnessing.get("problem"):
        problems.append(str(witnessing["problem"]))
    return {
        "ok": not problems,
        "witnessing": witnessing,
        "scope": "latest checkpoints",
        "checked_at": utcnow().isoformat(),
        "tree_size": size,
        "latest_checkpoint": latest.as_dict() if latest else None,
        "uncovered_entries": size - (latest.tree_size if latest else 0),
        "problems": problems,
    }


def witnessing_status(
    session: Session,
    checkpoint: CheckpointInfo | None,
    *,
    witnesses: Sequence[CosignatureVerifier],
    quorum: int,
) -> dict[str, Any]:
    """Who cosigned `checkpoint` and whether that meets the quorum (None: none required)."""
    found: list[str] = []
    problem = None
    if checkpoint is not None and witnesses:
        try:
            found = [
                c.witness
                for c in verify_cosignatures(cosigned_note(session, checkpoint), witnesses)
            ]
        except NoteError as exc:
            problem = f"checkpoint #{checkpoint.number}: {exc.message}"
    return {
        "quorum": quorum,
        "cosigners": found,
        "is_witnessed": (len(found) >= quorum and checkpoint is not None) if quorum else None,
        "problem": problem,
    }


# --- export ----------------------------------------------------------------------------------


def export_bundle(session: Session, *, out: Path, verifier: NoteVerifier, origin: str) -> int:
    """Write a self-contained bundle of the log as this transaction sees it; return its size."""
    conn = session.connection()
    size = tree_size(session)
    root_nodes = merkle.range_nodes(0, size)
    stored = _fetch_nodes(conn, set(root_nodes))
    checkpoints = conn.execute(
        select(_checkpoints).where(_checkpoints.c.tree_size <= size).order_by(_checkpoints.c.number)
    )
    lines = cosignature_lines(conn)
    rows = _stream(
        conn, select(_entries.c.entry).where(_entries.c.seq < size).order_by(_entries.c.seq)
    )
    return write_bundle(
        out,
        entries=(bytes(data) for (data,) in rows),
        checkpoints=[
            BundleCheckpoint(
                r.number,
                r.created_at.isoformat(),
                add_signature_lines(r.note, lines.get(r.number, [])),
            )
            for r in checkpoints
        ],
        verifier_key=verifier.to_vkey(),
        origin=origin,
        tree_size=size,
        root_hash=merkle.fold([stored[n] for n in root_nodes]),
    )
