"""Every request dependency in one place: the database session, who is asking, settings,
feature configuration and the vault key provider.

Routes import from here (`DbSession`, `SignedInActor`, `AppSettings`, `require`, ...) rather
than from each other, so no route module needs a sibling's helpers. The access mechanism
itself (sessions, CSRF, the permission check) stays in `safeshare.web.access`.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import Depends, Request

from safeshare.auth.permissions import Actor, Permission
from safeshare.config import Settings
from safeshare.reporting.config import ReportingConfig
from safeshare.vault.keys import KeyProvider
from safeshare.vault.providers import build_key_provider
from safeshare.web.access import PUBLIC, SIGNED_IN, DbSession, StepUp, require
from safeshare.web.forms import form_values

__all__ = [
    "PUBLIC",
    "SEALED_READ_TAG",
    "SIGNED_IN",
    "AppSettings",
    "DbSession",
    "Permission",
    "PublicActor",
    "SignedInActor",
    "StepUp",
    "key_provider",
    "posted_form",
    "reporting_config",
    "require",
    "settings",
]

# Routes whose responses may carry sealed values (audited reads). Nothing else may.
SEALED_READ_TAG = "sealed-read"

SignedInActor = Annotated[Actor, Depends(SIGNED_IN)]
PublicActor = Annotated[Actor | None, Depends(PUBLIC)]

_provider_lock = threading.Lock()


def settings(request: Request) -> Settings:
    """The app's settings (tests build apps with their own)."""
    value: Settings = request.app.state.settings
    return value


AppSettings = Annotated[Settings, Depends(settings)]


def reporting_config(request: Request) -> ReportingConfig:
    """Reporting policy: Victims' Code timings, sealed-read limits, page size."""
    return settings(request).reporting


def key_provider(request: Request) -> KeyProvider:
    """The app's vault key provider, built once: an in-memory one must live as long as the app.

    Kept on `app.state.key_provider` (the public form shares it); the lock stops two first
    requests in worker threads from each building one.
    """
    with _provider_lock:
        provider: KeyProvider | None = getattr(request.app.state, "key_provider", None)
        if provider is None:
            provider = build_key_provider(settings(request))
            request.app.state.key_provider = provider
        return provider


async def posted_form(request: Request) -> dict[str, Any]:
    """The posted form's values, without the CSRF token."""
    return form_values(await request.form())
