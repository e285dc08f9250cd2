"""A transparency-log witness (c2sp.org/tlog-witness): cosign only consistent checkpoints.

A witness is run by someone other than the force (a PCC office, the inspectorate, a 'by and
for' organisation): its own Ed25519 key, its own SQLite file holding the latest checkpoint it
cosigned per log origin, its own process. It cosigns a new checkpoint only with a consistency
proof from the one it holds, so a log operator who truncates, rolls back or rewrites the log
cannot get it cosigned, and verifiers that require a quorum of cosignatures notice.

Stdlib and the pure ledger modules only: no SafeShare database, no web stack.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from safeshare.ledger import merkle
from safeshare.ledger.checkpoint import Checkpoint
from safeshare.ledger.cosignature import CosignatureSigner, add_signature_lines
from safeshare.ledger.errors import InvalidProofError, NoteError
from safeshare.ledger.note import NoteVerifier, open_note, parse_note

MAX_PROOF_LINES = 63  # "add-checkpoint": clients MUST NOT send more
MAX_BODY_BYTES = 64 * 1024
SIZE_CONTENT_TYPE = "text/x.tlog.size"
NOTE_CONTENT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class WitnessResponse:
    """An HTTP status, body and content type, independent of any web framework."""

    status: int
    body: str
    content_type: str = NOTE_CONTENT_TYPE


def _fail(status: int, message: str) -> WitnessResponse:
    return WitnessResponse(status, message + "\n")


@dataclass(frozen=True)
class AddCheckpointRequest:
    old_size: int
    proof: tuple[bytes, ...]
    note: str

    def to_body(self) -> bytes:
        """The request body: `old N`, proof lines, a blank line, the signed checkpoint."""
        lines = [f"old {self.old_size}"] + [base64.b64encode(h).decode() for h in self.proof]
        return ("\n".join(lines) + "\n\n" + self.note).encode()

    @classmethod
    def parse(cls, body: bytes) -> AddCheckpointRequest:
        """Strict parse of an add-checkpoint body; NoteError on anything malformed."""
        try:
            text = body.decode()
        except UnicodeDecodeError as exc:
            raise NoteError("request body is not UTF-8") from exc
        head, sep, note = text.partition("\n\n")
        lines = head.split("\n")
        if not sep or not lines[0].startswith("old "):
            raise NoteError("request must start with an old size line and a blank line")
        size = lines[0][4:]
        if not size.isascii() or not size.isdigit() or (size != "0" and size.startswith("0")):
            raise NoteError("old size is not a canonical decimal")
        if len(lines) - 1 > MAX_PROOF_LINES:
            raise NoteError("too many consistency proof lines")
        try:
            proof = tuple(base64.b64decode(line, validate=True) for line in lines[1:])
        except binascii.Error as exc:
            raise NoteError("consistency proof line is not base64") from exc
        if any(len(h) != merkle.HASH_SIZE for h in proof):
            raise NoteError("consistency proof hashes are 32 bytes")
        return cls(int(size), proof, note)


@dataclass(frozen=True)
class Held:
    """The latest checkpoint a witness cosigned for one origin, with its cosigned note."""

    tree_size: int
    root_hash: bytes
    note: str


class WitnessStore:
    """The witness's state: one row per log origin, in a SQLite file of its own.

    `locked` holds SQLite's write lock (BEGIN IMMEDIATE) while the caller checks the old size
    and stores the new checkpoint, so the check and the update are atomic even across
    processes ("add-checkpoint": the rollback race).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # One connection for the process, used under a lock: reopening per request would make
        # SQLite checkpoint and delete the WAL every time (several extra fsyncs).
        self._conn = sqlite3.connect(
            path, isolation_level=None, timeout=30, check_same_thread=False
        )
        self._lock = threading.Lock()
        # WAL with synchronous=FULL: a durable commit is one append and one fsync; the witness
        # must persist a checkpoint before it answers ("add-checkpoint").
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS checkpoints (origin TEXT PRIMARY KEY, "
            "tree_size INTEGER NOT NULL, root_hash BLOB NOT NULL, note TEXT NOT NULL)"
        )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _read(self, origin: str) -> Held | None:
        row = self._conn.execute(
            "SELECT tree_size, root_hash, note FROM checkpoints WHERE origin = ?", (origin,)
        ).fetchone()
        return None if row is None else Held(int(row[0]), bytes(row[1]), str(row[2]))

    def get(self, origin: str) -> Held | None:
        with self._lock:
            return self._read(origin)

    @contextmanager
    def locked(self, origin: str) -> Iterator[tuple[Held | None, Callable[[Held], None]]]:
        """Yield (held checkpoint, save); everything commits together when the block ends."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:

                def save(new: Held) -> None:
                    conn.execute(
                        "INSERT INTO checkpoints (origin, tree_size, root_hash, note) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET "
                        "tree_size = excluded.tree_size, root_hash = excluded.root_hash, "
                        "note = excluded.note",
                        (origin, new.tree_size, new.root_hash, new.note),
                    )

                yield self._read(origin), save
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


def origin_hash(origin: str) -> str:
    """The monitoring path segment: lower-case hex SHA-256 of the origin."""
    return hashlib.sha256(origin.encode()).hexdigest()


class Witness:
    """The witness logic behind `POST /add-checkpoint` and `GET /<origin hash>/checkpoint`."""

    def __init__(
        self,
        *,
        signer: CosignatureSigner,
        logs: Sequence[NoteVerifier],
        store: WitnessStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.signer, self.store, self._clock = signer, store, clock
        # A log is identified by its origin; its checkpoints are signed under that name.
        self.logs: dict[str, list[NoteVerifier]] = {}
        for verifier in logs:
            self.logs.setdefault(verifier.name, []).append(verifier)

    def add_checkpoint(self, body: bytes) -> WitnessResponse:
        """Check the request in the order the spec gives its status codes; cosign or refuse."""
        try:
            request = AddCheckpointRequest.parse(body)
            text, _ = parse_note(request.note)
            checkpoint = Checkpoint.parse(text)
        except NoteError as exc:
            return _fail(400, exc.message)
        trusted = self.logs.get(checkpoint.origin)
        if trusted is None:
            return _fail(404, "unknown log origin")
        try:
            open_note(request.note, trusted)
        except NoteError:
            return _fail(403, "no valid signature from the log's key")
        if request.old_size > checkpoint.tree_size:
            return _fail(400, "old size is larger than the checkpoint size")
        with self.store.locked(checkpoint.origin) as (held, save):
            held_size = held.tree_size if held else 0
            if request.old_size != held_size:
                return WitnessResponse(409, f"{held_size}\n", SIZE_CONTENT_TYPE)
            problem = _inconsistency(request, checkpoint, held)
            if problem:
                return _fail(422, problem)
            # Seconds since the epoch; never zero ("add-checkpoint"), never repeated backwards.
            line = self.signer.cosign(text, max(1, int(self._clock())))
            save(
                Held(
                    checkpoint.tree_size,
                    checkpoint.root_hash,
                    add_signature_lines(_log_signed(request.note, trusted), [line]),
                )
            )
        return WitnessResponse(200, line)

    def latest(self, hashed_origin: str) -> WitnessResponse:
        """The latest cosigned checkpoint for an origin hash (tlog-witness, monitoring)."""
        for origin in self.logs:
            if origin_hash(origin) == hashed_origin:
                held = self.store.get(origin)
                if held is not None:
                    return WitnessResponse(200, held.note)
        return _fail(404, "no checkpoint cosigned for that log")


def _inconsistency(
    request: AddCheckpointRequest, checkpoint: Checkpoint, held: Held | None
) -> str | None:
    """Why the checkpoint does not extend the held one (422), or None."""
    if checkpoint.tree_size == 0 and checkpoint.root_hash != merkle.EMPTY_ROOT:
        return "an empty tree must have the empty root hash"
    old_root = held.root_hash if held else merkle.EMPTY_ROOT
    try:
        merkle.verify_consistency(
            request.old_size, checkpoint.tree_size, old_root, checkpoint.root_hash, request.proof
        )
    except InvalidProofError as exc:
        return f"consistency proof does not verify: {exc.message}"
    return None


def _log_signed(note: str, trusted: Sequence[NoteVerifier]) -> str:
    """The note with only the log's signature lines (others' cosignatures are not ours)."""
    text, signatures = parse_note(note)
    keys = {(v.name, v.key_id) for v in trusted}
    lines = [
        line
        for line, sig in zip(note[len(text) + 1 :].splitlines(), signatures, strict=True)
        if (sig.name, sig.key_id) in keys
    ]
    return text + "\n" + "".join(line + "\n" for line in lines)
