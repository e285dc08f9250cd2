"""In-process domain events: features publish, others (the ledger) subscribe.

Handlers run synchronously inside the publisher's session, so an event and whatever a
subscriber writes for it (a ledger entry) commit or roll back together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened. `data` must hold references, never sealed values."""

    kind: str  # e.g. "policy.decision", "vault.read", "auth.sign_in"
    actor: str  # username, "system", or "public" for the unauthenticated pathways
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[Session, DomainEvent], None]
_subscribers: list[Handler] = []


def subscribe(handler: Handler) -> None:
    """Register `handler` for every event (idempotent)."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def unsubscribe(handler: Handler) -> None:
    if handler in _subscribers:
        _subscribers.remove(handler)


def publish(session: Session, event: DomainEvent) -> None:
    """Deliver `event` to every subscriber in the caller's transaction."""
    for handler in list(_subscribers):
        handler(session, event)
