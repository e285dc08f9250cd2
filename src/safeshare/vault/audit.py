"""Auditors open the sealed free text behind a ledger entry (a reason for a read, an
erasure): the entry holds only a reference and a salted hash, the text is in the vault.

Opening it is itself recorded (`vault.note_opened`, with the entry's number and the note's
reference, never the text), so the auditors' own reading is auditable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from safeshare.errors import NotFoundError
from safeshare.events import DomainEvent, EventKind, publish
from safeshare.vault.keys import KeyProvider
from safeshare.vault.service import open_note


@dataclass(frozen=True)
class OpenedNote:
    seq: int
    kind: str
    text: str | None  # None: shredded with its report (erasure)


def note_reference(data: dict[str, object]) -> tuple[str, str] | None:
    """The (reference, salted hash) of the sealed note an entry's data points to, if any."""
    ref, digest = data.get("note_ref"), data.get("note_sha256")
    if isinstance(ref, str) and isinstance(digest, str):
        return ref, digest
    return None


def open_entry_note(
    session: Session, *, entry: Mapping[str, Any], provider: KeyProvider, actor: str
) -> OpenedNote:
    """The text behind a ledger entry (as `ledger.service` returns it), checked against the
    entry's hash; recorded. Takes the entry as a value: vault and ledger import neither."""
    seq = int(entry["seq"])
    found = note_reference(entry["data"])
    if found is None:
        raise NotFoundError("This ledger entry refers to no sealed text")
    ref, digest = found
    text = open_note(session, provider=provider, note_ref=ref, note_sha256=digest)
    publish(
        session,
        DomainEvent(
            kind=EventKind.VAULT_NOTE_OPENED,
            actor=actor,
            data={"seq": seq, "note_ref": ref, "shredded": text is None},
        ),
    )
    return OpenedNote(seq=seq, kind=str(entry["kind"]), text=text)
