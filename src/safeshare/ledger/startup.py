"""Wiring the ledger into a running process: event subscription and the signing key."""

from __future__ import annotations

import logging

from safeshare.config import Settings
from safeshare.errors import ConfigurationError
from safeshare.ledger import keys
from safeshare.ledger.note import NoteSigner, NoteVerifier

log = logging.getLogger(__name__)


def ensure_signer(settings: Settings) -> NoteSigner:
    """Load the checkpoint key; in development create one (with a warning) if missing."""
    key_file = settings.ledger_key_file
    assert key_file is not None  # filled in by Settings
    if not key_file.exists():
        if settings.is_production:
            raise ConfigurationError(
                f"Ledger signing key {key_file} not found: run 'safeshare ledger keygen'"
            )
        log.warning("No ledger key: generated a development key in %s", key_file)
        return keys.generate_key_file(key_file, name=settings.ledger_origin)
    return keys.load_signer(key_file, origin=settings.ledger_origin)


def ledger_verifier(settings: Settings) -> NoteVerifier:
    """The log's public key (from `<key file>.pub`, else derived from the key file).

    What the web app checks its own checkpoints with and publishes for inspectors to pin.
    """
    key_file = settings.ledger_key_file
    assert key_file is not None  # filled in by Settings
    return keys.verifier_for_key_file(key_file)
