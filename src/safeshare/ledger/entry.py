"""The ledger entry format, and the checks an auditor runs on stored entry bytes.

An entry is the RFC 8785 canonical JSON of
`{"actor", "data", "kind", "prev", "seq", "ts"}`: `prev` is the hex leaf hash of the entry
before it (a hash chain, so an edited entry is named by its successor) and `ts` is a fixed-width
UTC timestamp. RFC 8785 sorts keys, so every entry ends with the same byte layout
`"prev":"<64 hex>","seq":<n>,"ts":"<27 chars>"}`, which lets an auditor check position and
chain with one slice comparison instead of parsing JSON. Encoding lives in the service (it
needs `rfc8785`); this module stays stdlib-only for the offline verifier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_PREV = "0" * 64  # `prev` of entry 0
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_TS_WIDTH = len("2000-01-01T00:00:00.000000Z")
_TAIL_AFTER_TS = _TS_WIDTH + len('"}')
FIELDS = frozenset({"actor", "data", "kind", "prev", "seq", "ts"})


def format_timestamp(at: datetime) -> str:
    """Fixed-width UTC timestamp (microseconds, `Z`), so the entry tail has a fixed layout."""
    if at.tzinfo is None:
        raise ValueError("ledger timestamps must be timezone-aware")
    return at.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(value: str) -> datetime:
    return datetime.strptime(value, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


def tail_marker(seq: int, prev_hex: bytes) -> bytes:
    """The bytes just before the timestamp at the end of entry `seq`."""
    return b'"prev":"%s","seq":%d,"ts":"' % (prev_hex, seq)


def has_expected_tail(entry: bytes, seq: int, prev_hex: bytes) -> bool:
    """Fast check that `entry` is entry `seq` and links to the previous leaf hash."""
    marker = tail_marker(seq, prev_hex)
    end = len(entry) - _TAIL_AFTER_TS
    return end > len(marker) and entry[end - len(marker) : end] == marker and entry[-2:] == b'"}'


@dataclass(frozen=True)
class Entry:
    """A decoded ledger entry, for display and search (never holds sealed values)."""

    seq: int
    ts: str
    actor: str
    kind: str
    data: dict[str, Any]
    prev: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "ts": self.ts,
            "actor": self.actor,
            "kind": self.kind,
            "data": self.data,
            "prev": self.prev,
        }


class MalformedEntryError(ValueError):
    """Entry bytes that are not a well-formed ledger entry."""


def decode_entry(entry: bytes) -> Entry:
    """Parse and type-check entry bytes (does not check canonical form)."""
    try:
        obj = json.loads(entry)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedEntryError("not JSON") from exc
    if not isinstance(obj, dict) or set(obj) != FIELDS:
        raise MalformedEntryError("fields are not actor, data, kind, prev, seq, ts")
    seq, ts, prev = obj["seq"], obj["ts"], obj["prev"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise MalformedEntryError("seq is not a non-negative integer")
    if not isinstance(prev, str) or len(prev) != 64:
        raise MalformedEntryError("prev is not a 64-character hex hash")
    if not isinstance(ts, str) or len(ts) != _TS_WIDTH:
        raise MalformedEntryError("ts is not a fixed-width UTC timestamp")
    try:
        parse_timestamp(ts)
    except ValueError as exc:
        raise MalformedEntryError("ts is not a fixed-width UTC timestamp") from exc
    if not isinstance(obj["actor"], str) or not isinstance(obj["kind"], str):
        raise MalformedEntryError("actor and kind must be strings")
    if not isinstance(obj["data"], dict):
        raise MalformedEntryError("data must be an object")
    return Entry(seq, ts, obj["actor"], obj["kind"], obj["data"], prev)
