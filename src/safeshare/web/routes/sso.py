"""Sign in with the organisation's OpenID provider (Authlib), and step-up through it.

Authlib does the protocol: PKCE (S256), `state` kept in the signed session and checked once,
a `nonce` bound into the ID token, the ID token's signature verified against the provider's
JWKS and its issuer, audience and expiry checked. `auth.sso` then decides who gets in.
Every refusal is one page that says plainly why, with no protocol detail.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

import httpx
from authlib.integrations.base_client.errors import OAuthError  # type: ignore[import-untyped]
from authlib.integrations.starlette_client import OAuth  # type: ignore[import-untyped]
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from joserfc.errors import JoseError
from starlette.responses import Response

from safeshare.auth import mfa, sso
from safeshare.auth.service import Principal
from safeshare.auth.sso_config import OidcConfig
from safeshare.errors import NotFoundError
from safeshare.web.access import (
    PUBLIC,
    SIGNED_IN,
    DbSession,
    mark_reauthenticated,
    start_session,
)
from safeshare.web.concurrency import in_thread
from safeshare.web.routes.mfa import begin_second_factor, local_path
from safeshare.web.templating import render

log = logging.getLogger("safeshare.security")
router = APIRouter()
Public = Annotated[Principal | None, Depends(PUBLIC)]
SignedIn = Annotated[Principal, Depends(SIGNED_IN)]
PROVIDER = "sso"
SIGNED_IN_BY_SSO = "sso"  # a flag only: the ID token is not kept in the cookie (ASVS 8.2.2)
NEXT = "sso_next"
STEP_UP = "sso_step_up"


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


def _client(request: Request) -> Any:
    client = getattr(request.app.state, "oidc_client", None)
    if client is None:
        raise NotFoundError("Single sign-on is not set up")
    return client


def _config(request: Request) -> OidcConfig:
    config: OidcConfig = request.app.state.settings.oidc
    return config


def _refused(request: Request, message: str, status: int = 403) -> Response:
    return render(
        request,
        "sso_refused.html",
        {"message": message, "provider": _config(request).provider_name},
        status_code=status,
    )


async def _redirect_to_provider(request: Request, **extra: str) -> Response:
    try:
        response: Response = await _client(request).authorize_redirect(
            request, str(request.url_for("sso_callback")), **extra
        )
    except (httpx.HTTPError, ValueError, RuntimeError):
        log.warning("sso: the identity provider's metadata could not be read")
        return _refused(
            request, "The identity provider could not be reached. Try again later.", 502
        )
    return response


@router.get("/login/sso")
async def sso_start(
    request: Request,
    _principal: Public,
    next_path: Annotated[str | None, Query(alias="next", max_length=500)] = None,
) -> Response:
    """Send the browser to the provider; state, nonce and the PKCE verifier stay in the session."""
    _client(request)
    request.session.pop(STEP_UP, None)
    request.session[NEXT] = local_path(next_path)
    return await _redirect_to_provider(request)


@router.get("/reauth/sso")
async def sso_step_up(
    request: Request,
    principal: SignedIn,
    next_path: Annotated[str | None, Query(alias="next", max_length=500)] = None,
) -> Response:
    """Step-up for SSO users: the provider must authenticate them again (`prompt=login`)."""
    _client(request)
    request.session[STEP_UP] = principal.user_id
    request.session[NEXT] = local_path(next_path)
    return await _redirect_to_provider(request, prompt="login", max_age="0")


def claims_options(config: OidcConfig) -> dict[str, Any]:
    """What the ID token must say: our issuer, us as audience, an expiry (checked, 60 s leeway)."""
    return {
        "iss": {"essential": True, "values": [config.issuer]},
        "aud": {"essential": True, "values": [config.client_id]},
        "exp": {"essential": True},
    }


async def _verified_claims(request: Request) -> dict[str, Any]:
    token = await _client(request).authorize_access_token(
        request, claims_options=claims_options(_config(request)), leeway=60
    )
    claims = token.get("userinfo")
    if not claims:
        raise OAuthError(description="no ID token")
    return dict(claims)


@router.get("/login/sso/callback", name="sso_callback")
async def sso_callback(request: Request, db: DbSession, principal: Public) -> Response:
    """The provider's answer: verify it, then sign in (or finish a step-up)."""
    config = _config(request)
    next_path = local_path(request.session.pop(NEXT, None))
    step_up = request.session.pop(STEP_UP, None)
    try:
        claims = await _verified_claims(request)
    except (OAuthError, JoseError, httpx.HTTPError) as exc:
        # The reason goes to the security log only: it may name a claim, never a value.
        log.warning("sso: refused a provider response (%s)", type(exc).__name__)
        return _refused(request, "Sign-in with the identity provider could not be completed.")
    try:
        outcome = await in_thread(
            sso.sign_in, db, config=config, issuer=config.issuer, claims=claims
        )
    except sso.SsoRefusedError as exc:
        return _refused(request, exc.message)
    user = outcome.user
    if step_up is not None:
        if principal is None or principal.user_id != user.id or step_up != user.id:
            return _refused(request, "You confirmed as a different person. Sign in again.")
        if mfa.requires_mfa(user) and not outcome.provider_mfa:
            # The provider's password alone is one factor; this role needs two.
            return _refused(
                request,
                "Your identity provider did not confirm a second factor. Confirm with your "
                "SafeShare password and authenticator code instead.",
            )
        mark_reauthenticated(request)
        request.session[SIGNED_IN_BY_SSO] = True
        return RedirectResponse(next_path, status_code=303)
    if mfa.requires_mfa(user) and not outcome.provider_mfa:
        return begin_second_factor(request, user, next_path)
    start_session(request, db, user_id=user.id, epoch=user.session_epoch)
    request.session[SIGNED_IN_BY_SSO] = True
    return RedirectResponse(next_path, status_code=303)


async def provider_logout_url(request: Request) -> str | None:
    """Where to send the browser so the provider ends its session too (RP-initiated logout),
    for a session begun through SSO whose provider advertises `end_session_endpoint`."""
    client = getattr(request.app.state, "oidc_client", None)
    if client is None or not request.session.get(SIGNED_IN_BY_SSO):
        return None
    try:
        metadata = await client.load_server_metadata()
    except httpx.HTTPError:
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str):
        return None
    params = {
        "client_id": _config(request).client_id,
        "post_logout_redirect_uri": str(request.url_for("login_page")) + "?signed_out=1",
    }
    return str(httpx.URL(endpoint, params=params))
