"""Key providers: wrapping bound to subject, rotation keeps old keys, the 0600 key file."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from safeshare.config import Settings
from safeshare.errors import ConfigurationError
from safeshare.vault import crypto
from safeshare.vault.config import VaultConfig
from safeshare.vault.errors import IntegrityError, KeyringError, KeyUnavailableError, VaultError
from safeshare.vault.keys import (
    FileKeyProvider,
    InMemoryKeyProvider,
    KeyProvider,
    Keyring,
    WrappedKey,
)
from safeshare.vault.providers import build_key_provider

SUBJECT = "a" * 32


def test_in_memory_round_trip_bound_to_subject() -> None:
    provider = InMemoryKeyProvider()
    data_key = crypto.new_key()
    wrapped = provider.wrap(data_key, subject=SUBJECT)
    assert wrapped.key_id == provider.current_key_id()
    assert provider.unwrap(wrapped, subject=SUBJECT) == data_key
    with pytest.raises(IntegrityError):
        provider.unwrap(wrapped, subject="b" * 32)


def test_wrong_key_with_same_id_fails() -> None:
    provider = InMemoryKeyProvider()
    wrapped = provider.wrap(crypto.new_key(), subject=SUBJECT)
    impostor = InMemoryKeyProvider(Keyring(wrapped.key_id, {wrapped.key_id: crypto.new_key()}))
    with pytest.raises(IntegrityError):
        impostor.unwrap(wrapped, subject=SUBJECT)


def test_unknown_key_id_is_unavailable() -> None:
    wrapped = InMemoryKeyProvider().wrap(crypto.new_key(), subject=SUBJECT)
    with pytest.raises(KeyUnavailableError):
        InMemoryKeyProvider().unwrap(wrapped, subject=SUBJECT)


def test_added_key_becomes_current_and_old_still_unwraps_until_destroyed() -> None:
    provider = InMemoryKeyProvider()
    old = provider.wrap(crypto.new_key(), subject=SUBJECT)
    new_id = provider.add_key()
    assert provider.current_key_id() == new_id != old.key_id
    assert provider.key_ids() == {old.key_id, new_id}
    provider.unwrap(old, subject=SUBJECT)
    with pytest.raises(VaultError, match="current"):
        provider.destroy_key(new_id)
    provider.destroy_key(old.key_id)
    with pytest.raises(KeyUnavailableError):
        provider.unwrap(old, subject=SUBJECT)


def test_providers_satisfy_the_protocol(tmp_path: Path) -> None:
    assert isinstance(InMemoryKeyProvider(), KeyProvider)
    assert isinstance(FileKeyProvider(tmp_path / "k"), KeyProvider)


def test_key_file_is_private_json_and_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "var" / "vault.key"
    provider = FileKeyProvider.create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    doc = json.loads(path.read_text())
    assert doc["format"] == "safeshare-vault-keyring/1"
    assert doc["current"] == provider.current_key_id()
    with pytest.raises(KeyringError, match="already exists"):
        FileKeyProvider.create(path)


def test_file_provider_sees_rotation_made_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "vault.key"
    web_worker = FileKeyProvider.create(path)
    wrapped = web_worker.wrap(crypto.new_key(), subject=SUBJECT)
    operator = FileKeyProvider(path)
    new_id = operator.add_key()
    assert web_worker.current_key_id() == new_id
    assert web_worker.wrap(crypto.new_key(), subject=SUBJECT).key_id == new_id
    operator.destroy_key(wrapped.key_id)
    with pytest.raises(KeyUnavailableError):
        web_worker.unwrap(wrapped, subject=SUBJECT)
    assert list(tmp_path.glob(".*.tmp")) == []


def test_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="vault keygen"):
        FileKeyProvider(tmp_path / "absent.key").current_key_id()


def test_group_readable_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vault.key"
    FileKeyProvider.create(path)
    path.chmod(0o640)
    with pytest.raises(KeyringError, match="chmod 600"):
        FileKeyProvider(path).current_key_id()


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"format": "other"}),
        json.dumps({"format": "safeshare-vault-keyring/1", "current": "k", "keys": []}),
        json.dumps(
            {
                "format": "safeshare-vault-keyring/1",
                "current": "k",
                "keys": [{"id": "k", "key": "c2hvcnQ="}],
            }
        ),
    ],
    ids=["garbage", "wrong-format", "current-missing", "short-key"],
)
def test_malformed_key_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "vault.key"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(KeyringError, match=r"format|malformed"):
        FileKeyProvider(path).current_key_id()


def test_wrapped_key_blob_holds_no_plain_key() -> None:
    data_key = crypto.new_key()
    wrapped = InMemoryKeyProvider().wrap(data_key, subject=SUBJECT)
    assert isinstance(wrapped, WrappedKey)
    assert data_key not in wrapped.blob


def test_provider_chosen_by_config(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    assert isinstance(build_key_provider(settings), FileKeyProvider)
    assert isinstance(
        build_key_provider(settings, VaultConfig(provider="memory")), InMemoryKeyProvider
    )
    production = Settings(var_dir=tmp_path, env="production", secret_key=secrets.token_hex(32))
    with pytest.raises(ConfigurationError, match="tests only"):
        build_key_provider(production, VaultConfig(provider="memory"))
