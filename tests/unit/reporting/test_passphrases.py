"""Anonymous reporters' passphrases: argon2id with configured costs, normalised input."""

from __future__ import annotations

from safeshare.reporting import passphrases
from safeshare.reporting.config import Argon2Parameters
from tests.factories.reporting import FAST_ARGON2


def test_hash_and_verify_with_normalisation() -> None:
    stored = passphrases.hash_passphrase("  Blue  kettle\tsunrise ", FAST_ARGON2)
    assert stored.startswith("$argon2id$")
    assert "kettle" not in stored
    assert passphrases.verify_passphrase(stored, "Blue kettle sunrise", FAST_ARGON2)
    assert passphrases.verify_passphrase(stored, "Ｂｌｕｅ kettle sunrise", FAST_ARGON2)  # NFKC
    assert not passphrases.verify_passphrase(stored, "blue kettle sunrise", FAST_ARGON2)


def test_no_stored_hash_never_matches() -> None:
    assert not passphrases.verify_passphrase(None, "anything at all", FAST_ARGON2)


def test_rehash_needed_when_costs_rise() -> None:
    stored = passphrases.hash_passphrase("Blue kettle sunrise", FAST_ARGON2)
    stronger = Argon2Parameters(time_cost=2, memory_cost_kib=16, parallelism=1)
    assert not passphrases.needs_rehash(stored, FAST_ARGON2)
    assert passphrases.needs_rehash(stored, stronger)
