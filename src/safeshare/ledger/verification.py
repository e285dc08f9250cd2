"""Verify the ledger with public material only: the log's verifier key, witness keys, a quorum.

`verify_ledger` is the one entry point for `safeshare ledger verify` and health checks: it
never reads the checkpoint signing key, and its result tells "no key configured" apart from
"tampering found", "not witnessed" and "ok".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from sqlalchemy.orm import Session

from safeshare.config import Settings
from safeshare.ledger import keys, service
from safeshare.ledger.audit import AuditReport
from safeshare.ledger.cosignature import CosignatureVerifier
from safeshare.ledger.errors import LedgerKeyError
from safeshare.ledger.note import NoteVerifier
from safeshare.ledger.witnessing import (
    HttpTransport,
    WitnessEndpoint,
    WitnessTransport,
    fetch_witness_state,
)

Status = Literal["ok", "not_configured", "unwitnessed", "tampered"]


@dataclass(frozen=True)
class TrustPolicy:
    """Whom a verifier trusts: the log's key, witness keys, and how many witnesses must agree."""

    log: NoteVerifier
    witnesses: tuple[CosignatureVerifier, ...] = ()
    quorum: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.quorum <= len(self.witnesses):
            raise LedgerKeyError("the witness quorum must be between 0 and the number of witnesses")


@dataclass(frozen=True)
class LedgerVerification:
    """The outcome: `status` for machines, `message` for people, `report` when one ran."""

    status: Status
    message: str
    report: AuditReport | None = None
    witness_notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def lines(self) -> list[str]:
        return self.report.lines() if self.report is not None else [self.message]


def log_verifier(settings: Settings, vkey: str | None = None) -> NoteVerifier | None:
    """The log's public key: `vkey`, else SAFESHARE_LEDGER_VKEY, else `<key file>.pub`.

    Never derived from the private key file: a verifier should not need to read it.
    """
    text = vkey or settings.ledger_vkey
    if text:
        return NoteVerifier.from_vkey(text)
    key_file = settings.ledger_key_file
    assert key_file is not None  # filled in by Settings
    public = keys.public_key_path(key_file)
    return keys.load_verifier(public) if public.exists() else None


def trust_policy(
    settings: Settings,
    *,
    vkey: str | None = None,
    witness_vkeys: Sequence[str] | None = None,
    quorum: int | None = None,
) -> TrustPolicy | None:
    """The policy from explicit values, falling back to settings; None without a log key."""
    log = log_verifier(settings, vkey)
    if log is None:
        return None
    if witness_vkeys is None:
        witnesses = tuple(w.verifier for w in settings.ledger_witnesses)
    else:
        witnesses = tuple(CosignatureVerifier.from_vkey(v) for v in witness_vkeys)
    if quorum is None:
        quorum = min(settings.ledger_witness_quorum, len(witnesses))
    return TrustPolicy(log=log, witnesses=witnesses, quorum=quorum)


def witness_endpoints(settings: Settings) -> list[WitnessEndpoint]:
    """The witnesses the service submits checkpoints to (and asks for their state)."""
    return [WitnessEndpoint(w.url, w.verifier) for w in settings.ledger_witnesses]


def verify_ledger(
    session: Session,
    *,
    settings: Settings,
    policy: TrustPolicy | None = None,
    outside: Sequence[str] = (),
    consult_witnesses: bool = True,
    transport: WitnessTransport | None = None,
    progress: Callable[[int], None] | None = None,
) -> LedgerVerification:
    """Recompute the log and check it against signatures, cosignatures and witnesses' state.

    `policy` defaults to the settings; `outside` adds checkpoints kept elsewhere (files an
    inspector saved). With `consult_witnesses`, each configured witness is asked for the
    latest checkpoint it cosigned, which is what reveals a rollback or truncation.
    """
    if policy is None:
        try:
            policy = trust_policy(settings)
        except LedgerKeyError as exc:
            return LedgerVerification("not_configured", exc.message)
    if policy is None:
        return LedgerVerification(
            "not_configured",
            "No ledger verifier key: set SAFESHARE_LEDGER_VKEY or pass --vkey "
            "(the log's public key; the signing key is never needed).",
        )
    notes = list(outside)
    unavailable: list[str] = []
    if consult_witnesses and settings.ledger_witnesses:
        fetched, unavailable = fetch_witness_state(
            witnesses=witness_endpoints(settings),
            origin=settings.ledger_origin,
            transport=transport or HttpTransport(timeout=settings.ledger_witness_timeout_seconds),
        )
        notes += fetched
    report = service.verify_log(
        session,
        verifiers=[policy.log],
        origin=settings.ledger_origin,
        progress=progress,
        witnesses=policy.witnesses,
        quorum=policy.quorum,
        outside=notes,
    )
    if unavailable:
        report = replace(report, warnings=report.warnings + tuple(unavailable))
    return LedgerVerification(report.status, report.summary(), report, tuple(notes))
