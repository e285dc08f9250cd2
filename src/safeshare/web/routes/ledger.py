"""Ledger API (proofs, checkpoint, entries, public key) and the inspectors' ledger page.

The API serves exactly what `safeshare ledger prove` / `consistency` print, so any RFC 9162
verifier can check it; the checkpoint is also served as the raw C2SP signed note. The page
shows the latest signed checkpoint, a quick verification status, a full verification run on
request, and a search of entries (references only, never sealed values).

Full verification recomputes the whole tree, so the page runs it only on a POST (never on a
GET a crawler or a refresh could repeat), one at a time per process, and only for logs of up
to `FULL_VERIFY_MAX_ENTRIES` entries (about 2.5 s at the benchmarked 10 s per million);
larger logs are verified with `safeshare ledger verify` or an exported bundle.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.datastructures import QueryParams
from starlette.responses import Response

from safeshare.auth.permissions import Actor, Permission
from safeshare.config import Settings
from safeshare.errors import NotFoundError
from safeshare.ledger import entry as entry_format
from safeshare.ledger import evidence, service
from safeshare.ledger.note import NoteVerifier
from safeshare.ledger.startup import ledger_verifier
from safeshare.vault import audit
from safeshare.web.access import PUBLIC, DbSession, StepUp, require
from safeshare.web.deps import key_provider
from safeshare.web.forms import FormErrors, validate_form
from safeshare.web.navigation import NavItem
from safeshare.web.openapi import problems
from safeshare.web.pages import Pages

router = APIRouter()

LEDGER_ACCESS = require(Permission.LEDGER_READ)
LedgerReader = Annotated[Actor, Depends(LEDGER_ACCESS)]

# Service navigation entries for this feature, registered by the app factory.
NAV_ITEMS: list[NavItem] = [NavItem("Ledger", "/ledger", Permission.LEDGER_READ)]

API = "/api/v1/ledger"
MAX_SEQ = 2**63 - 1  # BIGINT: larger numbers are refused as invalid, not looked up
PAGE_SIZE = 50
FULL_VERIFY_MAX_ENTRIES = 250_000
PAGES = Pages("ledger", "ledger_full_verification")  # the flash: a full verification's outcome
_MAX_FLASH_PROBLEMS = 5
_full_verify_lock = threading.Lock()


def _verifier(request: Request) -> tuple[NoteVerifier, str]:
    settings: Settings = request.app.state.settings
    return ledger_verifier(settings), settings.ledger_origin


def _witnesses(request: Request) -> dict[str, Any]:
    """The configured witnesses' keys and quorum, as `verification_status` takes them."""
    settings: Settings = request.app.state.settings
    return {
        "witnesses": [w.verifier for w in settings.ledger_witnesses],
        "quorum": settings.ledger_witness_quorum,
    }


# --- API ---------------------------------------------------------------------------------


class InclusionProofRead(BaseModel):
    """RFC 9162 inclusion proof, lower-case hex SHA-256 (as `safeshare ledger prove`)."""

    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    audit_path: list[str]


class ConsistencyProofRead(BaseModel):
    """RFC 9162 consistency proof (as `safeshare ledger consistency`)."""

    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


class CheckpointRead(BaseModel):
    """The latest signed checkpoint: the C2SP signed note and what it says."""

    number: int
    origin: str
    tree_size: int
    root_hash: str
    created_at: str
    key_name: str
    key_id: str
    note: str


class EntryRead(BaseModel):
    """One ledger entry; `canonical` is the exact text hashed into the leaf."""

    seq: int
    ts: str
    actor: str
    kind: str
    data: dict[str, Any]
    prev: str
    leaf_hash: str
    canonical: str


class PublicKeyRead(BaseModel):
    """The checkpoint verifier key, as a Go `note` verifier key and as a raw Ed25519 key."""

    origin: str
    key_name: str
    key_id: str
    algorithm: str
    signature_type: str
    public_key: str
    verifier_key: str


# No checkpoint yet, or sizes the log does not have: there is no such proof (404).
@router.get(f"{API}/proof/inclusion", responses=problems(404))
def api_inclusion_proof(
    _principal: LedgerReader,
    db: DbSession,
    index: Annotated[int, Query(ge=0, le=MAX_SEQ, description="Leaf index (entry seq).")],
    size: Annotated[int | None, Query(ge=0, le=MAX_SEQ, description="Tree size.")] = None,
) -> InclusionProofRead:
    return InclusionProofRead(**service.inclusion_proof(db, leaf_index=index, size=size))


