"""The log's side of c2sp.org/tlog-witness: ask witnesses to cosign each new checkpoint.

After a checkpoint commits, `witness_checkpoint` sends it to every configured witness that
has not cosigned it yet, with a consistency proof from the size that witness last cosigned
(learnt from the 409 answer when our record is behind), and stores the cosignature lines it
gets back. Network calls happen outside the ledger head lock, so appends never wait on them.
"""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, cast
from urllib.parse import urlsplit

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from safeshare.ledger import service
from safeshare.ledger.cosignature import (
    CosignatureVerifier,
    add_signature_lines,
    verify_cosignatures,
)
from safeshare.ledger.errors import NoteError
from safeshare.ledger.models import LedgerCheckpoint, LedgerCosignature
from safeshare.ledger.witness import SIZE_CONTENT_TYPE, AddCheckpointRequest, origin_hash

log = logging.getLogger(__name__)
_cosignatures = cast(Table, LedgerCosignature.__table__)
_checkpoints = cast(Table, LedgerCheckpoint.__table__)


Response = tuple[int, str, str]  # status, body, content type


class WitnessTransport(Protocol):
    """How requests reach a witness: HTTP in production, a direct call in some tests."""

    def post(self, url: str, body: bytes) -> tuple[int, str, str]: ...

    def get(self, url: str) -> tuple[int, str, str]: ...

    def post_all(self, requests: Sequence[tuple[str, bytes]]) -> list[Response | Exception]:
        """Every request, concurrently where the transport can; failures as exceptions."""
        ...


