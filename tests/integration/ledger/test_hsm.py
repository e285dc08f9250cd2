"""The checkpoint key inside SoftHSM2 through PKCS#11: signing works, the key never leaves.

Needs Debian's softhsm2 (the `softhsm` fixture skips without it, or fails in CI).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safeshare.config import Settings, get_settings
from safeshare.errors import ConfigurationError
from safeshare.hsm import TokenConfig
from safeshare.ledger import service
from safeshare.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from safeshare.ledger.cli import app
from safeshare.ledger.errors import LedgerKeyError
from safeshare.ledger.hsm import Pkcs11Config, Pkcs11Signer
from safeshare.ledger.keyprovider import key_provider
from safeshare.ledger.note import Ed25519NoteSigner
from safeshare.ledger.startup import ensure_signer
from safeshare.ledger.verification import verify_ledger
from safeshare.runtime import get_runtime
from tests.conftest import SOFTHSM_MODULE, SOFTHSM_PIN

from .conftest import ORIGIN

MODULE, PIN = SOFTHSM_MODULE, SOFTHSM_PIN
runner = CliRunner()


@pytest.fixture(scope="module")
def token(softhsm: Callable[[], str]) -> str:
    return softhsm()


def _settings(tmp: Path, token: str, **extra: object) -> Settings:
    return Settings(
        var_dir=tmp,
        ledger_origin=ORIGIN,
        ledger_key_provider="pkcs11",
        pkcs11_module=MODULE,
        pkcs11_token_label=token,
        pkcs11_pin=PIN,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def test_keygen_in_the_token_then_sign_checkpoints_and_verify_with_the_public_key(
    token: str, fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFESHARE_DATABASE_URL", fresh_url)
    monkeypatch.setenv("SAFESHARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SAFESHARE_LEDGER_ORIGIN", ORIGIN)
    monkeypatch.setenv("SAFESHARE_LEDGER_KEY_PROVIDER", "pkcs11")
    monkeypatch.setenv("SAFESHARE_PKCS11_MODULE", str(MODULE))
    monkeypatch.setenv("SAFESHARE_PKCS11_TOKEN_LABEL", token)
    monkeypatch.setenv("SAFESHARE_PKCS11_PIN", PIN)
    label = f"ledger-{uuid.uuid4().hex[:6]}"
    monkeypatch.setenv("SAFESHARE_LEDGER_PKCS11_KEY_LABEL", label)
    get_settings.cache_clear()
    get_runtime.cache_clear()
    try:
        made = runner.invoke(app, ["keygen"])
        assert made.exit_code == 0, made.output
        vkey = made.output.strip().splitlines()[-1]
        assert runner.invoke(app, ["keygen"]).exit_code == 1  # never replaced
        assert not any(tmp_path.iterdir())  # no key file anywhere the service can read

        with get_runtime().session() as session:
            for n in range(7):
                service.append_entry(session, kind="k", actor="a", data={"n": n})
        signed = runner.invoke(app, ["checkpoint"])
        assert signed.exit_code == 0, signed.output
        monkeypatch.setenv("SAFESHARE_LEDGER_VKEY", vkey)
        get_settings.cache_clear()
        result = runner.invoke(app, ["verify", "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["status"] == "ok"
    finally:
        get_runtime().engine.dispose()
        get_settings.cache_clear()
        get_runtime.cache_clear()


def test_the_private_key_is_sensitive_and_not_extractable(token: str, tmp_path: Path) -> None:
    import pkcs11

    label = f"ledger-{uuid.uuid4().hex[:6]}"
    provider = key_provider(_settings(tmp_path, token, ledger_pkcs11_key_label=label))
    verifier = provider.generate()
    signer = provider.signer()
    assert isinstance(signer, Pkcs11Signer)
    checkpoint = Checkpoint(ORIGIN, 3, bytes(32))
    assert open_checkpoint(sign_checkpoint(checkpoint, signer), [verifier]) == checkpoint
    lib = pkcs11.lib(str(MODULE))
    # The signer's session is logged in, and PKCS#11 login covers the whole application.
    with lib.get_token(token_label=token).open() as session:
        key = session.get_key(object_class=pkcs11.ObjectClass.PRIVATE_KEY, label=label)
        assert key[pkcs11.Attribute.SENSITIVE] is True
        assert key[pkcs11.Attribute.EXTRACTABLE] is False
        with pytest.raises(pkcs11.PKCS11Error):
            key[pkcs11.Attribute.VALUE]
    signer.close()


def test_wrong_pin_or_missing_key_is_a_clear_error(token: str, tmp_path: Path) -> None:
    with pytest.raises(LedgerKeyError, match="cannot use the ledger key"):
        Pkcs11Signer(Pkcs11Config(TokenConfig(MODULE, token, "000000"), "nope"), name=ORIGIN)
    with pytest.raises(LedgerKeyError, match="cannot use the ledger key"):
        Pkcs11Signer(Pkcs11Config(TokenConfig(MODULE, token, PIN), "no-such-key"), name=ORIGIN)
    with pytest.raises(ConfigurationError, match="PIN"):
        key_provider(Settings(var_dir=tmp_path, ledger_key_provider="pkcs11"))


def test_service_checkpoints_with_the_hsm_signer(
    token: str, ledger_session: Session, tmp_path: Path
) -> None:
    label = f"ledger-{uuid.uuid4().hex[:6]}"
    settings = _settings(tmp_path, token, ledger_pkcs11_key_label=label)
    vkey = key_provider(settings).generate().to_vkey()
    signer = key_provider(settings).signer()
    for n in range(5):
        service.append_entry(ledger_session, kind="k", actor="a", data={"n": n})
    service.create_checkpoint(ledger_session, signer=signer, origin=ORIGIN)
    public_only = settings.model_copy(update={"ledger_vkey": vkey, "ledger_key_provider": "file"})
    assert verify_ledger(ledger_session, settings=public_only).ok
    # The web app's start-up insists on the published key, and that it is the token's.
    with pytest.raises(ConfigurationError, match="SAFESHARE_LEDGER_VKEY"):
        ensure_signer(settings)
    other = Ed25519NoteSigner.generate(ORIGIN).verifier.to_vkey()
    with pytest.raises(ConfigurationError, match="not the token's"):
        ensure_signer(settings.model_copy(update={"ledger_vkey": other}))
    assert ensure_signer(settings.model_copy(update={"ledger_vkey": vkey})).key_id == (
        signer.key_id
    )
