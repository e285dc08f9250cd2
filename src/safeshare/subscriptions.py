"""The one place domain-event subscribers are wired: the web app, the CLI and the demo
history all call `subscribe_all()`, so none of them can miss a handler (a missed ledger
subscription would leave decisions without ledger entries).
"""

from __future__ import annotations

from safeshare import events
from safeshare.ledger import service as ledger_service
from safeshare.oversight import service as oversight_service
from safeshare.support import service as support_service

HANDLERS: tuple[events.Handler, ...] = (
    ledger_service.record_event,  # every event becomes a ledger entry
    support_service.on_consent_withdrawn,  # withdrawn consent closes open referrals
    oversight_service.record_event,  # changed reports are marked for the statistics rollups
)


def subscribe_all() -> None:
    """Register every feature's handler (idempotent): call once at process start."""
    for handler in HANDLERS:
        events.subscribe(handler)


def unsubscribe_all() -> None:
    """Undo `subscribe_all` (tests that need a quiet bus)."""
    for handler in HANDLERS:
        events.unsubscribe(handler)
