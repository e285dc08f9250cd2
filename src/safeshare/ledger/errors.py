"""Ledger errors: safe messages with stable codes (no entry data, which may be sensitive)."""

from __future__ import annotations

from safeshare.errors import ConfigurationError, InvalidInputError, NotFoundError, SafeShareError


class LedgerError(SafeShareError):
    code = "ledger"
    status = 500


class InvalidProofError(LedgerError):
    """A proof does not verify (RFC 9162 section 2.1.3.2 / 2.1.4.2)."""

    code = "ledger_invalid_proof"
    status = 422


class ProofRequestError(NotFoundError):
    """A proof was asked for sizes or indexes the log does not have: there is no such proof
    (404, as for an entry beyond the log; the request itself was well formed)."""

    code = "ledger_bad_proof_request"


class NoteError(LedgerError):
    """A signed note or checkpoint is malformed or its signature does not verify."""

    code = "ledger_bad_note"
    status = 422


class LedgerKeyError(ConfigurationError):
    """The checkpoint signing key is missing, unreadable or malformed."""

    code = "ledger_key"


class EntryNotFoundError(NotFoundError):
    code = "ledger_entry_not_found"


class LedgerStateError(LedgerError):
    """The ledger tables are missing their head row or are otherwise unusable."""

    code = "ledger_state"


class BundleError(LedgerError):
    """An export bundle is incomplete or malformed."""

    code = "ledger_bad_bundle"
    status = 422


class InvalidEntryError(InvalidInputError):
    """Entry fields that cannot be written as RFC 8785 canonical JSON."""

    code = "ledger_bad_entry"


class NoCheckpointError(NotFoundError):
    """No checkpoint has been signed yet (the first is signed once an entry exists)."""

    code = "ledger_no_checkpoint"
