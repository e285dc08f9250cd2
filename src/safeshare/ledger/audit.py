"""Recompute a log from its entry bytes and check it against its signed checkpoints.

Shared by `safeshare ledger verify` (database) and `safeshare-verify` (offline bundle), so it
uses only the stdlib, `cryptography` and the pure ledger modules. The hot loop hashes the
stored bytes and checks each entry's position and hash-chain link with one slice comparison
(see `entry`); JSON is parsed only to explain an entry that fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from safeshare.ledger import entry as entry_format
from safeshare.ledger.checkpoint import Checkpoint, open_checkpoint
from safeshare.ledger.cosignature import CosignatureVerifier, verify_cosignatures
from safeshare.ledger.errors import InvalidProofError, NoteError
from safeshare.ledger.merkle import LEAF_PREFIX, MemoryTree, verify_consistency
from safeshare.ledger.note import NoteVerifier

MAX_ENTRY_PROBLEMS = 10  # after a deletion every later position is off; the first one matters
PROGRESS_EVERY = 10_000

Progress = Callable[[int], None]
Row = tuple[int | None, bytes, bytes | None]  # (stored seq, entry bytes, stored leaf hash)


@dataclass(frozen=True)
class Problem:
    """One thing wrong, and the first entry it implicates (`seq`; None: not about an entry).

    When evidence only narrows the bad entry to a range (a signed root that no longer
    matches), `seq`..`until` is that range; a problem naming one entry has `until` None.
    """

    seq: int | None
    message: str
    checkpoint: int | None = None
    until: int | None = None
    # "tamper": evidence the log was changed; "unwitnessed": too few witnesses vouch for it.
    kind: str = "tamper"

    @property
    def where(self) -> str:
        if self.seq is None:
            return "log-level"
        if self.until is not None and self.until != self.seq:
            return f"first bad entry within {self.seq}..{self.until}"
        return f"first bad entry: {self.seq}"

    def sort_key(self) -> tuple[bool, int, int]:
        """Earliest first; an exact entry inside a range beats the range's start."""
        last = self.until if self.until is not None else self.seq
        return (self.seq is None, last or 0, self.checkpoint or 0)


@dataclass(frozen=True)
class CheckpointRecord:
    """A stored checkpoint: its number, signed note, and the columns stored beside it."""

    number: int
    note: str
    tree_size: int | None = None
    root_hash: bytes | None = None


@dataclass(frozen=True)
class AuditReport:
    tree_size: int
    root_hash: bytes
    checkpoints: int
    covered_size: int  # tree size of the latest checkpoint that verified
    problems: tuple[Problem, ...]
    warnings: tuple[str, ...] = ()  # limits of what could be checked, not tampering
    witnessed_size: int | None = None  # newest checkpoint with a quorum (None: not required)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def status(self) -> Literal["ok", "unwitnessed", "tampered"]:
        """ "ok", "unwitnessed" (only too few cosignatures) or "tampered"."""
        if not self.problems:
            return "ok"
        return "unwitnessed" if all(p.kind == "unwitnessed" for p in self.problems) else "tampered"

    @property
    def first_problem(self) -> Problem | None:
        """The problem implicating the earliest entry (entry problems before others)."""
        if not self.problems:
            return None
        return min(self.problems, key=Problem.sort_key)

    def summary(self) -> str:
        if not self.ok:
            first = self.first_problem
            assert first is not None
            more = len(self.problems) - 1
            extra = f" ({more} further problem{'s' if more != 1 else ''})" if more else ""
            if self.status == "unwitnessed":
                return f"Ledger NOT WITNESSED: {first.message}{extra}"
            return f"Ledger verification FAILED ({first.where}): {first.message}{extra}"
        text = (
            f"Ledger verified: {self.tree_size} entries, root {self.root_hash.hex()}, "
            f"{self.checkpoints} signed checkpoint(s) valid and consistent, no gaps."
        )
        if self.covered_size < self.tree_size:
            text += (
                f" Entries {self.covered_size}..{self.tree_size - 1} are not yet covered "
                "by a signed checkpoint."
            )
        if self.witnessed_size is not None:
            text += f" Witnessed by a quorum up to {self.witnessed_size} entries."
        return text

    def lines(self) -> list[str]:
        """The summary, then every further problem: what the CLIs print."""
        first = self.first_problem
        return (
            [self.summary()]
            + [f"  also: {p.message}" for p in self.problems if p != first]
            + [f"  note: {w}" for w in self.warnings]
        )

    def as_dict(self) -> dict[str, object]:
        first = self.first_problem
        return {
            "ok": self.ok,
            "status": self.status,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "checkpoints": self.checkpoints,
            "covered_size": self.covered_size,
            "witnessed_size": self.witnessed_size,
            "first_bad_entry": first.seq if first else None,
            "problems": [
                {"seq": p.seq, "checkpoint": p.checkpoint, "kind": p.kind, "message": p.message}
                for p in self.problems
            ],
            "warnings": list(self.warnings),
            "summary": self.summary(),
        }


