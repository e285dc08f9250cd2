"""AES-256-GCM sealing: round trip, wrong key, tampering and misplacement all detected."""

from __future__ import annotations

import pytest

from safeshare.vault import crypto
from safeshare.vault.errors import IntegrityError

SUBJECT = "3f2a9c0e5b7d4e6f8a1b2c3d4e5f6a7b"


def test_round_trip_and_fresh_nonces() -> None:
    key = crypto.new_key()
    aad = crypto.field_aad(SUBJECT, "immigration_status")
    first = crypto.encrypt(key, b"Visa expired 2023", aad=aad)
    second = crypto.encrypt(key, b"Visa expired 2023", aad=aad)
    assert first != second  # random nonce per value
    assert b"Visa" not in first
    assert crypto.decrypt(key, first, aad=aad) == b"Visa expired 2023"


def test_wrong_key_fails() -> None:
    aad = crypto.field_aad(SUBJECT, "name")
    sealed = crypto.encrypt(crypto.new_key(), b"Maria", aad=aad)
    with pytest.raises(IntegrityError):
        crypto.decrypt(crypto.new_key(), sealed, aad=aad)


def test_every_tampered_byte_fails() -> None:
    key = crypto.new_key()
    aad = crypto.field_aad(SUBJECT, "address")
    sealed = crypto.encrypt(key, b"1 Safe Street", aad=aad)
    for position in range(len(sealed)):
        tampered = bytearray(sealed)
        tampered[position] ^= 0x01
        with pytest.raises(IntegrityError):
            crypto.decrypt(key, bytes(tampered), aad=aad)


@pytest.mark.parametrize(
    ("subject", "field"),
    [("0" * 32, "address"), (SUBJECT, "name")],
    ids=["moved-to-another-report", "moved-to-another-field"],
)
def test_value_moved_elsewhere_fails(subject: str, field: str) -> None:
    key = crypto.new_key()
    sealed = crypto.encrypt(key, b"1 Safe Street", aad=crypto.field_aad(SUBJECT, "address"))
    with pytest.raises(IntegrityError):
        crypto.decrypt(key, sealed, aad=crypto.field_aad(subject, field))


def test_truncated_or_unknown_version_fails() -> None:
    key = crypto.new_key()
    aad = crypto.field_aad(SUBJECT, "name")
    sealed = crypto.encrypt(key, b"x", aad=aad)
    for bad in (sealed[:10], b"\x02" + sealed[1:], b""):
        with pytest.raises(IntegrityError):
            crypto.decrypt(key, bad, aad=aad)


@pytest.mark.parametrize("name", ["", "has space", "nul\x00byte", "x" * 65, "-leading"])
def test_names_that_could_blur_associated_data_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="invalid vault"):
        crypto.field_aad(SUBJECT, name)


def test_wrapped_key_context_names_key_id() -> None:
    assert crypto.data_key_aad(SUBJECT, "kek-1") != crypto.data_key_aad(SUBJECT, "kek-2")
