"""Password and token hashing."""

from __future__ import annotations

from safeshare.auth.passwords import hash_password, hash_token, new_api_token, verify_password


def test_passwords_use_argon2id_and_verify() -> None:
    hashed = hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long enough password")
    assert not verify_password(hashed, "a different password")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


def test_tokens_are_random_and_stored_as_sha256() -> None:
    token = new_api_token()
    assert token.startswith("ss_") and len(token) > 40
    assert token != new_api_token()
    assert len(hash_token(token)) == 64 and token not in hash_token(token)