class LogAuditor:
    """Feed it every entry in order, then the checkpoints; it recomputes the tree."""

    def __init__(self) -> None:
        self._leaves = bytearray()
        self._prev_hex = entry_format.GENESIS_PREV.encode()
        self._entry_problems: list[Problem] = []
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.witnessed_size: int | None = None
        self._tree: MemoryTree | None = None

    @property
    def size(self) -> int:
        return len(self._leaves) // 32

    def feed(self, rows: Iterable[Row], progress: Progress | None = None) -> None:
        """Hash and check entries; rows carry stored seq / leaf hash columns where known."""
        leaves, sha, prefix = self._leaves, hashlib.sha256, LEAF_PREFIX
        has_tail = entry_format.has_expected_tail
        position, prev_hex = self.size, self._prev_hex
        for stored_seq, data, stored_leaf in rows:
            leaf = sha(prefix + data).digest()
            if stored_seq is not None and stored_seq != position:
                self._positional_problem(position, stored_seq)
            elif not has_tail(data, position, prev_hex):
                self._explain(position, data, prev_hex)
            elif stored_leaf is not None and stored_leaf != leaf:
                self._entry_problem(
                    position,
                    f"entry {position} was altered: its bytes no longer match the leaf hash "
                    "recorded when it was appended",
                )
            leaves += leaf
            prev_hex = leaf.hex().encode()
            position += 1
            if progress is not None and position % PROGRESS_EVERY == 0:
                progress(position)
        self._prev_hex = prev_hex
        self._tree = None
        if progress is not None:
            progress(position)

    def _entry_problem(self, seq: int, message: str) -> None:
        if len(self._entry_problems) < MAX_ENTRY_PROBLEMS:
            problem = Problem(seq, message)
            if problem not in self._entry_problems:
                self._entry_problems.append(problem)

    def _positional_problem(self, position: int, stored_seq: int) -> None:
        if stored_seq > position:
            self._entry_problem(
                position, f"entry {position} is missing: the next stored entry is {stored_seq}"
            )
        else:
            self._entry_problem(
                position,
                f"position {position} holds entry {stored_seq}: entries inserted or reordered",
            )

    def _leaf(self, seq: int) -> bytes:
        return bytes(self._leaves[seq * 32 : seq * 32 + 32])

    def _explain(self, position: int, data: bytes, prev_hex: bytes) -> None:
        """Slow path: parse the entry to say what is wrong with it."""
        try:
            entry = entry_format.decode_entry(data)
        except entry_format.MalformedEntryError as exc:
            self._entry_problem(position, f"entry {position} is malformed: {exc}")
            return
        if entry.seq > position:
            self._entry_problem(
                position,
                f"entry {position} is missing: position {position} holds entry "
                f"{entry.seq} (entries deleted or reordered)",
            )
        elif entry.seq < position:
            expected_prev = (
                self._leaf(entry.seq - 1).hex() if entry.seq else entry_format.GENESIS_PREV
            )
            already = any(
                p.seq is not None and entry.seq <= p.seq < position for p in self._entry_problems
            )
            if entry.prev == expected_prev and not already:
                self._entry_problem(
                    entry.seq,
                    f"entries {entry.seq}..{position - 1} were inserted: the original entry "
                    f"{entry.seq} now sits at position {position}",
                )
            else:
                self._entry_problem(
                    position,
                    f"position {position} holds a copy of entry {entry.seq} "
                    "(entries duplicated or reordered)",
                )
        elif entry.prev.encode() != prev_hex:
            if position == 0:
                self._entry_problem(0, "entry 0 does not start the hash chain")
            else:
                self._entry_problem(
                    position - 1,
                    f"entry {position - 1} was altered or replaced: entry {position} "
                    "records a different hash for it",
                )
        else:
            self._entry_problem(position, f"entry {position} is not in canonical form")

    @property
    def tree(self) -> MemoryTree:
        if self._tree is None:
            self._tree = MemoryTree(bytes(self._leaves))
        return self._tree

    def check_checkpoints(
        self,
        records: Sequence[CheckpointRecord],
        verifiers: Sequence[NoteVerifier],
        *,
        origin: str,
        witnesses: Sequence[CosignatureVerifier] = (),
        quorum: int = 0,
    ) -> int:
        """Check signatures, roots, successive consistency and, with `quorum`, that the newest
        checkpoint carries that many valid witness cosignatures; return the size covered."""
        verified: Checkpoint | None = None  # latest checkpoint that matched the entries
        last_size = 0
        cosigned: dict[int, int] = {}  # checkpoint number -> valid cosignatures
        for expected, record in enumerate(records, start=1):
            n = record.number
            if n != expected:
                self.problems.append(
                    Problem(None, f"checkpoint #{expected} is missing (found #{n})", expected)
                )
            try:
                checkpoint = open_checkpoint(record.note, verifiers, origin=origin)
            except NoteError as exc:
                self.problems.append(
                    Problem(None, f"checkpoint #{n} is forged or corrupted: {exc.message}", n)
                )
                continue
            if (record.tree_size, record.root_hash) not in {
                (None, None),
                (checkpoint.tree_size, checkpoint.root_hash),
            }:
                self.problems.append(
                    Problem(
                        None,
                        f"checkpoint #{n}: stored size or root differs from the signed note",
                        n,
                    )
                )
            if checkpoint.tree_size < last_size:
                self.problems.append(
                    Problem(None, f"checkpoint #{n} is smaller than the one before it", n)
                )
            last_size = max(last_size, checkpoint.tree_size)
            cosigned[n] = self._count_cosignatures(n, record.note, witnesses)
            if quorum and cosigned[n] >= quorum:
                self.witnessed_size = checkpoint.tree_size
            self._check_against_entries(n, checkpoint, verified)
            if not any(p.checkpoint == n for p in self.problems):
                verified = checkpoint
        if quorum and records:
            self._require_quorum(records[-1].number, cosigned, quorum)
        return verified.tree_size if verified else 0

    def _count_cosignatures(
        self, n: int, note: str, witnesses: Sequence[CosignatureVerifier]
    ) -> int:
        if not witnesses:
            return 0
        try:
            return len(verify_cosignatures(note, witnesses))
        except NoteError as exc:
            self.problems.append(Problem(None, f"checkpoint #{n}: {exc.message} (forged)", n))
            return 0

    def _require_quorum(self, last: int, cosigned: dict[int, int], quorum: int) -> None:
        """The newest checkpoint must be witnessed; earlier ones are covered by consistency."""
        count = cosigned.get(last, 0)
        if count >= quorum:
            return
        witnessed = [n for n, c in cosigned.items() if c >= quorum]
        newest = (
            f"the newest witnessed checkpoint is #{max(witnessed)} ({self.witnessed_size} entries)"
            if witnessed
            else "no checkpoint is witnessed, so the log rests on the operator's key alone"
        )
        self.problems.append(
            Problem(
                None,
                f"checkpoint #{last} is not witnessed: {count} of the {quorum} required "
                f"witness cosignatures; {newest}",
                last,
                kind="unwitnessed",
            )
        )
        if self.witnessed_size is None:
            self.witnessed_size = 0

    def check_witnessed_state(
        self,
        notes: Sequence[str],
        verifiers: Sequence[NoteVerifier],
        *,
        origin: str,
        witnesses: Sequence[CosignatureVerifier] = (),
    ) -> None:
        """Compare the stored log with checkpoints held outside it (a witness's latest, or
        one an inspector saved): a log that is smaller, or has another root at that size,
        was truncated, rolled back or rewritten."""
        tree = self.tree
        for note in notes:
            try:
                checkpoint = open_checkpoint(note, verifiers, origin=origin)
                cosigners = [c.witness for c in verify_cosignatures(note, witnesses)]
            except NoteError as exc:
                self.warnings.append(f"ignored an outside checkpoint: {exc.message}")
                continue
            by = f" cosigned by {', '.join(cosigners)}" if cosigners else ""
            size = checkpoint.tree_size
            if size > tree.size:
                self.problems.append(
                    Problem(
                        tree.size,
                        f"rollback or truncation: a checkpoint of {size} entries{by} exists "
                        f"outside the database, which holds only {tree.size}",
                    )
                )
            elif tree.root(size) != checkpoint.root_hash:
                self.problems.append(
                    Problem(
                        0,
                        f"history rewritten: the first {size} stored entries do not match the "
                        f"checkpoint{by} held outside the database",
                        until=size - 1,
                    )
                )

    def _check_against_entries(
        self, n: int, checkpoint: Checkpoint, previous: Checkpoint | None
    ) -> None:
        tree, size = self.tree, checkpoint.tree_size
        good = previous.tree_size if previous else 0
        if size > tree.size:
            self.problems.append(
                Problem(
                    tree.size,
                    f"checkpoint #{n} signs {size} entries but only {tree.size} are stored: "
                    f"entries {tree.size}..{size - 1} were deleted",
                    n,
                )
            )
            return
        if tree.root(size) != checkpoint.root_hash:
            self.problems.append(
                Problem(
                    good,
                    f"entries {good}..{size - 1} do not match the root hash signed in "
                    f"checkpoint #{n}: one of them was altered, inserted or removed"
                    + (f" (entries before {good} match checkpoint #{n - 1})" if good else ""),
                    n,
                    until=size - 1,
                )
            )
            return
        if previous is not None:
            try:
                verify_consistency(
                    previous.tree_size,
                    size,
                    previous.root_hash,
                    checkpoint.root_hash,
                    tree.consistency_proof(previous.tree_size, size),
                )
            except InvalidProofError as exc:
                self.problems.append(
                    Problem(
                        good,
                        f"checkpoint #{n} is not consistent with the one before it: {exc.message}",
                        n,
                    )
                )

    def report(self, *, checkpoints: int, covered_size: int) -> AuditReport:
        # Entry problems stay in discovery (position) order: on ties the earlier finding wins.
        problems = tuple(self._entry_problems) + tuple(self.problems)
        return AuditReport(
            tree_size=self.size,
            root_hash=self.tree.root(),
            checkpoints=checkpoints,
            covered_size=covered_size,
            problems=problems,
            warnings=tuple(self.warnings),
            witnessed_size=self.witnessed_size,
        )
