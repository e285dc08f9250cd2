"""Vault key-encryption keys inside SoftHSM2: the same contract as the key file, no key file.

Needs Debian's softhsm2 (the `softhsm` fixture skips without it, or fails in CI).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safeshare.config import Settings, get_settings
from safeshare.hsm import TokenConfig
from safeshare.vault import crypto
from safeshare.vault.cli import app as vault_app
from safeshare.vault.config import VaultConfig
from safeshare.vault.errors import IntegrityError, KeyringError, KeyUnavailableError, VaultError
from safeshare.vault.hsm import Pkcs11KeyProvider
from safeshare.vault.keys import KeyProvider
from safeshare.vault.providers import build_key_provider
from tests.conftest import SOFTHSM_MODULE, SOFTHSM_PIN

SUBJECT = "b" * 32
runner = CliRunner()


@pytest.fixture
def provider(softhsm: Callable[[], str]) -> Pkcs11KeyProvider:
    return Pkcs11KeyProvider.create(TokenConfig(SOFTHSM_MODULE, softhsm(), SOFTHSM_PIN))


def test_wrap_and_unwrap_in_the_token_bound_to_subject(provider: Pkcs11KeyProvider) -> None:
    assert isinstance(provider, KeyProvider)
    data_key = crypto.new_key()
    wrapped = provider.wrap(data_key, subject=SUBJECT)
    assert wrapped.key_id == provider.current_key_id()
    assert data_key not in wrapped.blob
    assert provider.unwrap(wrapped, subject=SUBJECT) == data_key
    with pytest.raises(IntegrityError):
        provider.unwrap(wrapped, subject="c" * 32)


def test_rotation_and_crypto_shredding(provider: Pkcs11KeyProvider) -> None:
    old_id = provider.current_key_id()
    old = provider.wrap(crypto.new_key(), subject=SUBJECT)
    new_id = provider.add_key()
    assert provider.current_key_id() == new_id != old_id
    assert provider.key_ids() == {old_id, new_id}
    created = provider.key_created_at(new_id)
    assert created is not None and created >= (provider.key_created_at(old_id) or created)
    assert provider.unwrap(old, subject=SUBJECT)  # old KEK still unwraps until destroyed
    with pytest.raises(VaultError):
        provider.destroy_key(new_id)
    provider.destroy_key(old_id)
    with pytest.raises(KeyUnavailableError):
        provider.unwrap(old, subject=SUBJECT)


def test_keks_are_sensitive_and_never_extractable(provider: Pkcs11KeyProvider) -> None:
    import pkcs11

    kek = provider._keys()[provider.current_key_id()][1]
    assert kek[pkcs11.Attribute.SENSITIVE] is True
    assert kek[pkcs11.Attribute.EXTRACTABLE] is False
    with pytest.raises(pkcs11.PKCS11Error):
        kek[pkcs11.Attribute.VALUE]
    with pytest.raises(KeyringError, match="already holds vault keys"):
        Pkcs11KeyProvider.create(provider._token)


@pytest.fixture
def configured(
    softhsm: Callable[[], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    label = softhsm()
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SAFESHARE_VAULT__PROVIDER", "pkcs11")
    monkeypatch.setenv("SAFESHARE_PKCS11_MODULE", str(SOFTHSM_MODULE))
    monkeypatch.setenv("SAFESHARE_PKCS11_TOKEN_LABEL", label)
    monkeypatch.setenv("SAFESHARE_PKCS11_PIN", SOFTHSM_PIN)
    get_settings.cache_clear()
    yield label
    get_settings.cache_clear()


def test_keygen_and_the_configured_provider_use_the_token(configured: str, tmp_path: Path) -> None:
    made = runner.invoke(vault_app, ["keygen"])
    assert made.exit_code == 0, made.output
    assert configured in made.output
    assert not (tmp_path / "vault.key").exists()  # no key file at all
    assert runner.invoke(vault_app, ["keygen"]).exit_code == 1
    settings = get_settings()
    provider = build_key_provider(settings)
    assert isinstance(provider, Pkcs11KeyProvider)
    assert build_key_provider(settings) is provider  # one session per process, not per request
    data_key = crypto.new_key()
    assert provider.unwrap(provider.wrap(data_key, subject=SUBJECT), subject=SUBJECT) == data_key


def test_the_pin_is_required(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    with pytest.raises(Exception, match="SAFESHARE_PKCS11_PIN"):
        build_key_provider(settings, VaultConfig(provider="pkcs11"))
