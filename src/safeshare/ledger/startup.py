"""The ledger's keys for a running process: the checkpoint signer (created in development)
and the verifier pages and checks use. Event subscription is `safeshare.subscriptions`."""

from __future__ import annotations

import logging

from safeshare.config import Settings
from safeshare.errors import ConfigurationError
from safeshare.ledger import keys
from safeshare.ledger.keyprovider import key_provider
from safeshare.ledger.note import NoteSigner, NoteVerifier

log = logging.getLogger(__name__)


def ensure_signer(settings: Settings) -> NoteSigner:
    """Load the checkpoint key; in development create a key file (with a warning) if missing.

    With SAFESHARE_LEDGER_KEY_PROVIDER=pkcs11 the key is used inside the token and never
    created here (`safeshare ledger keygen` makes it).
    """
    if settings.ledger_key_provider != "file":
        if not settings.ledger_vkey:
            raise ConfigurationError(
                "Set SAFESHARE_LEDGER_VKEY to the key `safeshare ledger keygen` printed: "
                "pages and verification use it, never the token"
            )
        signer = key_provider(settings).signer()
        if signer.key_id != NoteVerifier.from_vkey(settings.ledger_vkey).key_id:
            raise ConfigurationError("SAFESHARE_LEDGER_VKEY is not the token's ledger key")
        return signer
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
    SAFESHARE_LEDGER_VKEY, when set, wins (the only choice when the key is in an HSM).
    """
    if settings.ledger_vkey:
        return NoteVerifier.from_vkey(settings.ledger_vkey)
    key_file = settings.ledger_key_file
    assert key_file is not None  # filled in by Settings
    return keys.verifier_for_key_file(key_file)