class HttpTransport:
    """HTTP/1.1 with one kept-alive connection per witness host (the spec's advice)."""

    def __init__(self, *, timeout: float = 5.0, max_parallel: int = 8) -> None:
        self._timeout = timeout
        self._local = threading.local()
        # Long-lived worker threads, so each keeps its kept-alive connections between rounds.
        self._executor = ThreadPoolExecutor(max_parallel, thread_name_prefix="witness-http")

    def _connection(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        parts = urlsplit(url)
        pool: dict[tuple[str, str], http.client.HTTPConnection] = self._local.__dict__.setdefault(
            "pool", {}
        )
        key = (parts.scheme, parts.netloc)
        conn = pool.get(key)
        if conn is None:
            factory = (
                http.client.HTTPSConnection
                if parts.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = pool[key] = factory(parts.netloc, timeout=self._timeout)
        return conn, parts.path or "/"

    def _request(self, method: str, url: str, body: bytes | None) -> tuple[int, str, str]:
        conn, path = self._connection(url)
        headers = {"Content-Type": "text/plain; charset=utf-8"} if body is not None else {}
        for attempt in (1, 2):  # a kept-alive connection the server closed: reconnect once
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                return response.status, text, response.getheader("Content-Type", "")
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def post(self, url: str, body: bytes) -> tuple[int, str, str]:
        return self._request("POST", url, body)

    def get(self, url: str) -> tuple[int, str, str]:
        return self._request("GET", url, None)

    def post_all(self, requests: Sequence[tuple[str, bytes]]) -> list[Response | Exception]:
        """The witnesses answer in parallel: publishing waits for the slowest, not the sum."""
        futures = [self._executor.submit(self.post, url, body) for url, body in requests]
        results: list[Response | Exception] = []
        for future in futures:
            try:
                results.append(future.result())
            except (OSError, http.client.HTTPException) as exc:
                results.append(exc)
        return results


@dataclass(frozen=True)
class WitnessEndpoint:
    """A witness the service submits to: submission URL prefix and cosigner key."""

    url: str
    verifier: CosignatureVerifier

    @property
    def name(self) -> str:
        return self.verifier.name


@dataclass(frozen=True)
class WitnessOutcome:
    witness: str
    ok: bool
    detail: str


def _last_cosigned_size(session: Session, witness: str) -> int:
    """The largest tree size this witness cosigned for us (our guess at its state)."""
    size = (
        session.connection()
        .execute(
            select(func.max(_checkpoints.c.tree_size))
            .select_from(
                _cosignatures.join(
                    _checkpoints, _checkpoints.c.number == _cosignatures.c.checkpoint_number
                )
            )
            .where(_cosignatures.c.witness == witness)
        )
        .scalar_one_or_none()
    )
    return int(size or 0)


def _request(session: Session, *, old: int, checkpoint: service.CheckpointInfo) -> bytes:
    proof = service.consistency_proof(session, first=old, second=checkpoint.tree_size)["proof"]
    return AddCheckpointRequest(
        old, tuple(bytes.fromhex(h) for h in proof), checkpoint.note
    ).to_body()


def _outcome(
    session: Session,
    *,
    checkpoint: service.CheckpointInfo,
    witness: WitnessEndpoint,
    transport: WitnessTransport,
    old: int,
    response: Response,
) -> WitnessOutcome:
    """Store a cosignature, or after a 409 retry once from the size the witness holds."""
    status, body, content_type = response
    if status == 409 and content_type.startswith(SIZE_CONTENT_TYPE):
        held = body.strip()
        if not held.isdigit() or int(held) == old:
            return WitnessOutcome(witness.name, False, "the witness's state conflicts with the log")
        if int(held) > checkpoint.tree_size:
            return WitnessOutcome(
                witness.name, False, f"the witness holds a larger tree ({held} entries)"
            )
        retry = _request(session, old=int(held), checkpoint=checkpoint)
        status, body, content_type = transport.post(f"{witness.url}/add-checkpoint", retry)
        if status == 409:
            return WitnessOutcome(witness.name, False, "the witness's state conflicts with the log")
    if status != 200:
        return WitnessOutcome(witness.name, False, f"refused with HTTP {status}")
    return _store(session, checkpoint=checkpoint, witness=witness, response=body)


def _store(
    session: Session,
    *,
    checkpoint: service.CheckpointInfo,
    witness: WitnessEndpoint,
    response: str,
) -> WitnessOutcome:
    # Keep the one line from this witness's key that verifies; ignore any others.
    for line in (line for line in response.splitlines() if line):
        try:
            found = verify_cosignatures(
                add_signature_lines(checkpoint.note, [line]), [witness.verifier]
            )
        except NoteError as exc:
            return WitnessOutcome(witness.name, False, exc.message)
        if found:
            break
    else:
        return WitnessOutcome(witness.name, False, "no cosignature from the witness's key")
    try:
        cosigned_at = datetime.fromtimestamp(found[0].timestamp, UTC)
    except (OverflowError, OSError, ValueError):
        return WitnessOutcome(witness.name, False, "the cosignature's timestamp is not a date")
    session.connection().execute(
        insert(_cosignatures).values(
            checkpoint_number=checkpoint.number,
            witness=witness.name,
            signature_line=line,
            cosigned_at=cosigned_at,
        )
    )
    return WitnessOutcome(witness.name, True, "cosigned")


def witness_checkpoint(
    session: Session,
    *,
    witnesses: Sequence[WitnessEndpoint],
    transport: WitnessTransport,
    number: int | None = None,
) -> list[WitnessOutcome]:
    """Collect cosignatures on a checkpoint (default: the latest) from witnesses lacking one.

    A witness that is down or refuses is reported, never raised: the checkpoint stays signed,
    and is shown as not witnessed until a quorum cosigns it (the next run retries).
    """
    latest = service.latest_checkpoint(session)
    if latest is None or not witnesses:
        return []
    checkpoint = latest
    if number is not None and number != latest.number:
        found = [c for c in service.list_checkpoints(session) if c.number == number]
        if not found:
            return []
        checkpoint = found[0]
    have = set(
        session.connection()
        .execute(
            select(_cosignatures.c.witness).where(
                _cosignatures.c.checkpoint_number == checkpoint.number
            )
        )
        .scalars()
    )
    pending = [w for w in witnesses if w.name not in have]
    # Database work first (proofs from each witness's last known size), then every witness
    # at once, then the answers back into the session: a slow witness delays only itself.
    olds = [_last_cosigned_size(session, w.name) for w in pending]
    bodies = {
        old: _request(session, old=old, checkpoint=checkpoint)
        for old in set(olds)
        if old <= checkpoint.tree_size
    }
    sendable = [(w, old) for w, old in zip(pending, olds, strict=True) if old in bodies]
    answers = transport.post_all([(f"{w.url}/add-checkpoint", bodies[old]) for w, old in sendable])
    outcomes = [
        WitnessOutcome(w.name, False, f"we recorded a larger tree ({old} entries) for it")
        for w, old in zip(pending, olds, strict=True)
        if old not in bodies
    ]
    for (witness, old), answer in zip(sendable, answers, strict=True):
        try:
            if isinstance(answer, Exception):
                raise answer
            outcome = _outcome(
                session,
                checkpoint=checkpoint,
                witness=witness,
                transport=transport,
                old=old,
                response=answer,
            )
        except (OSError, http.client.HTTPException) as exc:
            outcome = WitnessOutcome(witness.name, False, f"unreachable ({type(exc).__name__})")
        if not outcome.ok:
            log.warning("witness %s did not cosign: %s", witness.name, outcome.detail)
        outcomes.append(outcome)
    return outcomes


def fetch_witness_state(
    *, witnesses: Sequence[WitnessEndpoint], origin: str, transport: WitnessTransport
) -> tuple[list[str], list[str]]:
    """Each reachable witness's latest cosigned checkpoint for `origin` (tlog-witness
    monitoring), and a note for each witness that could not say."""
    notes, unavailable = [], []
    for witness in witnesses:
        url = f"{witness.url}/{origin_hash(origin)}/checkpoint"
        try:
            status, body, _ = transport.get(url)
        except (OSError, http.client.HTTPException) as exc:
            unavailable.append(f"witness {witness.name} unreachable ({type(exc).__name__})")
            continue
        if status == 200:
            notes.append(body)
        elif status != 404:  # 404: it never cosigned this log, which is no evidence
            unavailable.append(f"witness {witness.name} answered HTTP {status}")
    return notes, unavailable
