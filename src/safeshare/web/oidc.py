"""The app's OpenID Connect client (Authlib), shared by the SSO routes and sign-out.

Kept outside `web/routes/` so sign-out (`routes/auth.py`) can end the provider's session
too without importing the SSO route module (route modules never import each other).
"""

from __future__ import annotations

import warnings
from typing import Any

import httpx
from fastapi import Request

with warnings.catch_warnings():
    # Authlib warns on import that its httpx client will move to httpx2; it works as is, and
    # a start-up refusal must be the only line the service prints.
    # authlib.deprecate adds an "always" filter when imported, so import it first.
    from authlib.deprecate import AuthlibDeprecationWarning  # type: ignore[import-untyped]

    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.starlette_client import OAuth  # type: ignore[import-untyped]

from safeshare.auth.sso_config import OidcConfig
from safeshare.errors import NotFoundError

PROVIDER = "sso"
SIGNED_IN_BY_SSO = "sso"  # a flag only: the ID token is not kept in the cookie (ASVS 8.2.2)


def build_client(config: OidcConfig) -> Any:
    """The Authlib client for the configured provider (metadata fetched on first use)."""
    oauth = OAuth()
    secret = config.client_secret.get_secret_value() if config.client_secret else None
    client_kwargs: dict[str, str] = {"scope": config.scopes, "code_challenge_method": "S256"}
    if secret is None:
        # A public client: PKCE alone (a method name, not a password).
        client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105
    return oauth.register(
        name=PROVIDER,
        client_id=config.client_id,
        client_secret=secret,
        server_metadata_url=config.metadata_url,
        client_kwargs=client_kwargs,
    )


def claims_options(config: OidcConfig) -> dict[str, Any]:
    """What the ID token must say: our issuer, us as audience, an expiry (checked, 60 s leeway)."""
    return {
        "iss": {"essential": True, "values": [config.issuer]},
        "aud": {"essential": True, "values": [config.client_id]},
        "exp": {"essential": True},
    }


def client(request: Request) -> Any:
    """The app's client; a 404 when single sign-on is not set up."""
    found = getattr(request.app.state, "oidc_client", None)
    if found is None:
        raise NotFoundError("Single sign-on is not set up")
    return found


def oidc_config(request: Request) -> OidcConfig:
    """The app's provider settings (`SAFESHARE_OIDC__*`)."""
    config: OidcConfig = request.app.state.settings.oidc
    return config


async def provider_logout_url(request: Request) -> str | None:
    """Where to send the browser so the provider ends its session too (RP-initiated logout),
    for a session begun through SSO whose provider advertises `end_session_endpoint`."""
    found = getattr(request.app.state, "oidc_client", None)
    if found is None or not request.session.get(SIGNED_IN_BY_SSO):
        return None
    try:
        metadata = await found.load_server_metadata()
    except httpx.HTTPError:
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    params = {
        "client_id": oidc_config(request).client_id,
        "post_logout_redirect_uri": str(request.url_for("login_page")) + "?signed_out=1",
    }
    return str(httpx.URL(endpoint, params=params))
