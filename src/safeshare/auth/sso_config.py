"""Settings for OpenID Connect single sign-on (nested in `Settings` as `oidc`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from safeshare.auth.roles import Role


class OidcConfig(BaseModel):
    """`SAFESHARE_OIDC__...`: one OpenID provider. Without an issuer, SSO is off."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider_name: str = "your organisation"
    issuer: str = ""
    # Defaults to `{issuer}/.well-known/openid-configuration`.
    discovery_url: str = ""
    client_id: str = ""
    client_secret: SecretStr | None = None
    scopes: str = "openid profile email"
    role_claim: str = "groups"
    # Provider group (or role) name -> SafeShare role; anything else is refused.
    role_map: dict[str, Role] = Field(default_factory=dict)
    organisation_claim: str = "organisation"
    username_claim: str = "preferred_username"
    display_name_claim: str = "name"
    # `amr` values (RFC 8176, e.g. "mfa", "otp", "hwk") or `acr` values that prove a second
    # factor at the provider. Empty: SafeShare's own TOTP is required for MFA roles.
    mfa_amr_values: list[str] = Field(default_factory=list)
    mfa_acr_values: list[str] = Field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)

    @property
    def metadata_url(self) -> str:
        return self.discovery_url or (self.issuer.rstrip("/") + "/.well-known/openid-configuration")
