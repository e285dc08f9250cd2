"""Ledger trust settings: the witnesses the service asks to cosign, and how many must.

Plain pydantic models nested in the one `Settings` (`SAFESHARE_LEDGER_WITNESSES` is a JSON
list of `{"url": ..., "vkey": ...}`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, field_validator

from safeshare.ledger.cosignature import CosignatureVerifier
from safeshare.ledger.errors import LedgerKeyError


class WitnessSetting(BaseModel):
    """One witness: its submission URL prefix (no trailing slash) and its cosigner vkey."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    vkey: str

    @field_validator("url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("a witness URL starts with http:// or https://")
        return value.rstrip("/")

    @field_validator("vkey")
    @classmethod
    def _valid_vkey(cls, value: str) -> str:
        try:
            CosignatureVerifier.from_vkey(value)
        except LedgerKeyError as exc:
            raise ValueError(exc.message) from exc
        return value.strip()

    @property
    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier.from_vkey(self.vkey)