@router.get(f"{API}/proof/consistency", responses=problems(404))
def api_consistency_proof(
    _principal: LedgerReader,
    db: DbSession,
    first: Annotated[int, Query(alias="from", ge=0, le=MAX_SEQ)],
    second: Annotated[int | None, Query(alias="to", ge=0, le=MAX_SEQ)] = None,
) -> ConsistencyProofRead:
    return ConsistencyProofRead(**service.consistency_proof(db, first=first, second=second))


def _wants_note(request: Request, output: str | None) -> bool:
    if output is not None:
        return output == "note"
    accept = request.headers.get("accept", "")
    return "text/plain" in accept and "application/json" not in accept


@router.get(
    f"{API}/checkpoint",
    response_model=CheckpointRead,
    responses={
        **problems(404),  # nothing signed yet
        200: {
            "description": "JSON, or with `format=note` or `Accept: text/plain` the signed note.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
    },
)
def api_checkpoint(
    request: Request,
    _principal: LedgerReader,
    db: DbSession,
    output: Annotated[Literal["json", "note"] | None, Query(alias="format")] = None,
) -> CheckpointRead | Response:
    """JSON by default; `?format=note` or `Accept: text/plain` gives the raw signed note."""
    latest = evidence.latest_checkpoint_or_raise(db)
    if _wants_note(request, output):
        return PlainTextResponse(service.cosigned_note(db, latest))
    return CheckpointRead(**evidence.checkpoint_document(latest))


@router.get("/log/checkpoint")
def public_checkpoint(
    _principal: Annotated[Actor | None, Depends(PUBLIC)], db: DbSession
) -> Response:
    """Public by design, at a stable URL: the latest checkpoint with its witnesses'
    cosignatures, as a C2SP signed note (c2sp.org/tlog-cosignature), so anyone can keep a
    copy and later catch the log being rolled back or rewritten."""
    latest = evidence.latest_checkpoint_or_raise(db)
    return PlainTextResponse(
        service.cosigned_note(db, latest), headers={"Cache-Control": "no-cache"}
    )


@router.get(f"{API}/entries/{{seq}}")
def api_entry(
    _principal: LedgerReader,
    db: DbSession,
    seq: Annotated[int, Path(ge=0, le=MAX_SEQ)],
) -> EntryRead:
    return EntryRead(**service.get_entry_or_raise(db, seq=seq, with_bytes=True))


@router.get(f"{API}/public-key")
def api_public_key(
    request: Request, _principal: Annotated[Actor | None, Depends(PUBLIC)]
) -> PublicKeyRead:
    """Public by design: a verifier key is published so anyone can check checkpoints."""
    verifier, origin = _verifier(request)
    return PublicKeyRead(**evidence.public_key_document(verifier, origin=origin))


# --- page helpers ------------------------------------------------------------------------


def _when(value: datetime | str) -> str:
    """A UTC time for people: '3 March 2025, 14:05:09 UTC'."""
    at = entry_format.parse_timestamp(value) if isinstance(value, str) else value
    at = at.astimezone(UTC)
    return f"{at.day} {at:%B %Y}, {at:%H:%M:%S} UTC"


def _value_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _data_rows(data: dict[str, Any]) -> list[dict[str, str]]:
    return [{"key": str(k), "value": _value_text(v)} for k, v in data.items()]


def _data_summary(data: dict[str, Any], limit: int = 160) -> str:
    text = "; ".join(f"{row['key']}: {row['value']}" for row in _data_rows(data))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _entry_row(found: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": found["seq"],
        "when": _when(found["ts"]),
        "actor": found["actor"],
        "kind": found["kind"],
        "data": _data_summary(found["data"]),
    }


# --- the ledger page ---------------------------------------------------------------------


@router.get("/ledger")
def ledger_page(request: Request, _principal: LedgerReader, db: DbSession) -> Response:
    verifier, origin = _verifier(request)
    status = service.verification_status(
        db, verifiers=[verifier], origin=origin, **_witnesses(request)
    )
    latest = service.latest_checkpoint(db)
    checkpoint = evidence.checkpoint_document(latest) if latest is not None else None
    if latest is not None and checkpoint is not None:
        checkpoint["note"] = service.cosigned_note(db, latest)
    return PAGES.page(
        request,
        "index.html",
        {
            "status": status,
            "checked_at": _when(datetime.fromisoformat(status["checked_at"])),
            "checkpoint": checkpoint,
            "checkpoint_when": _when(latest.created_at) if latest is not None else None,
            "public_key": evidence.public_key_document(verifier, origin=origin),
            "can_run_full": status["tree_size"] <= FULL_VERIFY_MAX_ENTRIES,
            "full_limit": FULL_VERIFY_MAX_ENTRIES,
        },
    )


def _full_verification(request: Request, db: DbSession) -> dict[str, Any]:
    verifier, origin = _verifier(request)
    size = service.tree_size(db)
    checked_at = _when(datetime.now(UTC))
    if size > FULL_VERIFY_MAX_ENTRIES:
        return {"outcome": "too_large", "tree_size": size, "checked_at": checked_at}
    if not _full_verify_lock.acquire(blocking=False):
        return {"outcome": "busy", "checked_at": checked_at}
    try:
        report = service.verify_log(db, verifiers=[verifier], origin=origin)
    finally:
        _full_verify_lock.release()
    first = report.first_problem
    return {
        "outcome": "passed" if report.ok else "failed",
        "checked_at": checked_at,
        "summary": report.summary(),
        "tree_size": report.tree_size,
        "root_hash": report.root_hash.hex(),
        "checkpoints": report.checkpoints,
        "covered_size": report.covered_size,
        "first_bad_entry": first.seq if first is not None else None,
        # The session cookie holds this until the next page view: keep it small.
        "problems": [p.message[:300] for p in report.problems[:_MAX_FLASH_PROBLEMS]],
        "more_problems": max(0, len(report.problems) - _MAX_FLASH_PROBLEMS),
    }


@router.post("/ledger/verify")
def run_full_verification(request: Request, _principal: LedgerReader, db: DbSession) -> Response:
    """Recompute the whole log now; the outcome shows once on the ledger page (PRG)."""
    return PAGES.redirect(request, "/ledger#full-verification", _full_verification(request, db))


@router.get("/ledger/checkpoint.txt")
def checkpoint_download(_principal: LedgerReader, db: DbSession) -> Response:
    """The latest signed checkpoint as a file, for transparency-log tools."""
    latest = evidence.latest_checkpoint_or_raise(db)
    filename = f"checkpoint-{latest.number}.txt"
    return PlainTextResponse(
        service.cosigned_note(db, latest),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- searching entries -------------------------------------------------------------------


class EntrySearchText(BaseModel):
    kind: str = Field(default="", max_length=100)
    actor: str = Field(default="", max_length=200)


SEARCH_MESSAGES = {
    "kind": "Kind must be 100 characters or fewer",
    "actor": "Actor must be 200 characters or fewer",
}
DATE_PARTS = ("day", "month", "year")
DATE_LABELS = {"from": "From date", "to": "To date"}


@dataclass
class DateField:
    """A GOV.UK date input's values, the parsed date and its error (if any)."""

    name: str
    values: dict[str, str]
    value: date | None = None
    error: str | None = None
    error_parts: tuple[str, ...] = ()


def _parse_date(params: QueryParams, name: str) -> DateField:
    values = {part: params.get(f"{name}-{part}", "").strip()[:10] for part in DATE_PARTS}
    found = DateField(name, values)
    label = DATE_LABELS[name]
    missing = tuple(part for part in DATE_PARTS if not values[part])
    if len(missing) == len(DATE_PARTS):
        return found
    if missing:
        found.error = f"{label} must include a {' and '.join(missing)}"
        found.error_parts = missing
        return found
    try:
        day, month, year = (int(values[part]) for part in DATE_PARTS)
        if len(values["year"]) != 4:
            raise ValueError
        found.value = date(year, month, day)
    except ValueError:
        found.error = f"{label} must be a real date"
        found.error_parts = DATE_PARTS
    return found


@dataclass
class EntrySearch:
    kind: str
    actor: str
    dates: dict[str, DateField]
    errors: FormErrors

    def since(self) -> datetime | None:
        start = self.dates["from"].value
        return datetime.combine(start, time(), tzinfo=UTC) if start else None

    def until(self) -> datetime | None:
        end = self.dates["to"].value
        return datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC) if end else None

    def query(self, **cursor: int) -> str:
        """The search's query string, with a page cursor, for pagination links."""
        pairs: dict[str, str | int] = {"kind": self.kind, "actor": self.actor}
        for field in self.dates.values():
            pairs.update({f"{field.name}-{p}": v for p, v in field.values.items()})
        pairs.update(cursor)
        return urlencode({k: v for k, v in pairs.items() if v != ""})


def _parse_search(params: QueryParams) -> EntrySearch:
    text = {"kind": params.get("kind", "").strip(), "actor": params.get("actor", "").strip()}
    data, errors = validate_form(EntrySearchText, text, SEARCH_MESSAGES)
    dates = {name: _parse_date(params, name) for name in DATE_LABELS}
    for field in dates.values():
        if field.error:
            errors[f"{field.name}-{field.error_parts[0]}"] = field.error
    start, end = dates["from"].value, dates["to"].value
    if start and end and end < start:
        dates["to"].error = "To date must be the same as or after the from date"
        dates["to"].error_parts = DATE_PARTS
        errors["to-day"] = dates["to"].error
    return EntrySearch(
        kind=data.kind if data else text["kind"][:100],
        actor=data.actor if data else text["actor"][:200],
        dates=dates,
        errors=errors,
    )


@router.get("/ledger/entries")
def entries_page(
    request: Request,
    _principal: LedgerReader,
    db: DbSession,
    before: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_SEQ)] = None,
) -> Response:
    """Newest first, filtered by kind (prefix), actor and UTC date range; 50 a page."""
    search = _parse_search(request.query_params)
    rows: list[dict[str, Any]] = []
    newer = older = None
    if not search.errors:
        found = service.search_entries(
            db,
            kind=search.kind or None,
            actor=search.actor or None,
            since=search.since(),
            until=search.until(),
            before_seq=before if after is None else None,
            after_seq=after,
            limit=PAGE_SIZE + 1,
        )
        if after is not None:
            has_newer, has_older = len(found) > PAGE_SIZE, True
            found = found[-PAGE_SIZE:]
        else:
            has_newer, has_older = before is not None, len(found) > PAGE_SIZE
            found = found[:PAGE_SIZE]
        rows = [_entry_row(item) for item in found]
        if rows and has_newer:
            newer = "/ledger/entries?" + search.query(after=rows[0]["seq"])
        if rows and has_older:
            older = "/ledger/entries?" + search.query(before=rows[-1]["seq"])
    return PAGES.page(
        request,
        "entries.html",
        {
            "search": search,
            "errors": search.errors,
            "rows": rows,
            "newer": newer,
            "older": older,
            "filtered": bool(search.query()),
        },
        status_code=400 if search.errors else 200,
    )


