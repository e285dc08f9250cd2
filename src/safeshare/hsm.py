"""The PKCS#11 token (an HSM, or SoftHSM2 in tests) shared by the ledger and the vault.

Keys generated in the token are sensitive and non-extractable: the service can ask the token
to sign or to wrap while it holds the PIN, but no file on the host holds key material.
`python-pkcs11` is imported only when a PKCS#11 provider is configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safeshare.errors import ConfigurationError


class TokenError(ConfigurationError):
    """The token, its PIN or a key in it cannot be used."""

    code = "pkcs11_token"


@dataclass(frozen=True)
class TokenConfig:
    """Which PKCS#11 module and token, and the user PIN that unlocks it."""

    module: Path
    token_label: str
    pin: str = field(repr=False)


def pkcs11_module() -> Any:
    """The `pkcs11` package (typed as Any: it ships no stubs for its Cython core)."""
    try:
        import pkcs11  # optional: only for the PKCS#11 providers
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise TokenError("python-pkcs11 is not installed") from exc
    return pkcs11


def open_session(config: TokenConfig, *, rw: bool = False) -> Any:
    """A session logged in as the user. PKCS#11 login is per application, not per session:
    when another session of this process is already logged in, the new one shares it."""
    pkcs11 = pkcs11_module()
    try:
        token = pkcs11.lib(str(config.module)).get_token(token_label=config.token_label)
        try:
            return token.open(rw=rw, user_pin=config.pin)
        except pkcs11.UserAlreadyLoggedIn:
            return token.open(rw=rw)
    except pkcs11.PKCS11Error as exc:
        raise TokenError(
            f"cannot open PKCS#11 token {config.token_label!r} ({type(exc).__name__})"
        ) from exc


@contextmanager
def session_for(config: TokenConfig, *, rw: bool = False) -> Iterator[Any]:
    """`open_session` as a context manager that closes the session afterwards."""
    session = open_session(config, rw=rw)
    try:
        yield session
    finally:
        session.close()