@router.get("/ledger/entries/{seq}")
def entry_page(
    request: Request,
    _principal: LedgerReader,
    db: DbSession,
    seq: Annotated[int, Path(ge=0, le=MAX_SEQ)],
) -> Response:
    """One entry, its data, and the proof that it is in the signed log."""
    verifier, origin = _verifier(request)
    found = evidence.entry_evidence(db, seq=seq, verifier=verifier, origin=origin)
    checkpoint = found.checkpoint
    return PAGES.page(
        request,
        "entry.html",
        {
            "entry": found.entry,
            "when": _when(found.entry["ts"]),
            "data_rows": _data_rows(found.entry["data"]),
            "proof": found.proof,
            "checkpoint": checkpoint,
            "checkpoint_when": _when(checkpoint.created_at) if checkpoint else None,
            "problems": found.problems,
            "has_note": audit.note_reference(found.entry["data"]) is not None,
        },
    )


NoteOpener = Annotated[Actor, Depends(require(Permission.LEDGER_NOTE_OPEN))]


@router.get("/ledger/entries/{seq}/reason")
def entry_reason_page(
    request: Request,
    _principal: NoteOpener,
    db: DbSession,
    seq: Annotated[int, Path(ge=0, le=MAX_SEQ)],
) -> Response:
    """Ask the inspector to confirm before the sealed reason behind an entry is opened."""
    entry = service.get_entry_or_raise(db, seq=seq)
    if audit.note_reference(entry["data"]) is None:
        raise NotFoundError("This ledger entry refers to no sealed text")
    return PAGES.page(request, "reason.html", {"entry": entry, "opened": None})


@router.post("/ledger/entries/{seq}/reason", dependencies=[StepUp])
def entry_reason_open(
    request: Request,
    principal: NoteOpener,
    db: DbSession,
    seq: Annotated[int, Path(ge=0, le=MAX_SEQ)],
) -> Response:
    """Open it (needs a recent password, and is itself a ledger entry)."""
    entry = service.get_entry_or_raise(db, seq=seq)
    opened = audit.open_entry_note(
        db, entry=entry, provider=key_provider(request), actor=principal.username
    )
    return PAGES.page(request, "reason.html", {"entry": entry, "opened": opened})


@router.get("/ledger/entries/{seq}/proof.json")
def entry_proof_download(
    request: Request,
    _principal: LedgerReader,
    db: DbSession,
    seq: Annotated[int, Path(ge=0, le=MAX_SEQ)],
) -> Response:
    """A self-contained evidence file: entry bytes, inclusion proof, checkpoint, public key."""
    verifier, origin = _verifier(request)
    found = evidence.entry_evidence(db, seq=seq, verifier=verifier, origin=origin)
    return JSONResponse(
        found.as_dict(verifier, origin=origin),
        headers={"Content-Disposition": f'attachment; filename="ledger-entry-{seq}-proof.json"'},
    )
